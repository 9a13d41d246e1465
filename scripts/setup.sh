#!/bin/sh
# setup.sh: install what a bare Debian 12 machine lacks to build, test or
# benchmark dmc.  The Makefile runs it while it is read, for every goal that
# needs packages (SETUP_GROUPS there), so that the first `make demo` works.
#
#   sh scripts/setup.sh [GROUP...]
#     build     what `make` needs: a C compiler, flex, bison, LLVM 19, clang-19
#     test      build, and PyTorch (the tests' oracle), numpy, Fashion-MNIST, fortunes (tinygpt), graphviz,
#               the aarch64, armv7, i686 and Cortex-M cross compilers, qemu (tests/cross),
#               Open MPI (tests/mpi)
#     valgrind  test, and valgrind (make check-valgrind)
#     bench     test, and OpenBLAS with its header and pkg-config file: PyTorch
#               on the reference BLAS is no anchor (make bench, docs/performance.md)
#     windows   build, and MinGW-w64 and wine64 (tests/cross/windows.test.sh installs it)
#     cross     test, windows, and the other cross toolchains (make check-cross, docs/targets.md)
#   (no GROUP: test)
# Prints nothing when everything is there.  As root it runs apt-get; otherwise
# it prints the exact command to run and fails.  Off Debian (no dpkg-query) it
# names the packages and leaves the rest to the build.
build="make gcc flex bison llvm-19-dev clang-19 libclang-rt-19-dev"
test="$build python3-torch python3-numpy dataset-fashion-mnist fortunes graphviz gcc-aarch64-linux-gnu qemu-user openmpi-bin libopenmpi-dev gcc-arm-linux-gnueabihf gcc-i686-linux-gnu gcc-arm-none-eabi libnewlib-arm-none-eabi qemu-system-arm"
windows="$build gcc-mingw-w64-x86-64 wine64"
cross="$test $windows gcc-riscv64-linux-gnu"
want=""
for group in ${*:-test}; do
    case $group in
        build)    want="$want $build" ;;
        test)     want="$want $test" ;;
        valgrind) want="$want $test valgrind" ;;
        bench)    want="$want $test libopenblas0-pthread libopenblas-pthread-dev pkgconf" ;;
        windows)  want="$want $windows" ;;
        cross)    want="$want $cross" ;;
        *) echo "setup: unknown group '$group' (build, test, valgrind, bench, windows, cross)" >&2; exit 2 ;;
    esac
done
want=$(printf '%s\n' $want | sort -u | tr '\n' ' ')

if ! command -v dpkg-query >/dev/null 2>&1; then
    echo "setup: not a Debian system; dmc needs (as Debian names them): $want" >&2
    exit 0
fi
installed=" $(dpkg-query -W -f='${db:Status-Abbrev} ${Package}\n' $want 2>/dev/null |
              awk '$1 == "ii" { printf "%s ", $2 }')"
missing=""
for p in $want; do
    case "$installed" in *" $p "*) ;; *) missing="$missing $p" ;; esac
done
[ -z "$missing" ] && exit 0

echo "setup: missing Debian packages:$missing" >&2
if [ "$(id -u)" != 0 ]; then
    echo "setup: run as root:  apt-get update && apt-get install -y$missing" >&2
    exit 1
fi
log=$(mktemp)
export DEBIAN_FRONTEND=noninteractive
if apt-get update -qq >"$log" 2>&1 && apt-get install -y -qq $missing >>"$log" 2>&1; then
    echo "setup: installed$missing" >&2
    rm -f "$log"
else
    tail -n 20 "$log" >&2
    echo "setup: apt-get install failed (the whole log: $log)" >&2
    exit 1
fi
