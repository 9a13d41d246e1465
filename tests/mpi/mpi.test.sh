#!/usr/bin/env bash
# mpi.test.sh: data-parallel training over MPI (libdmrt_mpi, docs/distributed.md).
#
# The oracle is one plain process: p ranks with batch B/p each must end
# where one process with batch B ends after the same 10 Adam steps on the
# same samples (the mean of the ranks' gradients of mean losses is the
# full batch's gradient), within 1e-5 relative per tensor (compare.py, its
# own safetensors reader).  Then: the same over TCP on the loopback
# interface, a negative control (no allreduce must differ), resuming on
# another number of ranks, the per-rank dropout keys against a Python
# implementation of their documented rule, failures (a rank's non-finite
# gradients, a rank that exits, a rank that is killed) that must stop every
# rank quickly and leave the checkpoint alone, and ranks running different
# models.  Each for both ways of averaging the gradients: in MPI-3 shared
# memory (the default for ranks on one machine, and across simulated nodes
# with DM_MPI_NODE_RANKS) and by MPI_Allreduce (DM_MPI_SHARED=0).
set -u
cd "$(dirname "$0")/../.."
# Under make check-sanitize: Open MPI's components (loaded and unloaded by
# MPI_Init and MPI_Finalize) leave allocations LeakSanitizer reports, with no
# module to suppress them by; our own code's leaks are checked by every
# other case.
[ -n "${DM_SANITIZE:-}" ] && export ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0"
BUILD=${BUILD:-build}
DMC=${DMC:-$PWD/$BUILD/dmc}
PYTHON=${PYTHON:-/usr/bin/python3}
tool=$BUILD/tests/tools/mpi_train
command -v mpirun >/dev/null || { echo "mpirun not found: install openmpi-bin and libopenmpi-dev (make setup)"; exit 1; }
[ -x "$tool" ] || { echo "$tool not built (make tests-build builds it when mpicc exists)"; exit 1; }
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
export OMPI_MCA_pml=ob1 OMPI_MCA_btl=self,vader   # shared memory, without probing UCX (a second per launch)
t=$(mktemp -d); trap 'rm -rf "$t"' EXIT
status=0
fail() { echo "FAIL: $*"; status=1; }
mpi() { timeout 120 mpirun --oversubscribe "$@" </dev/null; }  # mpirun would read the runner's stdin

compile() {  # compile MODEL BATCH [dmc flags...]: $t/MODEL_BATCH.so
    local model=$1 batch=$2; shift 2
    "$DMC" "$@" -D batch="$batch" "tests/mpi/$model.dm" -o "$t/${model}_$batch.o" &&
        cc -shared -o "$t/${model}_$batch.so" "$t/${model}_$batch.o" || { fail "dmc $model batch $batch"; return 1; }
}

close() {  # close A B [TOL]: checkpoints within TOL (default 1e-5)
    "$PYTHON" tests/mpi/compare.py "$@" >"$t/why" || fail "$1 vs $2: $(cat "$t/why")"
}

losses_close() {  # losses_close A B: the printed losses within 1e-5 relative
    "$PYTHON" - "$1" "$2" <<'EOF' || fail "losses of $1 and $2 differ"
import sys
a, b = ([float(l.split()[3]) for l in open(p) if l.startswith("step ")] for p in sys.argv[1:3])
sys.exit(0 if len(a) == len(b) == 10 and all(abs(x - y) <= 1e-5 * abs(y) for x, y in zip(a, b)) else 1)
EOF
}

# Every model first, two compilations at a time (the mlp checks numerics,
# for the failure cases at the end; the arithmetic is the same).
compile mlp 12 --check-numerics & compile mlp 6 --check-numerics & wait
compile mlp 4 --check-numerics & compile cnn 12 & wait
compile cnn 6 & compile cnn 4 & wait
compile dropout 4
for m in mlp_12 mlp_6 mlp_4 cnn_12 cnn_6 cnn_4 dropout_4; do [ -f "$t/$m.so" ] || exit 1; done

