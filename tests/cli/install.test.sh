#!/usr/bin/env bash
# install.test.sh: make install into a temporary prefix, then use only what
# was installed: the installed dmc compiles logreg from a folder outside the
# tree, pkg-config gives the flags, and the program prints what the build
# tree's logreg prints (itself checked against PyTorch by
# tests/examples/logreg.test.sh); -ldmrt picks the installed libdmrt.so
# (found through LD_LIBRARY_PATH, as for any library outside the system's
# paths).  The installed dmc finds PREFIX/lib/libdmrt.a for --emit=shared.
# make uninstall leaves no file behind.
set -euo pipefail
cd "$(dirname "$0")/../.."
root=$PWD; B=${BUILD:-build}
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
prefix=$tmp/prefix
make -s --no-print-directory BUILD="$B" install PREFIX="$prefix" >"$tmp/install.log"

# Nothing of the source tree is reachable from here: a copy of the example
# in a fresh folder, the installed tools only.
mkdir "$tmp/work"
cp examples/logreg/logreg.dm examples/logreg/main.c "$tmp/work/"
cd "$tmp/work"
env -i PATH="$prefix/bin:/usr/bin:/bin" "$prefix/bin/dmc" logreg.dm -o logreg.o
flags=$(PKG_CONFIG_PATH="$prefix/lib/pkgconfig" pkg-config --cflags --libs dmrt)
case $flags in *"-I$prefix/include"*"-L$prefix/lib"*"-ldmrt"*) ;;
    *) echo "pkg-config gave: $flags"; exit 1 ;; esac
cc main.c logreg.o $flags -o logreg
LD_LIBRARY_PATH="$prefix/lib" ./logreg >"$tmp/installed.out"
# (ldd's output is read whole: with pipefail, grep -q quitting at its first
# match could make ldd die of SIGPIPE and the pipeline fail)
libs=$(LD_LIBRARY_PATH="$prefix/lib" ldd ./logreg)
grep -q "$prefix/lib/libdmrt.so" <<<"$libs" || { echo "logreg does not use the installed libdmrt.so"; exit 1; }
env -i PATH="$prefix/bin:/usr/bin:/bin" "$prefix/bin/dmc" logreg.dm --emit=shared -o logreg.so
nm -D --defined-only logreg.so | grep ' dm_train_step$' >/dev/null || { echo "logreg.so has no dm_train_step"; exit 1; }
"$root/$B/examples/logreg/logreg" >"$tmp/tree.out"
diff -u "$tmp/tree.out" "$tmp/installed.out"
env -i MANPATH="$prefix/share/man" man -w dmc >/dev/null 2>&1 || test -f "$prefix/share/man/man1/dmc.1"

cd "$root"
make -s --no-print-directory BUILD="$B" uninstall PREFIX="$prefix"
left=$(find "$prefix" -type f)
[ -z "$left" ] || { echo "left after uninstall: $left"; exit 1; }
echo "install, pkg-config and uninstall work"
