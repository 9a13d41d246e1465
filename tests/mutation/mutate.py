#!/usr/bin/python3
"""mutate.py: the mutation test of make test (run by mutate.test.sh).

Makes a few hundred broken variants of the repository's .dm files with a
fixed seed (byte flips, token deletions, duplications and swaps,
truncations, deep nesting, huge numbers, long identifiers, stray bytes) and
compiles each with dmc under a 10 s timeout.  Every run must end with exit
status 0 or 1 -- never a signal, 2 or 3 (internal error), nor a hang -- an
exit 1 must print an `error:` on stderr, and a failed compilation must not
leave an output file behind.  Most variants stop at --emit=ir; every
OBJ_EVERY-th goes through code generation to an object.

usage: mutate.py DMC SCRATCH_DIR FAILURE_DIR   (env: MUTANTS, MUTATION_SEED, JOBS)
Exits 0 when every variant passed; otherwise prints each failure and saves
its input (and what went wrong) in FAILURE_DIR.
"""
import concurrent.futures
import os
import random
import re
import subprocess
import sys
import time

MUTANTS = int(os.environ.get("MUTANTS", "300"))
SEED = int(os.environ.get("MUTATION_SEED", "20261128"))
JOBS = int(os.environ.get("JOBS", "2"))
OBJ_EVERY = 20
TIMEOUT = 10

TOKEN = re.compile(rb"[A-Za-z_][A-Za-z0-9_]*|\d+(?:\.\d*)?(?:[eE][-+]?\d+)?|\.\d+(?:[eE][-+]?\d+)?"
                   rb"|#[^\n]*|\n|[ \t]+|.", re.S)
IDENT = re.compile(rb"[A-Za-z_][A-Za-z0-9_]*\Z")
NUMBER = re.compile(rb"[\d.]")
HUGE_NUMBERS = [b"1e999", b"99999999999999999999999999", b"1e-400", b"2147483648", b"4294967297",
                b"9223372036854775808", b"0.0000000000000000000001", b"-0", b"0", b"1e308", b"00000000001"]
STRAY = [b"\x00", b"\xff", b"\xc3", b"\xe2\x80\xa8", b"\r", b"\t", b"\\", b"\"", b"'", b"$", b"`", b"{", b"}",
         b"(", b")", b"[", b"]", b",", b":", b"=", b"@", b"\n", b"-", b"."]
WORDS = [b"model", b"layer", b"const", b"input", b"param", b"output", b"loss", b"optimizer", b"return",
         b"f32", b"i32", b"true", b"false", b"Dense", b"Conv2d", b"relu", b"softmax", b"reshape", b"sum",
         b"conv2d", b"maxpool2d", b"dropout", b"one_hot", b"adam", b"sgd", b"xavier", b"axis", b"-1"]


def repository_sources(root):
    found = []
    for top in ("examples", "tests", "compiler", "bench", "docs"):
        for folder, dirs, files in os.walk(os.path.join(root, top)):
            dirs[:] = sorted(d for d in dirs if d not in ("regressions",) and not d.startswith("build"))
            found += [os.path.join(folder, f) for f in sorted(files) if f.endswith(".dm")]
    return sorted(found)


def tokens(text):
    return TOKEN.findall(text)


def pick_token(rng, toks, want=None):
    """Index of a random token (matching want if given and possible), skipping whitespace."""
    candidates = [i for i, t in enumerate(toks) if not t.isspace() and (want is None or want(t))]
    return rng.choice(candidates) if candidates else None


def byte_flips(rng, text):
    data = bytearray(text)
    for _ in range(rng.randint(1, 4)):
        if not data:
            break
        i = rng.randrange(len(data))
        data[i] = data[i] ^ (1 << rng.randrange(8)) if rng.random() < 0.5 else rng.randrange(256)
    return bytes(data), "byte flips"


def token_delete(rng, text):
    toks = tokens(text)
    for _ in range(rng.randint(1, 3)):
        i = pick_token(rng, toks)
        if i is not None:
            del toks[i]
    return b"".join(toks), "token deletions"


