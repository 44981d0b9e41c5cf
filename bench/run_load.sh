#!/usr/bin/env bash
# The load measurements (docs/benchmarks.md, "Load"): builds a database of 2,000 runs and 50M
# metric rows and a small baseline (20 runs, 500k rows) with make_load_db, then measures the
# window on each (bench_load, offscreen), each in a process of its own, with the page cache
# dropped first when run as root (a cold open, as after a reboot). Results: build/bench-results/load.jsonl.
set -euo pipefail
cd "$(dirname "$0")/.."
build=${BUILD_DIR:-build}
dir=${LOAD_DIR:-/tmp/slim-load}
mkdir -p "$dir" "$build/bench-results"
out=${build}/bench-results/load.jsonl
: > "$out"
"$build/bench/store/make_load_db" --db="$dir/baseline.sqlite" --runs=20 --rows=500000 2>/dev/null >> "$out"
"$build/bench/store/make_load_db" --db="$dir/load.sqlite" --runs="${RUNS:-2000}" --rows="${ROWS:-50000000}" >> "$out"
export QT_QPA_PLATFORM=offscreen XDG_DATA_HOME="$dir/home"
for label in baseline load; do
    if [ "$(id -u)" -eq 0 ]; then
        sync
        echo 3 > /proc/sys/vm/drop_caches || true
    fi
    "$build/bench/gui/bench_load" --db="$dir/$label.sqlite" --label="$label" --out "$dir/$label.jsonl" 2>/dev/null
    cat "$dir/$label.jsonl" >> "$out"
done
python3 - "$out" <<'PY'
import json, sys
for line in open(sys.argv[1]):
    d = json.loads(line)
    if d.get("record") == "load_db":
        print(f"{d['db']}: {d['runs']} runs, {d['metric_rows']:,} metric rows, {d['bytes']/2**20:.0f} MiB, written in {d['seconds']:.1f} s")
    if d.get("record") == "load":
        mb = [b / 2**20 for b in d["rss_after_each_run_bytes"]]
        print(f"{d['label']}: {d['runs_listed']} runs listed in {d['open_ms']:.1f} ms; filter {d['filter_ms']:.1f} ms "
              f"({d['filtered_runs']} runs); run open median {d['run_open_median_ms']:.1f} ms, max {d['run_open_max_ms']:.1f} ms; "
              f"RSS {d['rss_after_open_bytes']/2**20:.0f} MiB after open, {min(mb):.0f}-{max(mb):.0f} MiB over {len(mb)} runs opened and closed")
PY
