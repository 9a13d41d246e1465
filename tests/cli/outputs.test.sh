#!/usr/bin/env bash
# outputs.test.sh: where dmc writes its -o (issue 11, 2.7), as cc does:
#  - a path that is not a regular file (here a FIFO read by a background
#    `cat`, and /dev/fd/1 on a pipe) is written in place, never renamed
#    over, and gets no header beside it;
#  - a symbolic link (and a chain of them, relative targets included) stays
#    a link: the regular file at its end is replaced, by a temporary in that
#    file's folder, and the header goes beside that file;
#  - a folder the user cannot write is exit 2 with nothing written, even when
#    only the link lives there and its target does not (root runs those cases
#    as nobody, through setpriv).
# The real /dev/null is never used as an output, nor /dev/stdout: /dev/fd/1
# stands for it, so that a dmc that renames over such a path fails (procfs
# takes no new file) instead of replacing the machine's /dev/stdout.
set -u
cd "$(dirname "$0")/../.."
B=${BUILD:-build}
DMC=$PWD/$B/dmc
tmp=$(mktemp -d); trap 'chmod -R u+w "$tmp"; rm -rf "$tmp"' EXIT
fails=0
fail() { echo "FAILED: $*"; fails=$((fails + 1)); }
logreg=$PWD/examples/logreg/logreg.dm
no_temporaries() { ! ls "$1" | grep -q 'tmp-' || fail "a temporary is left in $1: $(ls "$1")"; }

# The reference outputs, written to regular files.
"$DMC" $logreg -o "$tmp/ref.o" && "$DMC" --emit=ir $logreg -o "$tmp/ref.ir" || { echo "FAILED: reference compile"; exit 1; }

# ---- a FIFO: written in place, still a FIFO, no header ----
mkfifo "$tmp/fifo"
for kind in obj ir; do
    timeout 60 cat "$tmp/fifo" > "$tmp/from_fifo.$kind" &   # a dmc that never opens the FIFO must not hang the test
    reader=$!
    "$DMC" --emit=$kind $logreg -o "$tmp/fifo" || fail "dmc --emit=$kind -o FIFO: exit $?"
    if [ -p "$tmp/fifo" ]; then wait $reader; else kill $reader 2>/dev/null; fi
    [ -p "$tmp/fifo" ] || fail "--emit=$kind: the FIFO was replaced: $(ls -l "$tmp/fifo")"
    ext=$kind; [ $kind = obj ] && ext=o
    cmp -s "$tmp/from_fifo.$kind" "$tmp/ref.$ext" || fail "--emit=$kind: the FIFO's reader got other bytes than the file"
done
[ ! -e "$tmp/fifo.h" ] || fail "an object written to a FIFO got a header beside it"
no_temporaries "$tmp"

# ---- standard output: on a pipe, written through; redirected to a file, that file gets the object ----
"$DMC" $logreg -o /dev/fd/1 | cat > "$tmp/piped.o" || fail "-o /dev/fd/1 on a pipe: exit $?"
cmp -s "$tmp/piped.o" "$tmp/ref.o" || fail "-o /dev/fd/1 on a pipe: other bytes"
"$DMC" $logreg -o /dev/fd/1 > "$tmp/redirected.o" || fail "-o /dev/fd/1 > file: exit $?"
cmp -s "$tmp/redirected.o" "$tmp/ref.o" || fail "-o /dev/fd/1 > file: other bytes"
grep -q logreg_model "$tmp/redirected.h" || fail "-o /dev/fd/1 > file: no header beside the file"

# ---- symbolic links: the file at the end is replaced, the links stay ----
mkdir "$tmp/out" "$tmp/links"
echo old > "$tmp/out/real.o"
ln -s ../out/real.o "$tmp/links/one.o"          # relative, to another folder
ln -s "$tmp/links/one.o" "$tmp/links/two.o"     # a chain: two -> one -> real
for link in one two; do
    echo old > "$tmp/out/real.o"
    "$DMC" $logreg -o "$tmp/links/$link.o" || fail "-o a link ($link): exit $?"
    [ -L "$tmp/links/$link.o" ] || fail "the link $link.o was replaced by a file"
    [ -f "$tmp/out/real.o" ] && [ ! -L "$tmp/out/real.o" ] || fail "$link: real.o is not a regular file"
    cmp -s "$tmp/out/real.o" "$tmp/ref.o" || fail "$link: the link's target did not get the object"
    # The header goes beside the file the object replaced: out/real.h.
    [ -f "$tmp/out/real.h" ] && grep -q logreg_model "$tmp/out/real.h" || fail "$link: no header beside real.o"
    [ ! -e "$tmp/links/$link.h" ] || fail "$link: a header beside the link"
    rm -f "$tmp/out/real.h"
done
[ -L "$tmp/links/one.o" ] && [ "$(readlink "$tmp/links/one.o")" = ../out/real.o ] || fail "one.o's target changed"
ln -s nowhere.ir "$tmp/links/dangling.ir"       # a dangling link: its target is created
"$DMC" --emit=ir $logreg -o "$tmp/links/dangling.ir" || fail "-o a dangling link: exit $?"
[ -L "$tmp/links/dangling.ir" ] && cmp -s "$tmp/links/nowhere.ir" "$tmp/ref.ir" || fail "a dangling link's target was not created"
no_temporaries "$tmp/out"; no_temporaries "$tmp/links"

# ---- a folder the user cannot write ----
as_user() { if [ "$(id -u)" = 0 ]; then setpriv --reuid=65534 --regid=65534 --clear-groups "$@"; else "$@"; fi; }
chmod 755 "$tmp"
mkdir "$tmp/ro" "$tmp/rw"
chmod 777 "$tmp/rw"
ln -s ../rw/through.ll "$tmp/ro/link.ll"
chmod 555 "$tmp/ro"
as_user "$DMC" $logreg -o "$tmp/ro/x.o" 2> "$tmp/err"; rc=$?
[ $rc = 2 ] || fail "-o in a read-only folder: exit $rc, expected 2"
grep -q "cannot create $tmp/ro/x.o" "$tmp/err" || fail "read-only folder: message '$(cat "$tmp/err")'"
[ "$(ls "$tmp/ro")" = link.ll ] || fail "read-only folder: something was written: $(ls "$tmp/ro")"
# Only the link is in the read-only folder: its target's folder takes the temporary.
as_user "$DMC" --emit=llvm $logreg -o "$tmp/ro/link.ll" || fail "-o a link in a read-only folder: exit $?"
grep -q 'define .*@logreg_forward(' "$tmp/rw/through.ll" && [ -L "$tmp/ro/link.ll" ] ||
    fail "a link in a read-only folder: its target did not get the output"
no_temporaries "$tmp/rw"

# ---- a directory is refused ----
"$DMC" $logreg -o "$tmp/out" 2> "$tmp/err"; rc=$?
[ $rc = 2 ] && grep -q "is a directory" "$tmp/err" || fail "-o a directory: exit $rc, '$(cat "$tmp/err")'"
[ $fails = 0 ] && echo ok
exit $((fails > 0))