def token_duplicate(rng, text):
    toks = tokens(text)
    i = pick_token(rng, toks)
    if i is not None:
        toks.insert(i, toks[i] * rng.choice([1, 1, 2, 50]))
    return b"".join(toks), "token duplication"


def token_swap(rng, text):
    toks = tokens(text)
    i, j = pick_token(rng, toks), pick_token(rng, toks)
    if i is not None and j is not None:
        toks[i], toks[j] = toks[j], toks[i]
    return b"".join(toks), "token swap"


def token_insert(rng, text):
    toks = tokens(text)
    i = rng.randrange(len(toks) + 1)
    toks.insert(i, rng.choice(WORDS + STRAY))
    return b"".join(toks), "token insertion"


def truncate(rng, text):
    return text[:rng.randrange(len(text) + 1)], "truncation"


def line_shuffle(rng, text):
    lines = text.split(b"\n")
    i, j = rng.randrange(len(lines)), rng.randrange(len(lines))
    if rng.random() < 0.5:
        lines[i], lines[j] = lines[j], lines[i]
    else:
        lines.insert(i, lines[j])
    return b"\n".join(lines), "line swap or duplication"


def huge_number(rng, text):
    toks = tokens(text)
    i = pick_token(rng, toks, lambda t: NUMBER.match(t) is not None)
    if i is None:
        return byte_flips(rng, text)
    toks[i] = rng.choice(HUGE_NUMBERS)
    return b"".join(toks), "huge number"


def long_identifier(rng, text):
    toks = tokens(text)
    i = pick_token(rng, toks, lambda t: IDENT.match(t) is not None)
    if i is None:
        return byte_flips(rng, text)
    toks[i] = toks[i] + b"x" * rng.choice([300, 5000, 100000])
    return b"".join(toks), "long identifier"


def deep_nesting(rng, text):
    """Wraps an expression (the right-hand side of a binding, or an operand) in deep nesting."""
    depth = rng.choice([200, 1000, 5000, 20000])
    kind = rng.choice(["paren", "neg", "call", "array", "binary"])
    toks = tokens(text)
    i = pick_token(rng, toks, lambda t: IDENT.match(t) is not None or NUMBER.match(t) is not None)
    if i is None:
        return byte_flips(rng, text)
    x = toks[i]
    if kind == "paren":
        x = b"(" * depth + x + b")" * depth
    elif kind == "neg":
        x = b"-" * depth + x
    elif kind == "call":
        x = b"relu(" * depth + x + b")" * depth
    elif kind == "array":
        x = b"[" * depth + x + b"]" * depth
    else:
        x = b" + ".join([x] * depth)
    toks[i] = x
    return b"".join(toks), f"deep nesting ({kind} x{depth})"


def many_statements(rng, text):
    """A model with thousands of bindings chained one after the other."""
    n = rng.choice([2000, 10000])
    body = b"\n".join(b"  h%d = relu(h%d)" % (k + 1, k) for k in range(n))
    return (b"model chain {\n  input h0 : f32[2, 3]\n" + body + b"\n  output o = h%d\n}\n" % n,
            f"{n} chained statements")


MUTATIONS = [byte_flips, token_delete, token_duplicate, token_swap, token_insert, truncate, line_shuffle,
             huge_number, long_identifier, deep_nesting]


def compiles(dmc, path):
    r = subprocess.run([dmc, "--emit=ir", path, "-o", os.devnull], stdin=subprocess.DEVNULL,
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, timeout=60)
    return r.returncode == 0