for model in mlp cnn; do
    "$tool" "$t/${model}_12.so" $model --local --save "$t/ref.st" >"$t/ref.out" || fail "$model local run"
    for p in 2 3; do
        mpi -np $p "$tool" "$t/${model}_$((12 / p)).so" $model --save "$t/np$p.st" >"$t/np$p.out" ||
            fail "$model -np $p"
        close "$t/np$p.st" "$t/ref.st"
        losses_close "$t/np$p.out" "$t/ref.out"
    done
    # The network path: TCP over the loopback interface, no shared memory.
    mpi -np 2 --mca btl tcp,self --mca btl_tcp_if_include lo "$tool" "$t/${model}_6.so" $model \
        --save "$t/tcp.st" >/dev/null || fail "$model over tcp"
    close "$t/tcp.st" "$t/ref.st"
    mpi -np 2 --mca btl tcp,self --mca btl_tcp_if_include lo "$tool" "$t/${model}_6.so" $model --overlap \
        --save "$t/tcp_over.st" >/dev/null || fail "$model over tcp, overlapped"
    cmp -s "$t/tcp_over.st" "$t/tcp.st" || fail "$model over tcp: the overlapped step differs from the plain one"
    # Overlapped with the backward pass: the same buckets and calls, so the
    # same bits as the plain step (the mlp is a --check-numerics build,
    # which reports its gradients at the end: both cases are covered).
    for p in 2 3; do
        mpi -np $p "$tool" "$t/${model}_$((12 / p)).so" $model --overlap --save "$t/over$p.st" >"$t/over$p.out" ||
            fail "$model -np $p --overlap"
        cmp -s "$t/over$p.st" "$t/np$p.st" || fail "$model -np $p: the overlapped step differs from the plain one"
        cmp -s "$t/over$p.out" "$t/np$p.out" || fail "$model -np $p: the overlapped losses differ"
    done
    # The runs above place every rank's instance in shared memory (dm_mpi_new)
    # and average there.  The MPI path (instances of dm_new: DM_MPI_SHARED=0,
    # as on machines of one rank each) must reach the same reference, its
    # overlapped step the same bits as its plain one; on 2 ranks both paths
    # compute every mean as (a + b) / 2, so their results are identical.
    for p in 2 3; do
        DM_MPI_SHARED=0 mpi -np $p "$tool" "$t/${model}_$((12 / p)).so" $model --save "$t/private$p.st" \
            >"$t/private$p.out" || fail "$model -np $p, MPI path"
        close "$t/private$p.st" "$t/ref.st"
        losses_close "$t/private$p.out" "$t/ref.out"
        DM_MPI_SHARED=0 mpi -np $p "$tool" "$t/${model}_$((12 / p)).so" $model --overlap \
            --save "$t/private_over$p.st" >/dev/null || fail "$model -np $p, MPI path, overlapped"
        cmp -s "$t/private_over$p.st" "$t/private$p.st" ||
            fail "$model -np $p, MPI path: the overlapped step differs from the plain one"
    done
    cmp -s "$t/np2.st" "$t/private2.st" || fail "$model -np 2: the shared-memory mean differs from MPI's"
    cmp -s "$t/np2.out" "$t/private2.out" || fail "$model -np 2: the shared-memory losses differ from MPI's"
    DM_MPI_SHARED=0 mpi -np 2 --mca btl tcp,self --mca btl_tcp_if_include lo "$tool" "$t/${model}_6.so" $model \
        --save "$t/tcp_private.st" >/dev/null || fail "$model over tcp, MPI path"
    cmp -s "$t/tcp_private.st" "$t/np2.st" || fail "$model over tcp, MPI path: differs from shared memory"
    # Several machines, simulated: "nodes" of 2 consecutive ranks, {0, 1} and
    # {2}: the node sums in shared memory, the leaders' MPI_Allreduce.
    DM_MPI_NODE_RANKS=2 mpi -np 3 "$tool" "$t/${model}_4.so" $model --print-node --save "$t/nodes.st" \
        >"$t/nodes.out" || fail "$model on 2 simulated nodes"
    for want in "rank 0 shares memory with 2 ranks, 2 nodes" "rank 1 shares memory with 2 ranks, 2 nodes" \
        "rank 2 shares memory with 1 ranks, 2 nodes"; do
        grep -qx "$want" "$t/nodes.out" || fail "$model on 2 simulated nodes: no '$want' in $(cat "$t/nodes.out")"
    done
    close "$t/nodes.st" "$t/ref.st"
    losses_close "$t/nodes.out" "$t/ref.out"
    DM_MPI_NODE_RANKS=2 mpi -np 3 "$tool" "$t/${model}_4.so" $model --overlap --save "$t/nodes_over.st" \
        >/dev/null || fail "$model on 2 simulated nodes, overlapped"
    cmp -s "$t/nodes_over.st" "$t/nodes.st" || fail "$model on 2 simulated nodes: the overlapped step differs"
    # The leaders over TCP: 2 leaders add each element once, so the same bits.
    DM_MPI_NODE_RANKS=2 mpi -np 3 --mca btl tcp,self --mca btl_tcp_if_include lo "$tool" "$t/${model}_4.so" \
        $model --save "$t/nodes_tcp.st" >/dev/null || fail "$model on 2 simulated nodes over tcp"
    cmp -s "$t/nodes_tcp.st" "$t/nodes.st" || fail "$model on 2 simulated nodes: tcp differs from shared memory"
    [ $model = mlp ] || continue
    # Which path ran: shared memory by default, MPI with DM_MPI_SHARED=0.
    mpi -np 2 "$tool" "$t/${model}_6.so" $model --steps 1 --print-node >"$t/where" || fail "$model --print-node"
    grep -qx "rank 1 shares memory with 2 ranks, 1 nodes" "$t/where" || fail "not in shared memory: $(cat "$t/where")"
    DM_MPI_SHARED=0 mpi -np 2 "$tool" "$t/${model}_6.so" $model --steps 1 --print-node >"$t/where" ||
        fail "$model --print-node, MPI path"
    grep -qx "rank 1 shares memory with 0 ranks, 0 nodes" "$t/where" || fail "DM_MPI_SHARED=0: $(cat "$t/where")"
    # An MPI without shared windows (Open MPI's osc/sm left out): dm_mpi_new
    # falls back to dm_new, and the MPI path gives the 2-rank bits.  Open MPI
    # then loads osc/ucx, whose libucm patches mmap's code at load time; under
    # check-sanitize that patching jumps into ASan's interceptor and crashes
    # in libucm (ucm_bistro_patch, before main), so UCX's hooks are turned off there.
    ucx=(); [ -z "${DM_SANITIZE:-}" ] || ucx=(UCX_MEM_MMAP_HOOK_MODE=none UCX_MEM_MALLOC_HOOKS=no)
    env "${ucx[@]}" timeout 120 mpirun --oversubscribe -np 2 --mca osc ^sm "$tool" "$t/${model}_6.so" $model \
        --print-node --save "$t/no_window.st" >"$t/where" </dev/null ||
        fail "$model without osc/sm"
    grep -qx "rank 1 shares memory with 0 ranks, 0 nodes" "$t/where" || fail "without osc/sm: $(cat "$t/where")"
    cmp -s "$t/no_window.st" "$t/np2.st" || fail "$model without osc/sm: differs from the shared-memory run"
    # One rank is exactly the plain process.
    mpi -np 1 "$tool" "$t/${model}_12.so" $model --save "$t/np1.st" >/dev/null || fail "$model -np 1"
    close "$t/np1.st" "$t/ref.st" 0
    # Negative control: without the allreduce each rank follows its half batch.
    mpi -np 2 "$tool" "$t/${model}_6.so" $model --no-allreduce --save "$t/alone.st" >/dev/null
    "$PYTHON" tests/mpi/compare.py "$t/alone.st" "$t/ref.st" 1e-3 >/dev/null &&
        fail "$model: training without the allreduce matched the full batch"
    # Resuming on another number of ranks: 5 steps on 3, then 5 on 2.
    mpi -np 3 "$tool" "$t/${model}_4.so" $model --steps 5 --save "$t/half.st" >/dev/null || fail "$model first half"
    mpi -np 2 "$tool" "$t/${model}_6.so" $model --steps 5 --resume "$t/half.st" --save "$t/resumed.st" >/dev/null ||
        fail "$model resumed"
    close "$t/resumed.st" "$t/ref.st"
