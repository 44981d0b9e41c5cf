#!/usr/bin/python3
"""Summarises build/bench-results/*.jsonl as Markdown tables with every goal of
docs/benchmarks.md marked met or missed. Usage: summarize.py RESULTS_DIR"""

import json
import os
import sys

GOALS = {
    "slim_over_lora": 1.2,    # SLIM layer / LoRA(128) layer, at most
    "merge_speedup": 10.0,    # naive / fast merge at d = 1024, at least
    "engine_over_pytorch": 1.0,  # engine tokens/s (items/s) / PyTorch eager, at least
}


def load(directory, name):
    path = os.path.join(directory, name)
    if not os.path.exists(path):
        return []
    with open(path) as f:
        return [json.loads(line) for line in f if line.strip()]


def fmt(x, digits=2):
    if x is None:
        return "-"
    if isinstance(x, float):
        if abs(x) >= 1000:
            return f"{x:,.0f}"
        return f"{x:.{digits}f}"
    return str(x)


def spread(r):
    t = r.get("timing", {})
    return f"{100 * t.get('spread', float('nan')):.0f}%"


def table(headers, rows):
    out = ["| " + " | ".join(headers) + " |", "|" + "---|" * len(headers)]
    out += ["| " + " | ".join(fmt(c) for c in row) + " |" for row in rows]
    return "\n".join(out)


def verdict(ok):
    return "**met**" if ok else "**missed**"


