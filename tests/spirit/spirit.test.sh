#!/usr/bin/env bash
# spirit.test.sh: models written in the spirit of docs/language.md but not copied
# from it (a residual MLP with a user layer, an autoencoder with mse, a CNN
# with avgpool2d and leaky_relu, logistic regression with bce, reductions /
# reshape / transpose, a next-character model with Embedding in a user layer).  Each is compiled and run entry by entry against the
# reference interpreter by difftest (-O2; -O0 for two of them), and the
# parameter names follow docs/language.md's rules.
set -u
cd "$(dirname "$0")/../.."
B=${BUILD:-build}
tool=$B/tests/tools/difftest
[ -x "$tool" ] || { echo "missing $tool (make tests-build)"; exit 1; }
status=0
for f in tests/spirit/*.dm; do "$tool" -O2 "$f" || status=1; done
for f in tests/spirit/resmlp.dm tests/spirit/reshaping.dm; do "$tool" -O0 "$f" || status=1; done
names() { "$B/dmc" --emit=ir "$1" -o - | awk '$1 == "tensor" && $3 == "param" { printf "%s ", $2 }'; }
want="stem.W stem.b b1.dense_0.W b1.dense_0.b b1.dense_1.W b1.dense_1.b b2.dense_0.W b2.dense_0.b b2.dense_1.W b2.dense_1.b logits.W logits.b "
[ "$(names tests/spirit/resmlp.dm)" = "$want" ] || { echo "resmlp params: $(names tests/spirit/resmlp.dm)"; status=1; }
# c2's Conv2d has bias = false: no conv2d_1.b
want="conv2d_0.W conv2d_0.b conv2d_1.W logits.W logits.b "
[ "$(names tests/spirit/smallcnn.dm)" = "$want" ] || { echo "smallcnn params: $(names tests/spirit/smallcnn.dm)"; status=1; }
# docs/language.md's own examples (copied in tests/sema/example_*.dm, whose golden
# IR is for inference only) compile whole: an object with the training entries.
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
for f in tests/sema/example_*.dm; do
    "$B/dmc" "$f" -o "$tmp/e.o" || { echo "$f does not compile"; status=1; continue; }
    nm "$tmp/e.o" | grep -q '_train_step$' || { echo "$f: no train step"; status=1; }
done
want="context_0.e.W dense_0.W dense_0.b logits.W logits.b "
[ "$(names tests/spirit/nextchar.dm)" = "$want" ] || { echo "nextchar params: $(names tests/spirit/nextchar.dm)"; status=1; }
exit $status