done

# Dropout: rank 0 keeps the seed's key, rank r > 0 uses dm_mpi_rank_key's rule
# (recomputed here); two runs are identical; the replicas agree (checked by
# the tool with dm_mpi_check_replicas, which would fail the run).
"$tool" "$t/dropout_4.so" drop --local --steps 1 --print-keys >"$t/keys1" || fail "dropout local"
for run in a b; do
    mpi -np 3 "$tool" "$t/dropout_4.so" drop --print-keys --save "$t/drop_$run.st" >"$t/keys_$run" ||
        fail "dropout -np 3"
done
cmp -s "$t/drop_a.st" "$t/drop_b.st" || fail "two dropout runs on 3 ranks differ"
"$PYTHON" - "$t/keys1" "$t/keys_a" <<'EOF' || fail "dropout keys: $(cat "$t/keys_a")"
import sys
def mix(z):
    m = (1 << 64) - 1
    z = ((z ^ (z >> 30)) * 0xbf58476d1ce4e5b9) & m
    z = ((z ^ (z >> 27)) * 0x94d049bb133111eb) & m
    return z ^ (z >> 31)
seed_key = int(open(sys.argv[1]).read().split("key ")[1].split()[0])
keys = {int(l.split()[1]): int(l.split()[3]) for l in open(sys.argv[2]) if l.startswith("rank ")}
want = {r: seed_key if r == 0 else mix(seed_key << 32 | r) >> 32 for r in range(3)}
print(keys, want)
sys.exit(0 if keys == want and len(set(keys.values())) == 3 else 1)
EOF

