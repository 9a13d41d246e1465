#!/usr/bin/env bash
# fashion_mnist.test.sh: the real Fashion-MNIST files (Debian package
# dataset-fashion-mnist) read by libdmrt agree with Python's gzip module
# (counts, dims, the first labels, pixel sums, the mean), and damaged copies
# are rejected with a message naming the file and the problem.
set -eu
cd "$(dirname "$0")/../.."
BUILD=${BUILD:-build}
PY=${PYTHON:-/usr/bin/python3}
D=${FASHION_MNIST:-/usr/share/datasets/fashion-mnist}
if [ ! -f "$D/train-images-idx3-ubyte.gz" ]; then echo "skipped: no $D"; exit 0; fi
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
make -s BUILD="$BUILD" "$BUILD/libdmrt.a"
${CC:-cc} -std=c11 -D_GNU_SOURCE -O1 -Iruntime -o "$tmp/data_tool" tests/runtime/data_tool.c \
    "$BUILD/libdmrt.a" -lm -lpthread

status=0
expect() {  # expect WHAT FILE CONTENT: the tool's output must equal Python's
    if ! diff -u "$3" "$2" >"$tmp/diff"; then echo "FAIL $1"; cat "$tmp/diff"; status=1; fi
}
for set in train t10k; do
    "$tmp/data_tool" dataset "$D/$set-images-idx3-ubyte.gz" "$D/$set-labels-idx1-ubyte.gz" >"$tmp/$set.got"
    "$PY" - "$D" "$set" >"$tmp/$set.want" <<'PYEOF'
import gzip, sys
d, s = sys.argv[1], sys.argv[2]
img = gzip.open(f"{d}/{s}-images-idx3-ubyte.gz").read()
lab = gzip.open(f"{d}/{s}-labels-idx1-ubyte.gz").read()
n = int.from_bytes(img[4:8], "big"); rows = int.from_bytes(img[8:12], "big"); cols = int.from_bytes(img[12:16], "big")
assert int.from_bytes(lab[4:8], "big") == n
px = img[16:]
print(f"count {n} sample {rows} {cols}")
print(f"classes {max(lab[8:]) + 1}")
print("labels " + " ".join(str(b) for b in lab[8:18]))
# Pixels are float32(b / 255); the first image's sum to 6 decimals, the mean to 7
# (summation order differs from the C tool's; both are in double).
import numpy, struct
f32 = [struct.unpack("f", struct.pack("f", b / 255))[0] for b in range(256)]
print("first_image_sum %.6f" % sum(f32[b] for b in px[:rows * cols]))
hist = numpy.bincount(numpy.frombuffer(px, dtype=numpy.uint8), minlength=256)
print("mean %.7f" % (sum(f32[b] * int(hist[b]) for b in range(256)) / len(px)))
PYEOF
    expect "$set dataset" "$tmp/$set.got" "$tmp/$set.want"
done
grep -q "^count 60000 sample 28 28$" "$tmp/train.got" || { echo "FAIL train is not 60000 x 28 x 28"; status=1; }
grep -q "^count 10000 sample 28 28$" "$tmp/t10k.got" || { echo "FAIL t10k is not 10000 x 28 x 28"; status=1; }

# Damaged copies.
reject() {  # reject WHAT IMAGES LABELS TEXT
    set +e; "$tmp/data_tool" dataset "$2" "$3" >"$tmp/msg"; rc=$?; set -e
    if [ $rc != 2 ] || ! grep -qF "$4" "$tmp/msg"; then
        echo "FAIL $1: exit $rc, said: $(cat "$tmp/msg"), expected: $4"; status=1
    fi
}
L="$D/t10k-labels-idx1-ubyte.gz"; I="$D/t10k-images-idx3-ubyte.gz"
head -c 100000 "$I" >"$tmp/cut-images.gz"
reject "truncated gzip" "$tmp/cut-images.gz" "$L" "cut-images.gz: corrupt gzip data: unexpected end"
gzip -dc "$I" | head -c 7000000 >"$tmp/short-images"
reject "truncated IDX" "$tmp/short-images" "$L" "short-images: truncated: the IDX header promises 7840000 bytes of data, the file holds 6999984"
gzip -dc "$L" | head -c 8 >"$tmp/nolabels"; printf 'x' >>"$tmp/nolabels"
reject "truncated labels" "$I" "$tmp/nolabels" "nolabels: truncated"
reject "missing file" "$tmp/none.gz" "$L" "none.gz: cannot open: No such file or directory"
reject "labels for images" "$L" "$I" "an image file needs rank >= 2"
reject "wrong count" "$I" "$D/train-labels-idx1-ubyte.gz" "has 60000 labels but"
printf 'hello world, not idx' >"$tmp/text"
reject "not IDX" "$tmp/text" "$L" "text: not an IDX file"
gzip -dc "$I" | "$PY" -c "import sys; d=bytearray(sys.stdin.buffer.read()); d[2]=0x0d; sys.stdout.buffer.write(d)" >"$tmp/floats"
reject "float IDX" "$tmp/floats" "$L" "IDX element type 0x0d is not supported"
"$PY" -c "import sys; d=bytearray(open(sys.argv[1],'rb').read()); d[5000]^=0xff; open(sys.argv[2],'wb').write(d)" "$I" "$tmp/flipped.gz"
reject "flipped byte" "$tmp/flipped.gz" "$L" "flipped.gz: corrupt gzip data"
[ $status = 0 ] && echo ok
exit $status