def main():
    d = sys.argv[1] if len(sys.argv) > 1 else "build/bench-results"
    env = load(d, "environment.jsonl")
    layers, train, train_py = load(d, "layers.jsonl"), load(d, "train.jsonl"), load(
        d, "train_pytorch.jsonl")
    evals, evals_py = load(d, "eval.jsonl"), load(d, "eval_pytorch.jsonl")
    lines = ["# Benchmark summary", ""]
    if env:
        e = env[0]
        lines += [f"- CPU: {e['cpu']}, {e['cores']} cores, RAM {e['mem_total']}",
                  f"- OS: {e['os']}, kernel {e['kernel']}",
                  f"- packages: {e['packages']}",
                  f"- BLAS: {e['blas']}", f"- commit: {e['git_commit']} "
                  f"(uncommitted changes in core/ or bench/: {e['git_dirty']})",
                  f"- command: `{e['command']}`, started {e['started']}", ""]
    loads = [r[k] for src in (layers, train, train_py, evals, evals_py) for r in src
             for k in ("loadavg_before", "loadavg_after") if r.get(k) is not None]
    if loads:
        lines += [f"Load average (1 min) around the measurements: {min(loads):.2f} to "
                  f"{max(loads):.2f}.", ""]

    rows = [r for r in layers if r["record"] == "layer"]
    if rows:
        lines += ["## Layer forward + backward (SwiGLU block + adapter, training mode)", ""]
        body = []
        for r in rows:
            body.append([r["d"], r["intermediate"], r["tokens"], r["variant"], r["ms"],
                         spread(r), r["timing"]["repeats"], r["ratio_to_lora128"],
                         r.get("adapter_cost_ratio_to_lora128")])
        lines += [table(["d", "ffn", "tokens", "variant", "median ms", "spread", "repeats",
                         "/ LoRA(128)", "adapter cost / LoRA's"], body), ""]
        for r in rows:
            if r["variant"] == "slim":
                ok = r["ratio_to_lora128"] <= GOALS["slim_over_lora"]
                lines.append(f"- d={r['d']}: SLIM / LoRA(128) = {r['ratio_to_lora128']:.2f} "
                             f"(paired {r['paired_ratio_to_lora128']:.2f}), goal <= 1.2: "
                             f"{verdict(ok)}")
        lines.append("")

    merges = [r for r in layers if r["record"] == "merge_ratio"]
    if merges:
        times = {(r["d"], r["variant"]): r for r in layers if r["record"] == "merge"}
        lines += ["## Fast dynamic merge vs naive dense-mask merge (one d x d projection, "
                  "8 experts x r16, fwd + bwd)", ""]
        body = [[r["d"], r["tokens"], times[(r["d"], "fast")]["ms"],
                 times[(r["d"], "naive")]["ms"], r["naive_over_fast"], r["predicted"],
                 r["measured_over_predicted"]] for r in merges]
        lines += [table(["d", "tokens", "fast ms", "naive ms", "naive / fast", "predicted",
                         "measured / predicted"], body), ""]
        for r in merges:
            if r["d"] == 1024:
                lines.append(f"- d=1024: naive / fast = {r['naive_over_fast']:.1f}x, goal >= 10x: "
                             f"{verdict(r['naive_over_fast'] >= GOALS['merge_speedup'])}")
        lines.append("")

    peak = next((r for r in train if r["record"] == "gemm_peak"), None)
    gemms = [r for r in train if r["record"] == "gemm"]
    if gemms:
        lines += ["## GEMM (torch::mm, fp32, square)", ""]
        lines += [table(["n", "threads", "GFLOP/s (median)", "GFLOP/s (best repeat)"],
                        [[r["n"], r["threads"], r["gflops"], r["gflops_best"]] for r in gemms]),
                  ""]
        if peak:
            lines += [f"Peak used for MFU: {peak['gflops']:.1f} GFLOP/s ({peak['threads']} "
                      f"threads, {peak['how']}).", ""]

    steps = [r for r in train if r["record"] == "train_step"]
    if steps:
        py = {r["method"]: r for r in train_py if r["record"] == "train_step"}
        lines += ["## Training step of the built-in model (batch 16 x 128 tokens)", ""]
        body = []
        for r in steps:
            p = py.get(r["method"])
            body.append([r["method"], r["trainable_parameters"], r["step_ms"], spread(r),
                         r["tokens_per_s"], r["gemm_flops_per_step"] / 1e9,
                         r["achieved_gflops"], 100 * r["mfu"],
                         p["tokens_per_s"] if p else None,
                         r["tokens_per_s"] / p["tokens_per_s"] if p else None])
        lines += [table(["method", "trainable", "step ms", "spread", "tokens/s",
                         "GFLOP/step", "GFLOP/s", "MFU %", "PyTorch tokens/s",
                         "engine / PyTorch"], body), ""]
        for r in steps:
            p = py.get(r["method"])
            if p:
                ratio = r["tokens_per_s"] / p["tokens_per_s"]
                same = abs(r["first_step_loss"] - p["first_step_loss"]) < 1e-4
                lines.append(
                    f"- {r['method']}: engine / PyTorch = {ratio:.2f}x, goal >= 1.0: "
                    f"{verdict(ratio >= GOALS['engine_over_pytorch'])} (first-step loss "
                    f"{r['first_step_loss']:.5f} vs {p['first_step_loss']:.5f}: "
                    f"{'same model' if same else 'DIFFERENT'})")
        lines.append("")

    if evals:
        py = {(r["task"], r["mode"]): r for r in evals_py if r["record"] == "eval"}
        lines += ["## Evaluation throughput (multiple-choice items/s, batch 32)", ""]
        body = []
        for r in evals:
            if r["record"] != "eval":
                continue
            p = py.get((r["task"], r["mode"])) if r["model"] == "base" else None
            body.append([r["task"], r["mode"], r["model"], r["items"], r["items_per_s"],
                         spread(r), r["acc"], p["items_per_s"] if p else None,
                         r["items_per_s"] / p["items_per_s"] if p else None,
                         (p["acc_matches_engine"] and "yes" or "NO") if p else None])
        lines += [table(["task", "mode", "model", "items", "items/s", "spread", "acc",
                         "PyTorch items/s", "engine / PyTorch", "same acc"], body), ""]
        for r in evals:
            p = py.get((r["task"], r["mode"])) if r.get("model") == "base" else None
            if p:
                ratio = r["items_per_s"] / p["items_per_s"]
                lines.append(f"- {r['task']} {r['mode']}: engine / PyTorch = {ratio:.2f}x, "
                             f"goal >= 1.0: {verdict(ratio >= GOALS['engine_over_pytorch'])}")
        lines.append("")
    print("\n".join(lines))


if __name__ == "__main__":
    main()
