#!/usr/bin/env bash
# examples/tinygpt against PyTorch: from the same initial parameters (dmc's
# checkpoint) and the same batches, examples/tinygpt/reference.py (the model
# written with torch.nn.functional, AdamW) must give each of the first 5 train
# steps' losses to 1e-4 relative; then the inference build (generate.dm, the
# same file with --no-train -D batch=1) loads the checkpoint and writes the
# asked number of characters.
set -euo pipefail
cd "$(dirname "$0")/../.."
exe=${BUILD:-build}/examples/tinygpt/tinygpt
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
"$exe" train --epochs 1 --steps 5 --val-batches 1 --dump "$tmp" --save "$tmp/tinygpt.safetensors" >"$tmp/train.out"
/usr/bin/python3 examples/tinygpt/reference.py --check "$tmp"
"$exe" generate --load "$tmp/tinygpt.safetensors" --prompt "Fortune: " --length 40 --seed 3 >"$tmp/text"
chars=$(head -c -1 "$tmp/text" | wc -c)
[ "$chars" -eq 49 ] || { echo "generate wrote $chars characters, not 9 + 40"; cat "$tmp/text"; exit 1; }
echo "tinygpt: 5 steps match PyTorch; generated: $(tr '\n' ' ' < "$tmp/text")"
