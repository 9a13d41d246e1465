#!/usr/bin/env bash
# fashion_mpi.test.sh: the Fashion-MNIST trainer with --mpi (fashion_mlp_mpi
# under mpirun, a few hundred samples): one rank prints, the ranks agree on
# the accuracy they compute together, rank 0's checkpoint resumes on another
# number of ranks and in the plain build, a failure on rank 0 stops every
# rank with a message naming it, and the plain build refuses --mpi.
# The arithmetic of a data-parallel step is checked by mpi.test.sh.
set -u
cd "$(dirname "$0")/../.."
# Under make check-sanitize: Open MPI's components (loaded and unloaded by
# MPI_Init and MPI_Finalize) leave allocations LeakSanitizer reports, with no
# module to suppress them by; our own code's leaks are checked by every
# other case.
[ -n "${DM_SANITIZE:-}" ] && export ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0"
E=${BUILD:-build}/examples/fashion_mlp
command -v mpirun >/dev/null || { echo "mpirun not found: install openmpi-bin and libopenmpi-dev (make setup)"; exit 1; }
[ -x "$E/fashion_mlp_mpi" ] || { echo "$E/fashion_mlp_mpi not built (make examples, with Open MPI)"; exit 1; }
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1 OMPI_MCA_pml=ob1 OMPI_MCA_btl=self,vader
t=$(mktemp -d); trap 'rm -rf "$t"' EXIT
status=0
fail() { echo "FAIL: $*"; status=1; }
mpi() { timeout 120 mpirun --oversubscribe "$@" </dev/null; }  # mpirun would read the runner's stdin

# 2 ranks x batch 64 over 640 samples: 5 global steps of 128; 1 epoch.
mpi -np 2 "$E/fashion_mlp_mpi" --mpi --epochs 2 --stop-after 1 --train-limit 640 --save "$t/a.st" >"$t/out" 2>&1 ||
    fail "2 ranks: $(cat "$t/out")"
[ "$(grep -c '^epoch 1/2' "$t/out")" = 1 ] && [ "$(grep -c '^test accuracy' "$t/out")" = 1 ] ||
    fail "not one line per epoch (rank 0 only): $(cat "$t/out")"
grep -q "2 ranks, each on its slice of every batch of 128" "$t/out" || fail "no group line: $(cat "$t/out")"
# The accuracy the ranks compute together (each scores every other test
# batch) is the accuracy one process computes from the same checkpoint.
mpi_acc=$(sed -n 's/^test accuracy: //p' "$t/out")
"$E/fashion_mlp" --epochs 1 --resume "$t/a.st" >"$t/one" || fail "plain resume of rank 0's checkpoint"
[ "$(sed -n 's/^test accuracy: //p' "$t/one")" = "$mpi_acc" ] ||
    fail "accuracy on 2 ranks $mpi_acc, one process: $(cat "$t/one")"
# Resume on 3 ranks.
mpi -np 3 "$E/fashion_mlp_mpi" --mpi --epochs 2 --train-limit 640 --resume "$t/a.st" --save "$t/a.st" >"$t/out" 2>&1 ||
    fail "resume on 3 ranks: $(cat "$t/out")"
grep -q "^resumed .* after epoch 1" "$t/out" && grep -q "^epoch 2/2" "$t/out" || fail "resume on 3 ranks: $(cat "$t/out")"
# A failure on rank 0 alone (its checkpoint is missing) stops both ranks.
mpi -np 2 "$E/fashion_mlp_mpi" --mpi --resume "$t/missing.st" >"$t/out" 2>&1
rc=$?
[ $rc != 0 ] && [ $rc != 124 ] || fail "missing checkpoint: exit status $rc"
grep -q "rank 1: stopping because rank 0 failed (DM_EIO)" "$t/out" || fail "rank 1's message: $(cat "$t/out")"
grep -q "missing.st: cannot open" "$t/out" || fail "rank 0's message: $(cat "$t/out")"
# The plain build has no MPI.
"$E/fashion_mlp" --mpi >/dev/null 2>"$t/err" && fail "the plain build accepted --mpi"
grep -q "this build has no MPI; run fashion_mlp_mpi" "$t/err" || fail "plain --mpi: $(cat "$t/err")"
exit $status