# Failures: every rank stops, mpirun exits non-zero long before the timeout,
# and the checkpoint written before is untouched.
cp "$t/ref.st" "$t/keep.st"
mpi -np 2 "$tool" "$t/mlp_6.so" mlp --fail 1:4:nan --save "$t/keep.st" >"$t/out" 2>"$t/err"
rc=$?
[ $rc != 0 ] && [ $rc != 124 ] || fail "a rank's NaN: exit status $rc"
grep -q "rank 0: stopping because rank 1 failed (DM_ENUMERIC" "$t/err" || fail "rank 0's message: $(cat "$t/err")"
grep -q "rank 1: .*non-finite" "$t/err" || fail "rank 1's message: $(cat "$t/err")"
cmp -s "$t/ref.st" "$t/keep.st" || fail "the checkpoint changed after a failed run"
# The same on the MPI path, and on 2 simulated nodes (the failing rank on
# the other node, then on rank 0's, whose barrier it shares).
for how in mpi:1 nodes:2 nodes:1; do
    if [ ${how%%:*} = mpi ]; then env=DM_MPI_SHARED=0 np=2 so=mlp_6; else env=DM_MPI_NODE_RANKS=2 np=3 so=mlp_4; fi
    r=${how##*:}
    env $env timeout 120 mpirun --oversubscribe -np $np "$tool" "$t/$so.so" mlp --fail $r:4:nan \
        --save "$t/keep.st" </dev/null >"$t/out" 2>"$t/err"
    rc=$?
    [ $rc != 0 ] && [ $rc != 124 ] || fail "$how: a rank's NaN: exit status $rc"
    grep -q "rank 0: stopping because rank $r failed (DM_ENUMERIC" "$t/err" || fail "$how: rank 0's message: $(cat "$t/err")"
    grep -q "rank $r: .*non-finite" "$t/err" || fail "$how: rank $r's message: $(cat "$t/err")"
done
cmp -s "$t/ref.st" "$t/keep.st" || fail "the checkpoint changed after a failed run (MPI path, nodes)"
# Overlapped: the failing rank reports no gradient (a bad label stops its
# entry first) or all of them (NaN), its peers all: every rank still stops.
for how in 1:4:nan 0:3:label; do
    mpi -np 2 "$tool" "$t/mlp_6.so" mlp --overlap --fail $how --save "$t/keep.st" >"$t/out" 2>"$t/err"
    rc=$?
    [ $rc != 0 ] && [ $rc != 124 ] || fail "--overlap --fail $how: exit status $rc (124: a hang)"
    grep -q "stopping because rank ${how%%:*} failed (DM_E" "$t/err" || fail "--overlap --fail $how: $(cat "$t/err")"
    grep -q "rank ${how%%:*}: " "$t/err" || fail "--overlap --fail $how: the failing rank's message: $(cat "$t/err")"
done
cmp -s "$t/ref.st" "$t/keep.st" || fail "the checkpoint changed after a failed overlapped run"
for how in 1:4:exit 0:4:kill; do
    mpi -np 2 "$tool" "$t/mlp_6.so" mlp --fail $how --save "$t/keep.st" >/dev/null 2>"$t/err"
    rc=$?
    [ $rc != 0 ] && [ $rc != 124 ] || fail "--fail $how: exit status $rc (124: a hang)"
done
# A rank that dies while its node's other rank waits for it at a barrier in
# shared memory (no MPI call to notice): mpirun still ends the job.
for how in 1:4:kill 2:4:exit; do
    DM_MPI_NODE_RANKS=2 timeout 120 mpirun --oversubscribe -np 3 "$tool" "$t/mlp_4.so" mlp --fail $how \
        --save "$t/keep.st" </dev/null >/dev/null 2>"$t/err"
    rc=$?
    [ $rc != 0 ] && [ $rc != 124 ] || fail "2 nodes, --fail $how: exit status $rc (124: a hang)"
done
cmp -s "$t/ref.st" "$t/keep.st" || fail "the checkpoint changed after a rank died"
# Two ranks that run different models refuse to start (MPMD launch).
mpi -np 1 "$tool" "$t/mlp_6.so" mlp : -np 1 "$tool" "$t/cnn_6.so" cnn >/dev/null 2>"$t/err"
rc=$?
[ $rc != 0 ] && [ $rc != 124 ] || fail "different models: exit status $rc"
[ "$(grep -c 'the ranks run different models' "$t/err")" = 2 ] || fail "different models: $(cat "$t/err")"
ls "$t" | grep -q '\.tmp\.' && fail "a temporary checkpoint was left behind"
exit $status
