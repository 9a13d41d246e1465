#!/bin/sh
# demo.sh: what `make demo` shows after building: the seed's logistic model,
# compiled by dmc and trained from C, next to what the model says.
set -e
B=${BUILD:-build}
echo "== dmc compiled examples/logreg/logreg.dm into $B/examples/logreg/logreg.o"
echo "== and linked it with examples/logreg/main.c and libdmrt.a. Training:"
"$B/examples/logreg/logreg"
echo "== PyTorch, trained the same way, prints the same numbers (make test checks it)."
