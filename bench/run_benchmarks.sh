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
# (engine/PyTorch alternations, default 3), ONLY (a comma-separated subset of the sections layers,
# train, train_pytorch, eval, suite, tokenizer, memory: only those are measured again, the other
# sections' results are kept). Timings are only meaningful on a quiet machine:
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
ROUNDS=${ROUNDS:-3}
if [[ ${#QUICK[@]} -gt 0 ]]; then
    ROUNDS=1
fi

cd "$ROOT"
flock /tmp/slim-build.lock cmake --build "$BUILD" -j2 --target bench_layers bench_train bench_eval bench_memory \
    bench_tokenizer
bash packaging/fetch-reference.sh >&2

mkdir -p "$OUT"

# wanted SECTION FILE...: true when SECTION is to be measured (ONLY unset, or names it); its
# earlier results FILE... (in $OUT) are removed then.
wanted() {
    local section=$1
    shift
    if [[ -n "${ONLY:-}" && ",$ONLY," != *",$section,"* ]]; then
        return 1
    fi
    local f
    for f in "$@"; do rm -f "$OUT/$f"; done
    return 0
}
rm -f "$OUT/environment.jsonl"

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
    echo " \"command\": \"ONLY=${ONLY:-} ROUNDS=$ROUNDS bash bench/run_benchmarks.sh ${QUICK[*]:-}\","
    echo " \"started\": \"$(date -Iseconds)\"}"
} | tr -d '\n' > "$OUT/environment.jsonl"
echo >> "$OUT/environment.jsonl"

# measured_quietly FILE...: true when no record in FILEs saw other processes keep more than
# QUIET_MAX_CORES busy while it was measured; otherwise says so (the caller measures again).
measured_quietly() {
    local busiest
    busiest=$("$PY" -c '
import json, sys
print(max([json.loads(l).get("other_cores") or 0 for f in sys.argv[1:] for l in open(f)
           if l.strip()]))' "$@")
    if awk -v b="$busiest" -v m="${QUIET_MAX_CORES:-0.2}" 'BEGIN { exit !(b <= m) }'; then
        return 0
    fi
    echo "run_benchmarks: other processes kept $busiest cores busy; measuring again" >&2
    return 1
}

# measure OUT CMD...: runs CMD --out TMP after waiting for a quiet machine, and keeps its records
# (appended to OUT) only if no record saw other processes keep more than QUIET_MAX_CORES busy
# while it was measured; otherwise tries again (at most ATTEMPTS times, keeping the last).
measure() {
    local out=$1 attempt tmp
    shift
    tmp=$(mktemp)
    for attempt in $(seq 1 "${ATTEMPTS:-5}"); do
        wait_quiet
        echo "run_benchmarks: $*" >&2
        : > "$tmp"
        "$@" --out "$tmp" > /dev/null
        if measured_quietly "$tmp"; then
            break
        fi
    done
    cat "$tmp" >> "$out"
    rm -f "$tmp"
}

# measure_pair ENGINE_OUT PYTORCH_OUT ENGINE_CMD... -- PYTORCH_CMD...: the engine and its
# PyTorch baseline (or any two benchmarks that take --lockstep) in lock-step (bench_harness.h's Lockstep over two FIFOs: they take turns step
# by step or evaluation by evaluation, so a drift of the machine hits both alike), retried like
# measure().
measure_pair() {
    local eout=$1 pout=$2 attempt etmp ptmp fifo pid
    shift 2
    local engine=() pytorch=()
    while [[ $# -gt 0 && "$1" != "--" ]]; do engine+=("$1"); shift; done
    shift
    pytorch=("$@")
    etmp=$(mktemp)
    ptmp=$(mktemp)
    fifo=$(mktemp -d)
    mkfifo "$fifo/e2p" "$fifo/p2e"
    for attempt in $(seq 1 "${ATTEMPTS:-5}"); do
        wait_quiet
        echo "run_benchmarks: ${engine[*]} <lock-step> ${pytorch[*]}" >&2
        : > "$etmp"
        : > "$ptmp"
        "${pytorch[@]}" --lockstep="$fifo/e2p,$fifo/p2e,second" --out "$ptmp" > /dev/null &
        pid=$!
        "${engine[@]}" --lockstep="$fifo/p2e,$fifo/e2p,first" --out "$etmp" > /dev/null
        wait "$pid"
        if measured_quietly "$etmp" "$ptmp"; then
            break
        fi
    done
    cat "$etmp" >> "$eout"
    cat "$ptmp" >> "$pout"
    rm -rf "$etmp" "$ptmp" "$fifo"
}

# Layers, one size at a time (d = 4096 alone takes minutes).
if wanted layers layers.jsonl; then
    SIZES=(256 1024 4096)
    if [[ ${#QUICK[@]} -gt 0 ]]; then
        SIZES=(256)
    fi
    for d in "${SIZES[@]}"; do
        measure "$OUT/layers.jsonl" "$BUILD/bench/bench_layers" "${QUICK[@]}" --sizes="$d"
    done
fi

# The machine's limit, then every method's training step.
if wanted train train.jsonl; then
    measure "$OUT/train.jsonl" "$BUILD/bench/bench_train" "${QUICK[@]}" --only=gemm
    METHODS=(dora slim mixlora mixlora-dy loramoe mola slim-naive-merge)
    if [[ ${#QUICK[@]} -gt 0 ]]; then
        METHODS=(slim)
    fi
    for m in "${METHODS[@]}"; do
        measure "$OUT/train.jsonl" "$BUILD/bench/bench_train" "${QUICK[@]}" --only=steps \
            --methods="$m"
    done
fi

# The engine against PyTorch eager: separate processes in lock-step (measure_pair), in ROUNDS
# whose timed steps / evaluations summarize.py pools per implementation.
if wanted train_pytorch train_pytorch.jsonl train_pairs.jsonl; then
    for round in $(seq 1 "$ROUNDS"); do
        for m in full lora; do
            measure_pair "$OUT/train.jsonl" "$OUT/train_pytorch.jsonl" \
                "$BUILD/bench/bench_train" "${QUICK[@]}" --only=steps --methods="$m" \
                --round="$round" -- \
                "$PY" bench/pytorch/bench_train.py "${QUICK[@]}" --threads "$THREADS" \
                --methods "$m" --round "$round"
        done
    done
    # SLIM against LoRA, whole training step: the two trainers in lock-step (measure_pair works for
    # any two processes that take --lockstep), so the ratio is safe from the machine's drift.
    for round in $(seq 1 "$ROUNDS"); do
        measure_pair "$OUT/train_pairs.jsonl" "$OUT/train_pairs.jsonl" \
            "$BUILD/bench/bench_train" "${QUICK[@]}" --only=steps --methods=slim --round="$round" -- \
            "$BUILD/bench/bench_train" "${QUICK[@]}" --only=steps --methods=lora --round="$round"
    done
fi
# Round 0: the engine alone, also with adapters attached; writes the token requests (and the
# engine's accuracies) the PyTorch baseline scores.
if wanted eval eval.jsonl eval_pytorch.jsonl eval_requests.json; then
    measure "$OUT/eval.jsonl" "$BUILD/bench/bench_eval" "${QUICK[@]}" --models=base,lora,slim \
        --round=0 --requests="$OUT/eval_requests.json"
    for round in $(seq 1 "$ROUNDS"); do
        measure_pair "$OUT/eval.jsonl" "$OUT/eval_pytorch.jsonl" \
            "$BUILD/bench/bench_eval" "${QUICK[@]}" --models=base --round="$round" \
            --requests="$OUT/eval_requests.json" -- \
            "$PY" bench/pytorch/bench_eval.py "${QUICK[@]}" --threads "$THREADS" \
            --round "$round" --requests "$OUT/eval_requests.json"
    done
fi

# An lm-eval suite (HellaSwag-shaped items of realistic length, bench/suite_items.py) on a
# real-shaped random model (d 512, 8 query / 2 key-value heads, vocab 32000, 2 layers): the
# engine against PyTorch eager on the same token requests, as above. 64 items (256 sequences of
# ~500 tokens) and 3 timed repeats: one PyTorch repeat of the log-likelihood mode takes minutes.
if wanted suite eval_suite.jsonl eval_suite_pytorch.jsonl eval_suite_requests.json; then
    SUITE_MODEL=$OUT/suite-model
    rm -rf "$SUITE_MODEL"
    "$PY" tests/reference/hf_reference.py make-checkpoint --out "$SUITE_MODEL" --arch llama \
        --vocab 32000 --hidden 512 --layers 2 --heads 8 --kv-heads 2 --intermediate 1376 \
        --max-pos 2048 --seed 3 > /dev/null
    "$PY" bench/suite_items.py "$OUT/hellaswag_items.jsonl" 64
    SUITE="hellaswag=$OUT/hellaswag_items.jsonl"
    TIMING=("${QUICK[@]}")
    if [[ ${#QUICK[@]} -eq 0 ]]; then
        TIMING=(--repeats 3 --warmup 1)
    fi
    measure "$OUT/eval_suite.jsonl" "$BUILD/bench/bench_eval" "${TIMING[@]}" --model="$SUITE_MODEL" \
        --tasks="$SUITE" --models=base --round=0 --requests="$OUT/eval_suite_requests.json"
    for round in $(seq 1 "$ROUNDS"); do
        measure_pair "$OUT/eval_suite.jsonl" "$OUT/eval_suite_pytorch.jsonl" \
            "$BUILD/bench/bench_eval" "${TIMING[@]}" --model="$SUITE_MODEL" --tasks="$SUITE" \
            --models=base --round="$round" --requests="$OUT/eval_suite_requests.json" -- \
            "$PY" bench/pytorch/bench_eval.py "${TIMING[@]}" --threads "$THREADS" \
            --model "$SUITE_MODEL" --round "$round" --requests "$OUT/eval_suite_requests.json"
    done
fi

# Tokenizer throughput against Hugging Face's tokenizers.js (Node), one process after the other
# in each round, on the whole Brown corpus with the Llama 3 tokenizer.
if wanted tokenizer tokenizer.jsonl; then
    measure "$OUT/tokenizer.jsonl" "$BUILD/bench/bench_tokenizer" "${QUICK[@]}"
fi

# Memory does not depend on the machine's load: the estimate against the tracked peak.
if wanted memory memory.jsonl; then
    "$BUILD/bench/bench_memory" "${QUICK[@]}" --out "$OUT/memory.jsonl"
fi

"$PY" bench/summarize.py "$OUT" | tee "$OUT/summary.md"
