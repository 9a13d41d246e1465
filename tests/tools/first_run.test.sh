#!/usr/bin/env bash
# first_run.test.sh: the README's commands work on their first run on a bare
# machine (issue 11): the Makefile installs the packages before it asks
# llvm-config for its flags, for every goal that needs them, and
# scripts/setup.sh installs exactly what is missing.
#
# Nothing here touches the machine's packages (CI removes them for real, in
# .ci/run).  Make's side: LLVM_CONFIG names a program that does not exist when
# make starts; a stand-in for scripts/setup.sh (SETUP=...) writes it, as apt
# would; `make -n` prints the commands, whose LLVM flags must be the stand-in's.
# The old Makefile computed them first and printed none.  setup.sh's side:
# stand-ins for dpkg-query, id and apt-get on PATH.
set -eu
cd "$(dirname "$0")/../.."
unset DMC_SETUP_DONE MAKEFLAGS MFLAGS MAKELEVEL
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }

# ---- the Makefile -------------------------------------------------------------
cat >"$tmp/setup.sh" <<EOF
# stand-in for scripts/setup.sh: records its groups, then "installs" llvm-config
echo "\$*" >>"$tmp/groups"
[ -n "\${SETUP_FAILS:-}" ] && { echo "stand-in setup: apt-get failed" >&2; exit 1; }
mkdir -p "$tmp/bin"
cat >"$tmp/bin/llvm-config" <<'LLVM'
#!/bin/sh
case \$1 in
    --cflags) echo -DFIRST_RUN_LLVM_CFLAGS ;;
    --ldflags) echo -LFIRST_RUN_LLVM_LDFLAGS ;;
    --libs) echo -lFIRST_RUN_LLVM_LIBS ;;
    --libdir) echo /first/run/libdir ;;
esac
LLVM
chmod +x "$tmp/bin/llvm-config"
EOF

dry() {  # dry GOAL...: make -n of the goals on a bare machine; sets $groups, $out
    rm -rf "$tmp/bin" "$tmp/groups"
    : >"$tmp/groups"
    rc=0
    make -n BUILD="$tmp/build" LLVM_CONFIG="$tmp/bin/llvm-config" SETUP="sh $tmp/setup.sh" "$@" \
        >"$tmp/out" 2>"$tmp/err" || rc=$?
    groups=$(cat "$tmp/groups"); out=$(cat "$tmp/out")
}

for goal in demo test bench examples check-valgrind; do
    dry "$goal"
    [ $rc = 0 ] || fail "make -n $goal: status $rc: $(cat "$tmp/err")"
    [ "$(wc -l <"$tmp/groups")" = 1 ] || fail "make $goal ran setup $(wc -l <"$tmp/groups") times"
    grep -q -- "-DFIRST_RUN_LLVM_CFLAGS.* -c compiler/front/" <<<"$out" ||
        fail "make $goal: the compiler's objects are not compiled with the flags of the LLVM installed by setup"
    grep -q -- "-o $tmp/build/dmc .*-LFIRST_RUN_LLVM_LDFLAGS -lFIRST_RUN_LLVM_LIBS -Wl,-rpath,/first/run/libdir" <<<"$out" ||
        fail "make $goal: dmc is not linked with the LLVM installed by setup"
done

# Each goal asks for its own groups of packages, and only a goal that needs them.
check_groups() {  # check_groups "GOALS" "GROUPS"
    dry $1
    [ "$groups" = "$2" ] || fail "make $1: setup got groups '$groups', expected '$2'"
}
check_groups "demo" "test"
check_groups "test" "test"
check_groups "bench" "bench"
check_groups "check-valgrind" "test valgrind"
check_groups "check-sanitize" "test"
check_groups "" "build"
check_groups "all tests-build" "build test"
check_groups "install" "build"
check_groups "clean" ""
check_groups "setup" ""

