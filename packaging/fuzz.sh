#!/usr/bin/env bash
# Builds the fuzz targets of tests/fuzz (clang with libFuzzer, AddressSanitizer with leak
# detection, UndefinedBehaviorSanitizer; build-fuzz/, no LibTorch or Qt) and runs each target
# for a time, starting from its checked-in corpus (tests/fuzz/corpus/TARGET) plus what earlier
# runs found (build-fuzz/corpus/TARGET). Prints one line per target: executions, executions
# per second, coverage, and the verdict. A crash, leak, timeout or out-of-memory stops that
# target; its input is saved as build-fuzz/findings/TARGET-*, and the script fails. Copy a
# finding into tests/fuzz/corpus/TARGET/finding-NAME once it is fixed: the normal build replays
# it as a unit test from then on.
#
#   bash packaging/fuzz.sh                      # every target, 30 minutes each
#   bash packaging/fuzz.sh --seconds 600 tokenizer chat_template
#   bash packaging/fuzz.sh --runs 20000         # the test suite's bounded run
#
# --runs N: N executions from the checked-in corpus alone with a fixed seed, keeping nothing, so
# the test suite's run does nearly the same work on every machine (libFuzzer is not exactly
# reproducible: coverage differs by about 1 % between runs); --seconds runs explore (a random
# seed, the corpus grows in build-fuzz/corpus).
#
# Environment: FUZZ_BUILD_DIR (default build-fuzz).
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
SECONDS_PER_TARGET=1800
RUNS=0
TARGETS=()
while [[ $# -gt 0 ]]; do
    case "$1" in
        --seconds) SECONDS_PER_TARGET=$2; shift 2 ;;
        --runs) RUNS=$2; shift 2 ;;
        -h|--help) sed -n '2,21p' "$0"; exit 0 ;;
        -*) echo "fuzz.sh: unknown option $1" >&2; exit 2 ;;
        *) TARGETS+=("$1"); shift ;;
    esac
done
BUILD=${FUZZ_BUILD_DIR:-$ROOT/build-fuzz}
if [[ ${#TARGETS[@]} -eq 0 ]]; then
    TARGETS=($(sed -n 's/^slim_fuzz_target(\([a-z_]*\) .*/\1/p' tests/fuzz/CMakeLists.txt))
fi

mkdir -p "$BUILD"
if [[ ! -f "$BUILD/build.ninja" ]]; then
    cmake -S . -B "$BUILD" -G Ninja -DSLIM_FUZZ=ON -DCMAKE_BUILD_TYPE=RelWithDebInfo \
        -DCMAKE_CXX_COMPILER=clang++ > "$BUILD/configure.log" 2>&1 \
        || { cat "$BUILD/configure.log" >&2; exit 1; }
fi
flock /tmp/slim-build.lock cmake --build "$BUILD" -j2 -- $(printf 'fuzz_%s ' "${TARGETS[@]}") \
    > "$BUILD/build.log" 2>&1 || { tail -40 "$BUILD/build.log" >&2; exit 1; }

mkdir -p "$BUILD/findings" "$BUILD/reports"
# The database targets write a database per input: on a RAM disk when there is one, so fsync
# (synchronous=FULL) costs nothing and an input takes milliseconds, not tens of them.
if [[ -z "${TMPDIR:-}" && -d /dev/shm && -w /dev/shm ]]; then
    export TMPDIR=/dev/shm
fi
# The bounded run's executions per target: --runs, fewer for the targets that build a whole
# database per input (about 100 a second), so the test suite's run stays near a minute each.
bounded_runs() {
    case "$1" in
        run_import) echo $(( RUNS < 5000 ? RUNS : 5000 )) ;;
        *) echo "$RUNS" ;;
    esac
}
failed=0
for t in "${TARGETS[@]}"; do
    log="$BUILD/reports/$t.log"
    if [[ $RUNS -gt 0 ]]; then
        budget=(-runs="$(bounded_runs "$t")" -seed=1)
        fresh=$(mktemp -d)
        corpora=("$fresh" "tests/fuzz/corpus/$t")
        length="$(bounded_runs "$t") runs"
    else
        budget=(-max_total_time="$SECONDS_PER_TARGET")
        mkdir -p "$BUILD/corpus/$t"
        corpora=("$BUILD/corpus/$t" "tests/fuzz/corpus/$t")
        length="${SECONDS_PER_TARGET}s"
    fi
    # -timeout: one input taking longer is a finding; -rss_limit_mb: so is one needing more
    # memory; the scratch files of the database and dataset targets live in TMPDIR.
    set +e
    "$BUILD/tests/fuzz/fuzz_$t" "${budget[@]}" -timeout=10 -rss_limit_mb=2048 \
        -print_final_stats=1 -artifact_prefix="$BUILD/findings/$t-" "${corpora[@]}" > "$log" 2>&1
    status=$?
    set -e
    [[ $RUNS -gt 0 ]] && rm -rf "$fresh"
    runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
    rate=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log" | tail -1)
    cov=$(grep -o 'cov: [0-9]*' "$log" | tail -1 | cut -d' ' -f2)
    features=$(grep -o 'ft: [0-9]*' "$log" | tail -1 | cut -d' ' -f2)
    if [[ $status -eq 0 ]]; then
        verdict="no finding"
    else
        verdict="FINDING (exit $status): $(grep -m1 -E 'ERROR: |runtime error|deadly signal' "$log" \
            || true) -> $(ls -t "$BUILD/findings/$t-"* 2>/dev/null | head -1)"
        failed=1
    fi
    printf 'fuzz %-20s %12s  %10s runs  %8s/s  cov %6s  ft %6s  %s\n' "$t" "$length" \
        "${runs:-?}" "${rate:-?}" "${cov:-?}" "${features:-?}" "$verdict"
done
exit $failed
