#!/usr/bin/env bash
# Builds the engine benchmarks and runs them all, with the PyTorch-eager baselines, writing
# JSON lines to build/bench-results/ and printing a summary (bench/summarize.py).
#
#   bash bench/run_benchmarks.sh            # the full run behind docs/benchmarks.md
#   bash bench/run_benchmarks.sh --quick    # one size, few repeats: checks that all runs
#
# Environment: BUILD_DIR (default build), QUIET_CORES (before each benchmark, wait until the
# other processes keep fewer cores than this busy, default 0.15, and no compiler or test runs),
# QUIET_WAIT_MINUTES (give up waiting after this, default 30, and measure anyway), ROUNDS
# (engine/PyTorch alternations, default 3). Timings are only meaningful on a quiet machine:
# every record carries the cores other processes kept busy while it was measured.
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
BUILD=${BUILD_DIR:-$ROOT/build}
OUT=$BUILD/bench-results
QUICK=()
if [[ "${1:-}" == "--quick" ]]; then
    QUICK=(--quick)
fi
PY=/usr/bin/python3
THREADS=$(nproc)

cd "$ROOT"
flock /tmp/slim-build.lock cmake --build "$BUILD" -j2 --target bench_layers bench_train bench_eval

mkdir -p "$OUT"
rm -f "$OUT"/*.jsonl "$OUT"/eval_requests.json

# Busy cores of the whole machine over 5 s (call it while none of ours runs).
busy_cores() {
    local a b
    a=($(head -1 /proc/stat))
    sleep 5
    b=($(head -1 /proc/stat))
    # user nice system idle iowait irq softirq steal
    local busy=$(( (b[1]+b[2]+b[3]+b[6]+b[7]+b[8]) - (a[1]+a[2]+a[3]+a[6]+a[7]+a[8]) ))
    awk -v t="$busy" -v hz="$(getconf CLK_TCK)" 'BEGIN { printf "%.2f", t / hz / 5 }'
}

# Waits until nothing heavy runs (compilers, test binaries) and the machine is idle.
wait_quiet() {
    local limit=${QUIET_CORES:-0.15} minutes=${QUIET_WAIT_MINUTES:-30} start=$SECONDS
    while true; do
        local cores heavy
        heavy=$(ps -eo comm= | grep -cE '^(cc1plus|tst_|ld|ninja|slimctl|bench_)' || true)
        cores=$(busy_cores)
        if [[ "$heavy" == 0 ]] && awk -v c="$cores" -v m="$limit" 'BEGIN { exit !(c < m) }'; then
            return 0
        fi
        if (( SECONDS - start >= minutes * 60 )); then
            echo "run_benchmarks: still busy after $minutes min ($cores cores busy, $heavy" \
                 "heavy processes); measuring anyway" >&2
            return 0
        fi
        echo "run_benchmarks: waiting for a quiet machine ($cores cores busy, $heavy heavy" \
             "processes)" >&2
        sleep 25
    done
}

# What the numbers were measured on.
{
    echo "{\"record\": \"environment\","
    echo " \"cpu\": \"$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //')\","
    echo " \"cores\": $THREADS,"
    echo " \"mem_total\": \"$(grep MemTotal /proc/meminfo | awk '{print $2 " " $3}')\","
    echo " \"os\": \"$(. /etc/os-release && echo "$PRETTY_NAME") (Debian $(cat /etc/debian_version))\","
    echo " \"kernel\": \"$(uname -r)\","
    echo " \"packages\": \"$(dpkg-query -W -f='${Package}=${Version} ' libtorch1.13 \
        libopenblas0-openmp python3-torch g++ 2>/dev/null)\","
    echo " \"blas\": \"$(readlink -f /usr/lib/x86_64-linux-gnu/libblas.so.3)\","
    echo " \"git_commit\": \"$(git rev-parse --short=12 HEAD 2>/dev/null || echo unknown)\","
    echo " \"git_dirty\": $([[ -n "$(git status --porcelain -- core bench 2>/dev/null)" ]] \
        && echo true || echo false),"
    echo " \"command\": \"bash bench/run_benchmarks.sh ${QUICK[*]:-}\","
    echo " \"started\": \"$(date -Iseconds)\"}"
} | tr -d '\n' > "$OUT/environment.jsonl"
echo >> "$OUT/environment.jsonl"

run() {
    wait_quiet
    echo "run_benchmarks: $*" >&2
    "$@" > /dev/null
}

run "$BUILD/bench/bench_layers" "${QUICK[@]}" --out "$OUT/layers.jsonl"

# The engine against PyTorch eager runs in separate processes: alternate them in ROUNDS
# (engine, PyTorch, engine, PyTorch, ...) so a change of machine conditions hits both, and
# pool the timed steps / evaluations of all rounds per implementation (summarize.py).
ROUNDS=${ROUNDS:-3}
if [[ ${#QUICK[@]} -gt 0 ]]; then
    ROUNDS=1
fi
for round in $(seq 1 "$ROUNDS"); do
    methods=()
    if (( round > 1 )); then
        methods=(--methods=full,lora)
    fi
    run "$BUILD/bench/bench_train" "${QUICK[@]}" "${methods[@]}" --round="$round" \
        --out "$OUT/train.jsonl"
    run "$PY" bench/pytorch/bench_train.py "${QUICK[@]}" --threads "$THREADS" --round "$round" \
        --out "$OUT/train_pytorch.jsonl"
done
for round in $(seq 1 "$ROUNDS"); do
    models=()
    if (( round > 1 )); then
        models=(--models=base)
    fi
    run "$BUILD/bench/bench_eval" "${QUICK[@]}" "${models[@]}" --round="$round" \
        --out "$OUT/eval.jsonl" --requests="$OUT/eval_requests.json"
    run "$PY" bench/pytorch/bench_eval.py "${QUICK[@]}" --threads "$THREADS" --round "$round" \
        --requests "$OUT/eval_requests.json" --out "$OUT/eval_pytorch.jsonl"
done

"$PY" bench/summarize.py "$OUT" | tee "$OUT/summary.md"
