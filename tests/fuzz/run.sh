#!/usr/bin/env bash
# run.sh: runs libFuzzer harnesses (make fuzz, fuzz-frontend, fuzz-load).
#
#   BUILD=build FUZZ_SECONDS=60 bash tests/fuzz/run.sh frontend load
#
# For each harness NAME: the seeds are written to $BUILD/fuzz/seeds-NAME
# (frontend: every .dm file of the repository and the regression cases;
# load: a valid checkpoint, a weights-only one, truncations of both, and the
# regression cases), the corpus grows in $BUILD/fuzz/corpus-NAME (kept between
# runs), crashing inputs land in $BUILD/fuzz/crashes/, the libFuzzer log in
# $BUILD/fuzz/logs/, and one line per run is appended to
# $BUILD/fuzz/history.txt (date, harness, seconds run, executions, outcome).
# Runs at nice 10 (FUZZ_NICE): the machine is shared.  Exits 1 if any
# harness found a crash, a leak, a timeout or a failed check.
set -u
cd "$(dirname "$0")/../.."
BUILD=${BUILD:-build}
FUZZ=$BUILD/fuzz
SECONDS_EACH=${FUZZ_SECONDS:-60}
NICE=${FUZZ_NICE:-10}
mkdir -p "$FUZZ/crashes" "$FUZZ/logs"
status=0

seed_frontend() {
    local dir=$1 f
    rm -rf "$dir"; mkdir -p "$dir"
    # Every .dm of the repository, named after its path (names collide otherwise).
    while IFS= read -r f; do
        cp "$f" "$dir/$(echo "${f#./}" | tr / _)"
    done < <(find . -name '*.dm' -not -path './build*' -not -path './.git/*' | sort)
    cp compiler/front/prelude.dm "$dir/prelude.dm" 2>/dev/null
    cp tests/fuzz/regressions/frontend/* "$dir/" 2>/dev/null
    true
}

seed_load() {
    local dir=$1
    rm -rf "$dir"; mkdir -p "$dir"
    "$FUZZ/replay_load" --seeds "$dir" || { echo "fuzz: cannot write the checkpoint seeds" >&2; exit 1; }
    cp tests/fuzz/regressions/load/* "$dir/" 2>/dev/null
    true
}

for name in "$@"; do
    bin=$FUZZ/fuzz_$name
    [ -x "$bin" ] || { echo "fuzz: $bin is not built (make fuzz-build)" >&2; exit 2; }
    seeds=$FUZZ/seeds-$name corpus=$FUZZ/corpus-$name
    mkdir -p "$corpus"
    "seed_$name" "$seeds"
    extra=()
    [ -f "tests/fuzz/$name.dict" ] && extra+=("-dict=tests/fuzz/$name.dict")
    log=$FUZZ/logs/$name-$(date -u +%Y%m%dT%H%M%S).log
    echo "fuzz: $name for ${SECONDS_EACH}s (log: $log)"
    t0=$(date +%s)
    nice -n "$NICE" "$bin" -max_total_time="$SECONDS_EACH" -timeout=10 -rss_limit_mb=2048 \
        -max_len=4096 -print_final_stats=1 -artifact_prefix="$FUZZ/crashes/$name-" \
        "${extra[@]}" "$corpus" "$seeds" >"$log" 2>&1
    rc=$?
    took=$(( $(date +%s) - t0 ))   # less than asked when a finding stops the run
    execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -n 1)
    [ -n "$execs" ] || execs=$(grep -o '#[0-9]*' "$log" | tail -n 1 | tr -d '#')
    if [ $rc = 0 ]; then outcome=clean
    else
        outcome="FOUND (exit $rc)"; status=1
        grep -E '^(==[0-9]+==ERROR|SUMMARY|fuzz_load: |.*runtime error:|artifact_prefix|Test unit written)' "$log" | head -n 20
        echo "fuzz: replay with: $bin <the crash file above>"
    fi
    echo "fuzz: $name: ${execs:-?} executions in ${took}s, $(ls "$corpus" | wc -l) corpus files: $outcome"
    printf '%s\t%s\t%s\t%s\t%s\n' "$(date -u +%FT%TZ)" "$name" "$took" "${execs:-?}" "$outcome" \
        >>"$FUZZ/history.txt"
done
exit $status
