#!/usr/bin/env bash
# roundtrip.test.sh: the IR's text form reads back exactly.  For every model
# of tests/ and examples/ that compiles (with its NAME.flags): the IR after
# sema (--dump-after) and the final IR (--emit=ir, with the gradients, apply
# and train_step graphs) print again byte for byte after `dmc FILE.ir
# --emit=ir` (print(read(print(m))) == print(m)); the passes run on the IR
# after sema (--passes=autodiff,optim,entries,simplify; no simplify at -O0)
# print what the pipeline on the source prints; and the final IR compiles
# to the same C header as the source.
set -u
cd "$(dirname "$0")/../.."
DMC=${DMC:-$PWD/build/dmc}
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
models=0; fail=0
check() {  # check WHAT FILE1 FILE2
    cmp -s "$2" "$3" && return 0
    echo "FAIL $1"; diff -u "$2" "$3" | head -20; fail=$((fail + 1))
}
while IFS= read -r dm; do
    base=${dm%.dm} flags=""
    [ -f "$base.flags" ] && flags=$(cat "$base.flags")
    "$DMC" $flags --emit=ir "$dm" -o "$tmp/final.ir" 2>/dev/null || continue
    models=$((models + 1))
    # the final IR
    "$DMC" "$tmp/final.ir" --emit=ir -o "$tmp/again.ir" 2>"$tmp/err" || { echo "FAIL $dm: read"; cat "$tmp/err"; fail=$((fail + 1)); continue; }
    check "$dm: final" "$tmp/final.ir" "$tmp/again.ir"
    # the IR after sema: the training forward graph (the dump's '; after sema'
    # line before each model is a comment)
    "$DMC" $flags -w --emit=ir "$dm" -o "$tmp/discard" --dump-after=sema 2>"$tmp/sema.ir"   # -w: only the dump on stderr
    "$DMC" "$tmp/sema.ir" --emit=ir -o "$tmp/again.ir" 2>"$tmp/err" || { echo "FAIL $dm after sema: read"; cat "$tmp/err"; fail=$((fail + 1)); continue; }
    grep -v "^; after" "$tmp/sema.ir" >"$tmp/want.ir"
    check "$dm: after sema" "$tmp/want.ir" "$tmp/again.ir"
    # the passes on the IR after sema = the passes on the source
    opt="-O2"; nt=""; passes=autodiff,optim,entries,simplify
    case " $flags " in *" -O0 "*) opt="-O0"; passes=autodiff,optim,entries ;; esac
    case " $flags " in *" --no-train "*) nt="--no-train" ;; esac
    "$DMC" "$tmp/sema.ir" $opt $nt --passes=$passes --emit=ir -o "$tmp/piped.ir" 2>"$tmp/err" ||
        { echo "FAIL $dm: passes on the IR"; cat "$tmp/err"; fail=$((fail + 1)); continue; }
    check "$dm: passes on the IR after sema" "$tmp/final.ir" "$tmp/piped.ir"
    # the same header
    "$DMC" $flags --emit=header "$dm" -o "$tmp/a.h" 2>/dev/null
    "$DMC" "$tmp/final.ir" $opt $nt --emit=header -o "$tmp/b.h" 2>"$tmp/err" || { echo "FAIL $dm: header from IR"; cat "$tmp/err"; fail=$((fail + 1)); continue; }
    # (the first lines name the input file)
    check "$dm: header" <(tail -n +4 "$tmp/a.h") <(tail -n +4 "$tmp/b.h")
done < <(find tests examples -name '*.dm' | sort)
echo "$models models, $fail failures"
[ "$models" -gt 40 ] && [ "$fail" = 0 ]
