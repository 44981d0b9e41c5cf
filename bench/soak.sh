#!/usr/bin/env bash
# The CLI and the window on one database at once (docs/reliability.md, "Load"): for DURATION
# seconds (default 3600) the window (offscreen) works through a queue of runs while slimctl
# trains runs one after another and reads the listing and run details in between, all on the
# same database. Then: the window is closed (its current run is interrupted: expected), and
# every other run must have succeeded with all its metric rows (one loss/lm row per step),
# every slimctl command must have exited 0, and the database must pass integrity_check.
# Prints a summary line; exits 1 on any error or lost row.
set -euo pipefail
cd "$(dirname "$0")/.."
build=${BUILD_DIR:-build}
duration=${DURATION:-3600}
steps=${STEPS:-200}
dir=${SOAK_DIR:-/tmp/slim-soak}
rm -rf "$dir"
mkdir -p "$dir"
db=$dir/soak.sqlite
slimctl=$build/app/slimctl/slimctl
export XDG_DATA_HOME=$dir/home OMP_NUM_THREADS=1 QT_QPA_PLATFORM=offscreen
"$slimctl" init-model --out "$dir/model" --hidden-size 32 --intermediate-size 64 --layers 2 --heads 4 > /dev/null
python3 - "$dir" "$steps" <<'PY'
import json, sys
d, steps = sys.argv[1], int(sys.argv[2])
spec = {"name": "soak", "base_model": d + "/model", "seed": 3,
        "adapter": {"method": "slim", "lora_rank": 2, "lora_alpha": 4, "num_lora_experts": 3, "num_clusters": 2},
        "data": {"setting": "mds", "tasks": ["name_gender", "reversal"], "train_examples_per_task": 64},
        "schedule": {"steps": steps, "batch_size": 4, "lr": 0.001, "log_every": 1, "eval_every": 100,
                     "checkpoint_every": 20, "max_length": 48},
        "eval": {"general_tasks": ["capitals"], "probe_items": 6, "batch_size": 16, "final_full": False}}
for who in ("window", "cli"):
    spec["name"] = who
    json.dump(spec, open(f"{d}/{who}.json", "w"))
PY
# Enough queued runs for the window to stay busy the whole time.
window_runs=$(( duration / 2 + 10 ))
args=()
for _ in $(seq "$window_runs"); do args+=(--run "$dir/window.json"); done
"$build/app/workbench/slim-workbench" --db "$db" "${args[@]}" > "$dir/window.log" 2>&1 &
window=$!
end=$(( $(date +%s) + duration ))
cli_runs=0 errors=0 reads=0
while [ "$(date +%s)" -lt "$end" ]; do
    if "$slimctl" --db "$db" --quiet train "$dir/cli.json" --name "cli $cli_runs" >> "$dir/cli.log" 2>&1; then
        cli_runs=$(( cli_runs + 1 ))
    else
        errors=$(( errors + 1 ))
        echo "soak: slimctl train failed (see $dir/cli.log)" >&2
    fi
    for command in "runs" "show 1"; do
        # shellcheck disable=SC2086
        "$slimctl" --db "$db" $command > /dev/null 2>> "$dir/cli.log" || { errors=$(( errors + 1 )); echo "soak: slimctl $command failed" >&2; }
        reads=$(( reads + 1 ))
    done
    printf '\rsoak: %d s left, %d slimctl runs, %d reads, %d errors ' $(( end - $(date +%s) )) "$cli_runs" "$reads" "$errors" >&2
done
echo >&2
kill -TERM "$window"
wait "$window" || true
python3 - "$db" "$steps" "$cli_runs" "$errors" "$reads" <<'PY'
import sqlite3, sys
db, steps, cli_runs, errors, reads = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4]), int(sys.argv[5])
c = sqlite3.connect(db)
integrity = c.execute("PRAGMA integrity_check").fetchone()[0]
rows = c.execute("""SELECT r.name, r.status, (SELECT COUNT(*) FROM metric_values m WHERE m.run_id = r.id AND m.name = 'loss/lm')
                    FROM runs r""").fetchall()
window = [r for r in rows if r[0] == "window"]
done = [r for r in window if r[1] == "succeeded"]
unfinished = [r for r in window if r[1] != "succeeded"]
cli = [r for r in rows if r[0].startswith("cli ")]
lost = [r for r in done + cli if r[1] == "succeeded" and r[2] != steps]
bad_cli = [r for r in cli if r[1] != "succeeded"]
# The window's queue is cut by closing it: one run interrupted, the rest still queued or cancelled.
started_unfinished = [r for r in unfinished if r[2] > 0]
ok = integrity == "ok" and not lost and not bad_cli and errors == 0 and len(started_unfinished) <= 1
print(f"soak: integrity {integrity}; window {len(done)} runs succeeded, {len(started_unfinished)} interrupted by closing it; "
      f"slimctl {len(cli)} runs ({cli_runs} exited 0), {reads} reads, {errors} errors; "
      f"runs missing metric rows: {len(lost)}; {'OK' if ok else 'FAILED'}")
sys.exit(0 if ok else 1)
PY
