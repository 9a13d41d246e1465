#!/usr/bin/env bash
# gzip_python.test.sh: libdmrt's own gzip/DEFLATE decoder against Python's
# gzip and zlib modules (the oracle): stored, fixed and dynamic Huffman
# blocks, every header field, several members, an empty file, a plain file;
# then damaged files, each rejected with the reason; then 300 random
# mutations, none of which may crash the decoder.
set -eu
cd "$(dirname "$0")/../.."
BUILD=${BUILD:-build}
PY=${PYTHON:-/usr/bin/python3}
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
make -s BUILD="$BUILD" "$BUILD/libdmrt.a"
${CC:-cc} -std=c11 -D_GNU_SOURCE -O1 -Iruntime -o "$tmp/data_tool" tests/runtime/data_tool.c \
    "$BUILD/libdmrt.a" -lm -lpthread

"$PY" - "$tmp" <<'PYEOF'
import gzip, os, random, struct, sys, zlib
d = sys.argv[1]
rng = random.Random(1)
text = b"".join(b"line %d: the quick brown fox jumps over the lazy dog\n" % i for i in range(5000))
noise = bytes(rng.getrandbits(8) for _ in range(200000))
runs = b"a" * 100000 + b"ab" * 50000 + bytes(range(256)) * 300

def deflate(data, level=6, strategy=zlib.Z_DEFAULT_STRATEGY):
    c = zlib.compressobj(level, zlib.DEFLATED, -15, 9, strategy)
    return c.compress(data) + c.flush()

def member(data, raw=None, flags=0, extra=b"", name=b"", comment=b""):
    h = bytes([0x1f, 0x8b, 8, flags]) + b"\0\0\0\0\0\3"
    if flags & 4: h += struct.pack("<H", len(extra)) + extra
    if flags & 8: h += name + b"\0"
    if flags & 16: h += comment + b"\0"
    if flags & 2: h += struct.pack("<H", zlib.crc32(h) & 0xffff)
    body = raw if raw is not None else deflate(data)
    return h + body + struct.pack("<II", zlib.crc32(data), len(data) & 0xffffffff)

good = {
    "empty": (gzip.compress(b""), b""),
    "text": (gzip.compress(text), text),
    "noise": (gzip.compress(noise), noise),
    "stored": (gzip.compress(text, compresslevel=0), text),
    "fixed": (member(text, deflate(text, 9, zlib.Z_FIXED)), text),
    "huffman_only": (member(noise[:5000] + text, deflate(noise[:5000] + text, 6, zlib.Z_HUFFMAN_ONLY)), noise[:5000] + text),
    "rle": (member(runs, deflate(runs, 6, zlib.Z_RLE)), runs),
    "runs": (gzip.compress(runs, compresslevel=9), runs),
    "all_fields": (member(text, flags=2 | 4 | 8 | 16, extra=b"xy\2\0hi", name=b"file.txt", comment=b"a comment"), text),
    "two_members": (gzip.compress(text) + gzip.compress(noise[:1000]), text + noise[:1000]),
    "plain": (text, text),
}
for k, (z, plain) in good.items():
    open(f"{d}/{k}.gz", "wb").write(z)
    open(f"{d}/{k}.want", "wb").write(plain)
    assert gzip.decompress(z) == plain if z[:2] == b"\x1f\x8b" else True

z = gzip.compress(text)
bad = {
    "truncated": (z[: len(z) // 2], "unexpected end"),
    "no_trailer": (z[:-8], "truncated gzip trailer"),
    "crc": (z[:-8] + bytes([z[-8] ^ 1]) + z[-7:], "CRC-32 mismatch"),
    "isize": (z[:-4] + bytes([z[-4] ^ 1]) + z[-3:], "length mismatch"),
    "method": (z[:2] + b"\7" + z[3:], "unknown compression method"),
    "reserved_flag": (z[:3] + b"\x80" + z[4:], "reserved header flags"),
    "header_only": (z[:6], "truncated gzip header"),
    "trailing_garbage": (z + b"garbage", "bad magic"),
    "block_type_3": (member(b"", raw=b"\x07"), "invalid block type 3"),
    "header_crc": (member(text, flags=2)[:10] + b"\0\0" + member(text, flags=2)[12:], "header checksum"),
    "stored_len": (member(b"abc", raw=b"\x01\x03\x00\x00\x00abc"), "length check"),
    "far_back_reference": (member(b"", raw=bytes([0x03, 0x62, 0x00, 0x00])), "before the start"),
    "flipped": (z[:40] + bytes([z[40] ^ 0x10]) + z[41:], "corrupt gzip data"),
}
for k, (data, why) in bad.items():
    open(f"{d}/bad_{k}.gz", "wb").write(data)
    open(f"{d}/bad_{k}.why", "w").write(why)

small = gzip.compress(text[:3000])
for i in range(300):
    m = bytearray(small)
    for _ in range(rng.randint(1, 4)):
        m[rng.randrange(len(m))] = rng.getrandbits(8)
    if rng.random() < 0.3:
        m = m[: rng.randrange(len(m))]
    open(f"{d}/fuzz_{i}.gz", "wb").write(bytes(m))
PYEOF

status=0
for want in "$tmp"/*.want; do
    k=$(basename "$want" .want)
    if ! "$tmp/data_tool" read "$tmp/$k.gz" "$tmp/$k.out" >"$tmp/msg"; then
        echo "FAIL $k: $(cat "$tmp/msg")"; status=1
    elif ! cmp -s "$want" "$tmp/$k.out"; then
        echo "FAIL $k: output differs from Python's"; status=1
    fi
done
for why in "$tmp"/bad_*.why; do
    k=$(basename "$why" .why)
    set +e; "$tmp/data_tool" read "$tmp/$k.gz" "$tmp/$k.out" >"$tmp/msg"; rc=$?; set -e
    if [ $rc != 2 ] || ! grep -qF "$(cat "$why")" "$tmp/msg" || ! grep -qF "$k.gz" "$tmp/msg"; then
        echo "FAIL $k: exit $rc, said: $(cat "$tmp/msg"), expected: $(cat "$why")"; status=1
    fi
done
for f in "$tmp"/fuzz_*.gz; do
    set +e; "$tmp/data_tool" read "$f" "$tmp/fuzz.out" >/dev/null; rc=$?; set -e
    if [ $rc != 0 ] && [ $rc != 2 ]; then echo "FAIL $(basename "$f"): exit $rc (crash?)"; status=1; fi
done
[ $status = 0 ] && echo ok
exit $status
