#!/bin/sh
# demo.sh: what `make demo` shows once everything is built: a real network
# trained on real data from a C program, then deployed.
set -e
B=${BUILD:-build}
E=$B/examples
CKPT=$B/demo/fashion_mlp.safetensors
mkdir -p "$B/demo"
say() { printf '\n\033[1m== %s\033[0m\n' "$*"; }

say "1. dmc compiled examples/fashion_mlp/fashion_mlp.dm (784-256-128-10, Adam) into one object"
echo "   holding the forward pass, the fused train step, the gradients and the update;"
echo "   the C program examples/fashion_mlp/main.c links it with libdmrt.a. Training 3 epochs"
echo "   on the 60000 Fashion-MNIST images, testing on the 10000 others:"
"$E/fashion_mlp/fashion_mlp" --epochs 3 --save "$CKPT"

say "2. The checkpoint is safetensors; a few lines of Python read it (tensors, shapes):"
/usr/bin/python3 - "$CKPT" <<'PY' || echo "   (python3 not available here)"
import json, struct, sys
raw = open(sys.argv[1], "rb").read()
header = json.loads(raw[8:8 + struct.unpack("<Q", raw[:8])[0]])
meta = header.pop("__metadata__")
print(f"   model {meta['model']!r} after epoch {meta['epoch']}:",
      ", ".join(f"{k} {v['shape']}" for k, v in header.items() if not k.startswith("opt/")))
PY
say "3. Deployment: classify links an inference-only object (dmc --no-train -D batch=1)"
echo "   of the same model, loads that checkpoint and classifies test images:"
"$E/classify/classify" "$CKPT" --first 0 --count 10

say "4. The seed's logistic model, the first example (examples/logreg), trained exactly as PyTorch would:"
"$E/logreg/logreg" | tail -3
echo
echo "Next: README.md's tour, docs/examples.md (every example and its measured accuracy), make test."
