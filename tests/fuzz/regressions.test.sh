#!/usr/bin/env bash
# regressions.test.sh: replays the inputs that fuzzing once crashed on.
#   tests/fuzz/regressions/frontend/*: through dmc --emit=ir (and to an object
#     when that succeeds): exit 0 or 1 only, `error:` on stderr with exit 1.
#   tests/fuzz/regressions/load/*, and the seed checkpoints (valid, weights
#     only, truncated): through replay_load, i.e. the checks of fuzz_load.c
#     (dm_load fails cleanly and leaves the model unchanged, or loads exactly).
set -u
cd "$(dirname "$0")/../.."
BUILD=${BUILD:-build}
DMC=$PWD/$BUILD/dmc
REPLAY=$BUILD/fuzz/replay_load
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
status=0 n=0

for f in tests/fuzz/regressions/frontend/*; do
    [ -f "$f" ] || continue
    n=$((n + 1))
    for mode in ir obj; do
        if [ $mode = ir ]; then timeout 10 "$DMC" --emit=ir "$f" -o "$tmp/out.ir" >/dev/null 2>"$tmp/err"
        else timeout 10 "$DMC" "$f" -o "$tmp/out.o" >/dev/null 2>"$tmp/err"; fi
        rc=$?
        if [ $rc != 0 ] && [ $rc != 1 ]; then
            echo "FAIL $f ($mode): exit status $rc"; tail -n 5 "$tmp/err"; status=1; break
        elif [ $rc = 1 ] && ! grep -q 'error:' "$tmp/err"; then
            echo "FAIL $f ($mode): exit 1 without an error: message"; status=1; break
        fi
        [ $rc = 1 ] && break   # no object to try
    done
done

[ -x "$REPLAY" ] || { echo "FAIL: $REPLAY is not built (make tests-build)"; exit 1; }
mkdir -p "$tmp/seeds"
"$REPLAY" --seeds "$tmp/seeds" || { echo "FAIL: replay_load --seeds"; exit 1; }
for f in tests/fuzz/regressions/load/* "$tmp"/seeds/*; do
    [ -f "$f" ] || continue
    n=$((n + 1))
    "$REPLAY" "$f" >/dev/null 2>"$tmp/err" || { echo "FAIL $f"; tail -n 5 "$tmp/err"; status=1; }
done
echo "$n inputs replayed"
exit $status
