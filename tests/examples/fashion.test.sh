#!/usr/bin/env bash
# The Fashion-MNIST examples, quickly (a few hundred samples):
# 1. a run resumed from a checkpoint ends bit-identical to an uninterrupted one
#    (the oracle: the uninterrupted run);
# 2. classify, loading fashion_mlp's checkpoint into an inference-only object,
#    predicts what PyTorch predicts from the same checkpoint file;
# 3. classify serves fashion_cnn (dropout: its checkpoint holds optimizer and
#    generator state the inference object ignores) and predicts what PyTorch
#    predicts from the same checkpoint, dropout being the identity;
# 4. a missing data folder is a clear error naming the file, exit status 1.
set -euo pipefail
cd "$(dirname "$0")/../.."
E=${BUILD:-build}/examples
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT

$E/fashion_mlp/fashion_mlp --epochs 2 --train-limit 640 --seed 7 --save "$tmp/whole.st" >/dev/null
$E/fashion_mlp/fashion_mlp --epochs 2 --stop-after 1 --train-limit 640 --seed 7 --save "$tmp/part.st" >/dev/null
$E/fashion_mlp/fashion_mlp --epochs 2 --train-limit 640 --resume "$tmp/part.st" --save "$tmp/part.st" >/dev/null
cmp "$tmp/whole.st" "$tmp/part.st"
echo "resumed run is identical to the uninterrupted one"

$E/classify/classify "$tmp/whole.st" --first 100 --count 20 > "$tmp/classify.out"
/usr/bin/python3 - "$tmp/whole.st" "$tmp/classify.out" <<'PY'
import gzip, json, struct, sys, torch
path, out = sys.argv[1], open(sys.argv[2]).read().splitlines()
raw = open(path, "rb").read()
n = struct.unpack("<Q", raw[:8])[0]
header = json.loads(raw[8:8 + n]); data = raw[8 + n:]
meta = header.pop("__metadata__")
def tensor(name):
    h = header[name]; b, e = h["data_offsets"]
    return torch.frombuffer(bytearray(data[b:e]), dtype=torch.float32).reshape(h["shape"])
images = gzip.open("/usr/share/datasets/fashion-mnist/t10k-images-idx3-ubyte.gz").read()[16:]
x = torch.tensor(list(images[100 * 784:120 * 784]), dtype=torch.float32).reshape(20, 784) / 255
x = (x - float(meta["mean"])) / float(meta["std"])
h = torch.relu(x @ tensor("dense_0.W") + tensor("dense_0.b"))
h = torch.relu(h @ tensor("dense_1.W") + tensor("dense_1.b"))
probs = torch.softmax(h @ tensor("logits.W") + tensor("logits.b"), dim=1)
names = ["T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot"]
lines = [l for l in out if l.startswith("test #")]
assert len(lines) == 20, out
for i, line in enumerate(lines):
    k = int(probs[i].argmax())
    assert names[k] in line, (line, names[k])
    assert f"{100 * probs[i, k].item():5.1f}%" in line, (line, probs[i, k].item())
print("classify agrees with PyTorch on 20 test images")
PY

$E/fashion_cnn/fashion_cnn --epochs 1 --train-limit 256 --seed 3 --save "$tmp/cnn.st" >/dev/null
$E/classify/classify "$tmp/cnn.st" --first 40 --count 12 > "$tmp/classify_cnn.out"
/usr/bin/python3 - "$tmp/cnn.st" "$tmp/classify_cnn.out" <<'PY'
import gzip, json, struct, sys, torch
import torch.nn.functional as F
path, out = sys.argv[1], open(sys.argv[2]).read().splitlines()
raw = open(path, "rb").read()
n = struct.unpack("<Q", raw[:8])[0]
header = json.loads(raw[8:8 + n]); data = raw[8 + n:]
meta = header.pop("__metadata__")
assert meta["model"] == "cnn" and "rng/dropout" in header and "opt/lr" in header, header.keys()
def tensor(name):
    h = header[name]; b, e = h["data_offsets"]
    return torch.frombuffer(bytearray(data[b:e]), dtype=torch.float32).reshape(h["shape"])
images = gzip.open("/usr/share/datasets/fashion-mnist/t10k-images-idx3-ubyte.gz").read()[16:]
x = torch.tensor(list(images[40 * 784:52 * 784]), dtype=torch.float32).reshape(12, 1, 28, 28) / 255
x = (x - float(meta["mean"])) / float(meta["std"])
def block(x, p):
    return F.max_pool2d(F.relu(F.conv2d(x, tensor(p + ".W"), tensor(p + ".b"), padding=1)), 2)
h = block(block(x, "b1.conv2d_0"), "b2.conv2d_0").flatten(1)
h = F.relu(h @ tensor("dense_0.W") + tensor("dense_0.b"))
probs = torch.softmax(h @ tensor("logits.W") + tensor("logits.b"), dim=1)
names = ["T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot"]
lines = [l for l in out if l.startswith("test #")]
assert len(lines) == 12, out
for i, line in enumerate(lines):
    k = int(probs[i].argmax())
    assert names[k] in line, (line, names[k])
    assert f"{100 * probs[i, k].item():5.1f}%" in line, (line, probs[i, k].item())
print("classify serves fashion_cnn and agrees with PyTorch on 12 test images")
PY

if $E/fashion_mlp/fashion_mlp --data "$tmp/nowhere" > "$tmp/err" 2>&1; then
    echo "a missing data folder was not an error"; exit 1
fi
grep -q "nowhere/train-images-idx3-ubyte" "$tmp/err" || { cat "$tmp/err"; exit 1; }
echo "a missing data file is reported: $(head -1 "$tmp/err")"
