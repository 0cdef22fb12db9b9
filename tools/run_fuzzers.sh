#!/usr/bin/env bash
# Builds the checkpoint-reader and image-decoder fuzzers (libFuzzer + ASan + UBSan, clang) and
# runs each for a bounded time, seeded with the fixtures and fuzz/corpus. Exits non-zero if any
# input crashes, leaks, hangs or trips a sanitizer; the offending inputs are kept in
# $BUILD/artifacts.
#   FUZZ_SECONDS (default 60) per target, FUZZ_BUILD_DIR (default build-fuzz), FUZZ_JOBS (2),
#   FUZZ_CXX (clang++, else clang++-14).
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
BUILD=${FUZZ_BUILD_DIR:-$ROOT/build-fuzz}
SECS=${FUZZ_SECONDS:-60}
JOBS=${FUZZ_JOBS:-2}
CXX=${FUZZ_CXX:-$(command -v clang++ || command -v clang++-14 || true)}
if [[ -z "$CXX" ]]; then
  echo "run_fuzzers: clang++ not found (apt-get install clang-14 libclang-rt-14-dev)" >&2
  exit 2
fi

# -O1 with line tables, as libFuzzer's documentation suggests: the sanitized build of the whole
# library is most of this script's time, and -O2 -g doubles it.
cmake -S "$ROOT/fuzz" -B "$BUILD" -DCMAKE_CXX_COMPILER="$CXX" -DCMAKE_BUILD_TYPE=RelWithDebInfo \
  -DCMAKE_CXX_FLAGS_RELWITHDEBINFO="-O1 -gline-tables-only -DNDEBUG" >/dev/null
cmake --build "$BUILD" -j"$JOBS" --target fuzz_pt fuzz_safetensors fuzz_image

WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
mkdir -p "$BUILD/artifacts"
FIX="$ROOT/tests/fixtures/io"
status=0

run() {  # run TARGET CORPUS_NAME SEED_FILES...
  local target=$1 name=$2
  shift 2
  mkdir -p "$WORK/$target/new" "$WORK/$target/seeds"
  cp "$@" "$WORK/$target/seeds/"
  echo "== $target: ${SECS}s"
  if ! "$BUILD/$target" -max_total_time="$SECS" -timeout=10 -rss_limit_mb=2048 -max_len=20000 \
      -print_final_stats=1 -artifact_prefix="$BUILD/artifacts/$target-" \
      "$WORK/$target/new" "$WORK/$target/seeds" "$ROOT/fuzz/corpus/$name" 2>"$WORK/$target/log"; then
    tail -n 60 "$WORK/$target/log" >&2
    echo "run_fuzzers: $target FAILED; inputs in $BUILD/artifacts (add them to fuzz/corpus/$name)" >&2
    status=1
  else
    grep -E "stat::number_of_executed_runs|Done" "$WORK/$target/log" || true
  fi
}

run fuzz_pt pt "$FIX"/serial/pt/*.pt "$FIX"/torch/*.pt
run fuzz_safetensors safetensors "$FIX"/serial/safetensors/*.safetensors
run fuzz_image image "$ROOT"/tests/fixtures/predict/images/*.{jpg,png}
exit $status