# A sub-make (DMC_SETUP_DONE) and SETUP= skip the step.
rm -rf "$tmp/bin"; : >"$tmp/groups"
DMC_SETUP_DONE=1 make -n BUILD="$tmp/build" SETUP="sh $tmp/setup.sh" test >/dev/null 2>&1 || true
[ ! -s "$tmp/groups" ] || fail "a sub-make ran setup again"
make -n BUILD="$tmp/build" SETUP= test >/dev/null 2>&1 || true
[ ! -s "$tmp/groups" ] || fail "SETUP= still ran setup"

# A setup that fails stops make before any command, with the reason.
SETUP_FAILS=1 dry demo
[ $rc != 0 ] || fail "make demo went on after setup failed"
[ -z "$out" ] || fail "make demo printed commands after setup failed"
grep -q "stand-in setup: apt-get failed" "$tmp/err" || fail "setup's reason is not shown"
grep -q "\*\*\* the packages that 'demo' needs are missing" "$tmp/err" || fail "no error from make: $(cat "$tmp/err")"

# ---- scripts/setup.sh ------------------------------------------------------------
# dpkg-query answers from $tmp/dpkg (the installed packages), id -u from
# $tmp/uid; apt-get records its arguments.
mkdir -p "$tmp/fake"
cat >"$tmp/fake/dpkg-query" <<EOF
#!/bin/sh
shift 2   # -W -f=FORMAT
for p in "\$@"; do grep -qx "\$p" "$tmp/dpkg" && echo "ii  \$p"; done
exit 0
EOF
cat >"$tmp/fake/id" <<EOF
#!/bin/sh
cat "$tmp/uid"
EOF
cat >"$tmp/fake/apt-get" <<EOF
#!/bin/sh
echo "apt-get \$*" >>"$tmp/apt"
EOF
chmod +x "$tmp/fake/"*
setup() {  # setup GROUP...: scripts/setup.sh with the stand-ins; sets $rc, $said, $apt
    : >"$tmp/apt"; rc=0
    said=$(PATH="$tmp/fake:$PATH" sh scripts/setup.sh "$@" 2>&1) || rc=$?
    apt=$(cat "$tmp/apt")
}
build="bison clang-19 flex gcc libclang-rt-19-dev llvm-19-dev make"   # sorted, as setup.sh installs them

printf 'make\ngcc\n' >"$tmp/dpkg"; echo 0 >"$tmp/uid"
setup build
[ $rc = 0 ] || fail "setup build as root: status $rc: $said"
[ "$apt" = "apt-get update -qq
apt-get install -y -qq bison clang-19 flex libclang-rt-19-dev llvm-19-dev" ] ||
    fail "setup build as root ran: $apt"

echo 1000 >"$tmp/uid"
setup build
[ $rc = 1 ] || fail "setup build, not root: status $rc"
[ -z "$apt" ] || fail "setup ran apt-get without root"
grep -q "run as root:  apt-get update && apt-get install -y bison clang-19 flex libclang-rt-19-dev llvm-19-dev$" <<<"$said" ||
    fail "setup did not print the command to run: $said"

echo 0 >"$tmp/uid"
printf '%s\n' $build python3-torch python3-numpy dataset-fashion-mnist fortunes graphviz gcc-aarch64-linux-gnu qemu-user openmpi-bin libopenmpi-dev gcc-arm-linux-gnueabihf gcc-i686-linux-gnu gcc-arm-none-eabi libnewlib-arm-none-eabi qemu-system-arm >"$tmp/dpkg"
setup test
[ $rc = 0 ] && [ -z "$apt" ] && [ -z "$said" ] || fail "setup test with everything there: status $rc, said '$said', ran '$apt'"
setup bench
[ "$apt" = "apt-get update -qq
apt-get install -y -qq libopenblas-pthread-dev libopenblas0-pthread pkgconf" ] || fail "setup bench ran: $apt"
setup test valgrind
grep -q "apt-get install -y -qq valgrind$" <<<"$apt" || fail "setup valgrind ran: $apt"
setup nonsense
[ $rc = 2 ] || fail "setup of an unknown group: status $rc"
echo "first run: ok"
