#!/usr/bin/env bash
# link_minimal.test.sh: every object of libdmrt.a links into a program with
# nothing but libc, -lm and -lpthread (no zlib, no LLVM, no compiler code),
# and the public headers compile as C11 and as C++.
set -eu
cd "$(dirname "$0")/../.."
BUILD=${BUILD:-build}
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
make -s BUILD="$BUILD" "$BUILD/libdmrt.a"
printf '#include "dm.h"\n#include "dm_data.h"\nint main(void) { return dm_last_error() == 0; }\n' >"$tmp/main.c"
${CC:-cc} -std=c11 -Wall -Werror -pedantic -Iruntime -o "$tmp/prog" "$tmp/main.c" \
    -Wl,--whole-archive "$BUILD/libdmrt.a" -Wl,--no-whole-archive -lm -lpthread
"$tmp/prog"
if command -v g++ >/dev/null; then
    cp "$tmp/main.c" "$tmp/main.cc"
    g++ -Wall -Werror -Iruntime -c -o "$tmp/main.o" "$tmp/main.cc"
fi
echo ok
