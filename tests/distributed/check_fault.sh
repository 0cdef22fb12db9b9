#!/usr/bin/env bash
# Runs fault_job on N ranks with its last rank failing (mode kill | throw) and checks that the
# job ends (CTest's TIMEOUT catches a hang) with a non-zero status and, for throw, the failing
# rank's message. Usage: check_fault.sh MPIEXEC FAULT_JOB N MODE
set -uo pipefail
mpiexec=$1 job=$2 n=$3 mode=$4
out=$("$mpiexec" --oversubscribe --allow-run-as-root -np "$n" "$job" "$mode" 2>&1)
rc=$?
echo "$out" | tail -n 20
if [ "$rc" -eq 0 ]; then echo "FAIL: the job exited 0"; exit 1; fi
if [ "$mode" = throw ]; then
  expected="rank $((n - 1)): uncaught exception: bad data file"
  if ! grep -q "$expected" <<<"$out"; then echo "FAIL: no '$expected'"; exit 1; fi
fi
echo "ok: the job ended with status $rc"
