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
    "tokenizer_over_reference": 1.0,  # engine tokenizer MB/s / tokenizers.js, at least
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


def median(values):
    v = sorted(values)
    n = len(v)
    return v[n // 2] if n % 2 else 0.5 * (v[n // 2 - 1] + v[n // 2])


def pooled(records, key):
    """Records of several rounds -> {key: (first record, pooled per-repeat seconds, rounds)}.
    Where some records of a key ran in lock-step with the PyTorch baseline, only those count
    (they are the ones compared with it)."""
    paired = {key(r) for r in records if r.get("lockstep")}
    out = {}
    for r in records:
        if key(r) in paired and not r.get("lockstep"):
            continue
        k = key(r)
        first, samples, rounds = out.get(k, (r, [], 0))
        out[k] = (first, samples + r["timing"]["samples_s"], rounds + 1)
    return out


def spread_of(samples):
    m = median(samples)
    return f"{100 * (max(samples) - min(samples)) / m:.0f}%"


def table(headers, rows):
    out = ["| " + " | ".join(headers) + " |", "|" + "---|" * len(headers)]
    out += ["| " + " | ".join(fmt(c) for c in row) + " |" for row in rows]
    return "\n".join(out)


def verdict(ok):
    return "**met**" if ok else "**missed**"


def eval_section(title, evals, evals_py):
    """The engine's evaluation throughput against PyTorch eager on the same token requests."""
    lines = []
    ev = pooled([r for r in evals if r["record"] == "eval"],
                lambda r: (r["task"], r["mode"], r["model"]))
    if ev:
        py = pooled([r for r in evals_py if r["record"] == "eval"],
                    lambda r: (r["task"], r["mode"]))
        lines += [f"## {title}", "",
                  "Pooled over all rounds.", ""]
        body, verdicts = [], []
        for (task, mode, model), (r, samples, rounds) in ev.items():
            ips = r["items"] / median(samples)
            p = py.get((task, mode)) if model == "base" else None
            pips = p[0]["items"] / median(p[1]) if p else None
            same = None
            if p:
                same = "yes" if all(x["acc_matches_engine"] for x in evals_py
                                    if x.get("task") == task and x.get("mode") == mode) else "NO"
                verdicts.append(f"- {task} {mode}: engine / PyTorch = {ips / pips:.2f}x, "
                                f"goal >= 1.0: {verdict(ips / pips >= GOALS['engine_over_pytorch'])}")
            body.append([task, mode, model, r["items"], ips, spread_of(samples), len(samples),
                         r["acc"], pips, ips / pips if p else None, same])
        lines += [table(["task", "mode", "model", "items", "items/s", "spread", "repeats",
                         "acc", "PyTorch items/s", "engine / PyTorch", "same acc"], body), ""]
        lines += verdicts + [""]
    return lines


def main():
    d = sys.argv[1] if len(sys.argv) > 1 else "build/bench-results"
    env = load(d, "environment.jsonl")
    layers, train, train_py = load(d, "layers.jsonl"), load(d, "train.jsonl"), load(
        d, "train_pytorch.jsonl")
    evals, evals_py = load(d, "eval.jsonl"), load(d, "eval_pytorch.jsonl")
    pairs = load(d, "train_pairs.jsonl")
    lines = ["# Benchmark summary", ""]
    if env:
        e = env[0]
        lines += [f"- CPU: {e['cpu']}, {e['cores']} cores, RAM {e['mem_total']}",
                  f"- OS: {e['os']}, kernel {e['kernel']}",
                  f"- packages: {e['packages']}",
                  f"- BLAS: {e['blas']}", f"- commit: {e['git_commit']} "
                  f"(uncommitted changes in core/ or bench/: {e['git_dirty']})",
                  f"- command: `{e['command']}`, started {e['started']}", ""]
    others = [r["other_cores"] for src in (layers, train, train_py, evals, evals_py, pairs)
              for r in src
              if r.get("other_cores") is not None]
    if others:
        lines += [f"Cores kept busy by other processes while measuring: mean "
                  f"{sum(others) / len(others):.2f}, max {max(others):.2f} (of "
                  f"{env[0]['cores'] if env else '?'}).", ""]

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

    steps = pooled([r for r in train if r["record"] == "train_step"], lambda r: r["method"])
    if steps:
        peaks = [r["gflops"] for r in train if r["record"] == "gemm_peak"]
        peak_gflops = max(peaks)
        py = pooled([r for r in train_py if r["record"] == "train_step"], lambda r: r["method"])
        lines += ["## Training step of the built-in model (batch 16 x 128 tokens)", "",
                  f"Pooled over all rounds; MFU against the best GEMM peak measured in this "
                  f"run, {peak_gflops:.1f} GFLOP/s.", ""]
        body = []
        for method, (r, samples, rounds) in steps.items():
            step_s = median(samples)
            tps = r["tokens_per_step"] / step_s
            p = py.get(method)
            ptps = p[0]["tokens_per_step"] / median(p[1]) if p else None
            body.append([method, r["trainable_parameters"], step_s * 1e3, spread_of(samples),
                         len(samples), tps, r["gemm_flops_per_step"] / 1e9,
                         r["gemm_flops_per_step"] / step_s / 1e9,
                         100 * r["gemm_flops_per_step"] / step_s / 1e9 / peak_gflops,
                         ptps, tps / ptps if p else None])
        lines += [table(["method", "trainable", "step ms", "spread", "steps", "tokens/s",
                         "GFLOP/step", "GFLOP/s", "MFU %", "PyTorch tokens/s",
                         "engine / PyTorch"], body), ""]
        for method, (r, samples, rounds) in steps.items():
            p = py.get(method)
            if not p:
                continue
            ratio = median(p[1]) / median(samples)
            same = abs(r["first_step_loss"] - p[0]["first_step_loss"]) < 1e-4
            lines.append(
                f"- {method}: engine / PyTorch = {ratio:.2f}x over {rounds} + {p[2]} rounds "
                f"({len(samples)} vs {len(p[1])} steps), goal >= 1.0: "
                f"{verdict(ratio >= GOALS['engine_over_pytorch'])}; first-step loss "
                f"{r['first_step_loss']:.6f} vs {p[0]['first_step_loss']:.6f} "
                f"({'same model' if same else 'DIFFERENT'})")
        lines.append("")

    paired = pooled([r for r in pairs if r["record"] == "train_step"], lambda r: r["method"])
    if "slim" in paired and "lora" in paired:
        slim_s, lora_s = median(paired["slim"][1]), median(paired["lora"][1])
        lines += ["## SLIM against LoRA, whole training step, in lock-step", "",
                  "The two methods' trainers in separate processes taking turns step by step, "
                  "so a drift of the machine's speed hits both alike.", "",
                  table(["method", "step ms", "spread", "steps"],
                        [[m, median(x[1]) * 1e3, spread_of(x[1]), len(x[1])]
                         for m, x in paired.items()]), "",
                  f"- SLIM / LoRA whole training step = {slim_s / lora_s:.2f}x over "
                  f"{paired['slim'][2]} rounds", ""]

    lines += eval_section("Evaluation throughput (multiple-choice items/s, batch 32)",
                          evals, evals_py)
    lines += eval_section("Evaluation of an lm-eval suite on a real-shaped model "
                          "(HellaSwag-shaped items; d 512, 8/2 heads, vocab 32000; items/s)",
                          load(d, "eval_suite.jsonl"), load(d, "eval_suite_pytorch.jsonl"))

    tokenizer = load(d, "tokenizer.jsonl")
    if tokenizer:
        lines += ["## Tokenizer throughput against tokenizers.js", "",
                  "Each repeat encodes the whole corpus once with a fresh engine tokenizer, then "
                  "once in a fresh Node process (timed inside it: encoding only).", ""]
        body, verdicts = [], []
        for r in tokenizer:
            name = os.path.basename(os.path.dirname(r["tokenizer"].rstrip("/")))
            body.append([name, r["corpus"], r["bytes"], r["engine_mb_per_s"],
                         r["reference_mb_per_s"], r["engine_speedup"],
                         r["engine"]["repeats"], "yes" if r["tokens_agree"] else "NO"])
            verdicts.append(f"- {name}: engine / tokenizers.js = {r['engine_speedup']:.2f}x, goal "
                            f">= 1.0: {verdict(r['engine_speedup'] >= GOALS['tokenizer_over_reference'])}")
        lines += [table(["tokenizer", "corpus", "bytes", "engine MB/s", "tokenizers.js MB/s",
                         "engine / tokenizers.js", "repeats", "same token count"], body), ""]
        lines += verdicts + [""]
    print("\n".join(lines))


if __name__ == "__main__":
    main()
