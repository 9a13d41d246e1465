#!/usr/bin/env bash
# limits.test.sh: inputs far past the front end's limits (docs/diagnostics.md)
# end in a diagnostic and exit status 1, quickly and in bounded memory, never
# in a crash or a stack overflow.
set -u
DMC=${DMC:-build/dmc}
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
status=0

# expect NAME MESSAGE: dmc on $tmp/NAME.dm exits 1 and prints MESSAGE.
expect() {
    local rc
    # (No address-space limit under make check-sanitize: ASan reserves terabytes of shadow.)
    ( [ -n "${DM_SANITIZE:-}" ] || ulimit -v 2000000; timeout 30 "$DMC" "$tmp/$1.dm" -o "$tmp/out.o" ) >/dev/null 2>"$tmp/$1.err"
    rc=$?
    if [ $rc != 1 ]; then echo "$1: exit status $rc, expected 1"; head -c 400 "$tmp/$1.err"; status=1
    elif ! grep -q "$2" "$tmp/$1.err"; then echo "$1: no '$2' in:"; head -c 400 "$tmp/$1.err"; status=1
    fi
    [ -e "$tmp/out.o" ] && { echo "$1: an output file was written"; status=1; }
}

python3 - "$tmp" <<'EOF'
import sys
d = sys.argv[1]
def write(name, text):
    with open(f"{d}/{name}.dm", "w") as f:
        f.write(text)
write("parens", "model m {\n  x = " + "(" * 100000 + "1" + ")" * 100000 + "\n}\n")
write("brackets", "model m {\n  param p : f32[1] = " + "[" * 100000 + "1" + "]" * 100000 + "\n}\n")
write("calls", "model m {\n  x = " + "f(" * 50000 + "1" + ")" * 50000 + "\n}\n")
write("minuses", "model m {\n  x = " + "-" * 1000000 + "1\n}\n")
write("sum", "model m {\n  x = " + "1+" * 4000000 + "1\n}\n")
write("name", "model m {\n  " + "a" * 100000 + " = 1\n}\n")
write("number", "model m {\n  x = " + "1" * 100000 + "\n}\n")
with open(f"{d}/huge.dm", "w") as f:
    f.write("# " + "x" * (16 << 20) + "\n")
EOF

expect parens "brackets nested too deeply"
expect brackets "brackets nested too deeply"
expect calls "brackets nested too deeply"
expect minuses "expression nested too deeply"
expect sum "expression nested too deeply"
expect name "name too long"
expect number "number too long"
expect huge "file too large"
exit $status