def make_mutants(rng, sources, valid):
    """Half of the mutants start from a source that compiles, so that they reach sema and the passes."""
    texts = [(path, open(path, "rb").read()) for path in sources]
    texts = [(p, t) for p, t in texts if t]
    good = [(p, t) for p, t in texts if p in valid] or texts
    mutants = []
    for k in range(MUTANTS):
        path, text = good[(k // 2) % len(good)] if k % 2 == 0 else texts[(k // 2) % len(texts)]
        if k % 97 == 96:
            data, what = many_statements(rng, text)
        else:
            mutate = MUTATIONS[k % len(MUTATIONS)] if k < 2 * len(MUTATIONS) else rng.choice(MUTATIONS)
            data, what = mutate(rng, text)
            if rng.random() < 0.3:  # a second mutation on top, now and then
                data, more = rng.choice(MUTATIONS)(rng, data)
                what += " + " + more
        mutants.append((k, path, what, data))
    return mutants


def check(dmc, scratch, mutant):
    """Compiles one mutant; returns dmc's exit status (0 or 1), or what went wrong and the stderr."""
    k, path, what, data = mutant
    src = os.path.join(scratch, f"m{k}.dm")
    with open(src, "wb") as f:
        f.write(data)
    emit_obj = k % OBJ_EVERY == OBJ_EVERY - 1
    out = os.path.join(scratch, f"m{k}.o" if emit_obj else f"m{k}.ir")
    cmd = [dmc, src, "-o", out] if emit_obj else [dmc, "--emit=ir", src, "-o", out]
    try:
        r = subprocess.run(cmd, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                           timeout=TIMEOUT)
    except subprocess.TimeoutExpired as e:
        return f"hang: no answer within {TIMEOUT} s", e.stderr or b""
    err = r.stderr
    leftovers = [f for f in os.listdir(scratch) if f.startswith(f"m{k}.") and ".tmp-" in f]
    try:
        if r.returncode < 0:
            return f"killed by signal {-r.returncode}", err
        if r.returncode not in (0, 1):
            return f"exit status {r.returncode} (expected 0 or 1)", err
        if r.returncode == 1 and b"error:" not in err:
            return "exit status 1 without an 'error:' on stderr", err
        if r.returncode == 1 and os.path.exists(out):
            return "failed compilation left its output file behind", err
        if leftovers:
            return f"temporary files left behind: {leftovers}", err
        return r.returncode
    finally:
        for f in [src, out, out + ".h", out[:-2] + ".h"] + [os.path.join(scratch, f) for f in leftovers]:
            if os.path.exists(f):
                os.unlink(f)


def main():
    dmc, scratch, failures = sys.argv[1:4]
    root = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    sources = repository_sources(root)
    if not sources:
        print("mutate: no .dm files found", file=sys.stderr)
        return 1
    rng = random.Random(SEED)
    with concurrent.futures.ThreadPoolExecutor(JOBS) as pool:
        valid = {p for p, ok in zip(sources, pool.map(lambda p: compiles(dmc, p), sources)) if ok}
    mutants = make_mutants(rng, sources, valid)
    os.makedirs(scratch, exist_ok=True)
    start = time.time()
    failed = 0
    statuses = {}
    with concurrent.futures.ThreadPoolExecutor(JOBS) as pool:
        results = pool.map(lambda m: (m, check(dmc, scratch, m)), mutants)
        for (k, path, what, data), problem in results:
            if isinstance(problem, int):
                statuses[problem] = statuses.get(problem, 0) + 1
                continue
            failed += 1
            why, err = problem
            os.makedirs(failures, exist_ok=True)
            saved = os.path.join(failures, f"m{k}.dm")
            with open(saved, "wb") as f:
                f.write(data)
            with open(saved + ".why", "w") as f:
                f.write(f"{why}\nmutant {k} of {os.path.relpath(path, root)}: {what}\n")
                f.write(err.decode("utf-8", "replace")[-4000:])
            print(f"FAIL mutant {k} ({os.path.relpath(path, root)}: {what}): {why}; input saved as {saved}")
            for line in err.decode("utf-8", "replace").splitlines()[-8:]:
                print("    " + line[:300])
    print(f"mutate: {len(mutants)} mutants of {len(sources)} files ({len(valid)} valid, seed {SEED}): "
          f"{statuses.get(0, 0)} compiled, {statuses.get(1, 0)} rejected with errors, {failed} failed; "
          f"{time.time() - start:.1f} s")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
