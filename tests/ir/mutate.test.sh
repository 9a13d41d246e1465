#!/usr/bin/env bash
# mutate.test.sh: bad IR never crashes the reader.  The final IR of three
# models (a CNN with dropout, an MLP, logistic regression) is mutated 120
# times with a fixed seed (a byte replaced, deleted or duplicated, a line
# deleted, duplicated or swapped with the next, a number or a label
# changed); dmc on each must exit 0 (the mutant is still a valid model) or
# 1 with a "FILE:LINE:COL: error:" diagnostic, never 2, 3 or a signal.
set -u
cd "$(dirname "$0")/../.."
DMC=${DMC:-$PWD/build/dmc}
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
"$DMC" --emit=ir tests/sema/example_lenet.dm -D batch=2 -o "$tmp/lenet.ir" || exit 1
"$DMC" --emit=ir tests/sema/example_mlp.dm -o "$tmp/mlp.ir" || exit 1
"$DMC" --emit=ir examples/logreg/logreg.dm --dump-after=sema -o "$tmp/discard" 2>"$tmp/logreg.ir" || exit 1
/usr/bin/python3 - "$DMC" "$tmp" <<'PY'
import random, re, subprocess, sys
dmc, tmp = sys.argv[1], sys.argv[2]
rng = random.Random(15)
sources = [open(f"{tmp}/{n}.ir", "rb").read() for n in ("lenet", "mlp", "logreg")]
def mutate(text):
    lines = text.split(b"\n")
    k = rng.randrange(8)
    i = rng.randrange(len(lines))
    if k == 0 and text:
        p = rng.randrange(len(text)); return text[:p] + bytes([rng.randrange(256)]) + text[p + 1:]
    if k == 1 and text:
        p = rng.randrange(len(text)); return text[:p] + text[p + 1:]
    if k == 2 and text:
        p = rng.randrange(len(text)); return text[:p] + text[p:p + 1] * rng.randrange(2, 40) + text[p:]
    if k == 3: del lines[i]
    elif k == 4: lines.insert(i, lines[i])
    elif k == 5 and i + 1 < len(lines): lines[i], lines[i + 1] = lines[i + 1], lines[i]
    elif k == 6: lines[i] = re.sub(rb"\d+", lambda m: str(rng.choice([0, 1, 2, 7, 99, -1, 2**31, 10**20])).encode(), lines[i], count=1)
    else: lines[i] = re.sub(rb"%\d+", lambda m: b"%" + str(rng.randrange(200)).encode(), lines[i], count=1)
    return b"\n".join(lines)
bad = 0
for n in range(120):
    text = rng.choice(sources)
    for _ in range(rng.randrange(1, 4)): text = mutate(text)
    path = f"{tmp}/m{n % 4}.ir"
    open(path, "wb").write(text)
    r = subprocess.run([dmc, path, "--emit=ir", "-o", f"{tmp}/out.ir"], capture_output=True)
    ok = r.returncode == 0 or (r.returncode == 1 and re.match(rb"[^:\n]+:\d+:\d+: error: |dmc: error: ", r.stderr))
    if not ok:
        bad += 1
        print(f"mutant {n}: exit {r.returncode}\n{r.stderr.decode(errors='replace')[:400]}")
print(f"120 mutants, {bad} bad")
sys.exit(1 if bad else 0)
PY
