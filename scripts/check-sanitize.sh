#!/usr/bin/env bash
# check-sanitize.sh: make check-sanitize.  Builds the compiler, the runtime,
# the unit tests and the examples with AddressSanitizer and
# UndefinedBehaviorSanitizer (clang-19) into build-sanitize/ and runs the
# whole test suite there.  Any sanitizer report fails the case it occurs in.
#
# The sanitizer flags ride in the compiler command, not only CFLAGS, so
# that the generated scanner and parser (which the Makefile compiles with
# fixed flags) are instrumented too.  Test scripts that build C programs with
# a plain `cc` (or ${CC:-cc}) and link the sanitized libdmrt.a must get the
# flags as well: `cc` and `gcc` on PATH become wrappers around clang-19 with
# the flags, and CC=cc.  clang-19 itself stays as it is: it compiles the
# kernels to bitcode, which must not be instrumented.  DM_SANITIZE=1 tells
# tests that care (ulimit -v does not work with ASan's shadow memory).
# LLVM's shared library and the code dmc generates are not instrumented.
#
# Environment: SANITIZE_BUILD (default build-sanitize), TESTS (a pattern, as
# for tests/run.sh), JOBS (parallel make, default 2).
set -u
cd "$(dirname "$0")/.."
B=${SANITIZE_BUILD:-build-sanitize}
SAN="-fsanitize=address,undefined -fno-sanitize-recover=undefined -fno-omit-frame-pointer"
mkdir -p "$B/sanitize-bin"
for name in cc gcc; do
    printf '#!/bin/sh\nexec %s %s "$@"\n' "${SANITIZE_CC:-clang-19}" "$SAN" >"$B/sanitize-bin/$name"
    chmod +x "$B/sanitize-bin/$name"
done
export PATH="$PWD/$B/sanitize-bin:$PATH"
export CC=cc
export CFLAGS="-O1 -g"
export DM_SANITIZE=1
start=$(date +%s)

echo "check-sanitize: building into $B/ with ${SANITIZE_CC:-clang-19} $SAN"
if ! make -s -j"${JOBS:-2}" BUILD="$B" CC="$CC" all tests-build >"$B/build.log" 2>&1; then
    tail -n 40 "$B/build.log"
    echo "check-sanitize: the sanitized build failed (log: $B/build.log)"
    exit 1
fi

# halt_on_error: the first report ends the process with a non-zero status,
# so the case fails.  detect_leaks: the compiler frees its arena at exit and
# the runtime frees what it allocates, so any leak is a finding.
export ASAN_OPTIONS="detect_leaks=1:abort_on_error=0:strict_string_checks=1:detect_stack_use_after_return=1:check_initialization_order=1${ASAN_OPTIONS:+:$ASAN_OPTIONS}"
export UBSAN_OPTIONS="halt_on_error=1:print_stacktrace=1${UBSAN_OPTIONS:+:$UBSAN_OPTIONS}"
# Suppressed leaks: LLVM's shared library keeps some allocations for the
# life of the process (registries, static options), and the test programs
# themselves (tests/unit/*.c, tests/runtime/st_tool.c, tests/tools/dmrun.c,
# matched by path or by name when built without -g) may leave what they
# allocated to the end of the process.  Leaks of dmc and of the example
# programs are reported; the runtime's unit tests get a leak check under
# valgrind (make check-valgrind).
supp=$(mktemp); trap 'rm -f "$supp"' EXIT
printf 'leak:libLLVM\nleak:/tests/unit/\nleak:/tests/runtime/\nleak:st_tool\nleak:dmrun\n' >"$supp"
export LSAN_OPTIONS="suppressions=$supp:print_suppressions=0${LSAN_OPTIONS:+:$LSAN_OPTIONS}"

# the instrumented build runs about three times slower: the whole
# differential test needs more than the runner's default 600 s
BUILD=$B TEST_TIMEOUT=${TEST_TIMEOUT:-1800} bash tests/run.sh
status=$?
echo "check-sanitize: $(( $(date +%s) - start )) s"
exit $status
