#!/usr/bin/python3
"""PyTorch-eager baseline of bench/bench_eval: multiple-choice scoring of the very sequences the
engine's evaluator scored (bench_eval --requests=FILE writes them), batched the same way
(longest first, right-padded, batch 32), in both modes of core/eval/token_scoring.cpp:
log-likelihood of each choice's continuation, and the label-token logits at the last prompt
position. Checks that its accuracies equal the engine's. Prints JSON lines.

Usage: /usr/bin/python3 bench/pytorch/bench_eval.py --requests FILE [--out FILE]
       [--repeats 7] [--warmup 2] [--model DIR|random] [--threads 2] [--round N]
       [--lockstep IN_FIFO,OUT_FIFO,first|second]
"""

import json
import os
import statistics
import sys
import time

import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import llama_eager as L  # noqa: E402
from bench_train import (Lockstep, OtherLoad, common_arguments, json_lines,  # noqa: E402
                         make_model, parse_common)


def pad_right(rows):
    longest = max(len(r) for r in rows)
    ids = torch.full((len(rows), longest), L.PAD, dtype=torch.long)
    mask = torch.zeros((len(rows), longest), dtype=torch.long)
    for i, r in enumerate(rows):
        ids[i, :len(r)] = torch.tensor(r, dtype=torch.long)
        mask[i, :len(r)] = 1
    return ids, mask


def longest_first(lengths):
    return sorted(range(len(lengths)), key=lambda i: -lengths[i])  # stable, as C++


@torch.inference_mode()
def score_requests(model, requests, batch_size):
    """token_scoring.cpp's scoreRequests: summed log-likelihood of the scored tail."""
    order = longest_first([len(r["tokens"]) for r in requests])
    out = [None] * len(requests)
    for start in range(0, len(order), batch_size):
        chunk = order[start:start + batch_size]
        ids, mask = pad_right([requests[i]["tokens"][:-1] for i in chunk])
        tgt, _ = pad_right([requests[i]["tokens"][1:] for i in chunk])
        logits = model(ids, mask)
        log_probs = torch.log_softmax(logits, -1)
        picked = log_probs.gather(-1, tgt.unsqueeze(-1)).squeeze(-1)
        greedy = logits.argmax(-1).eq(tgt)
        picked = picked.double().tolist()
        greedy = greedy.tolist()
        for row, i in enumerate(chunk):
            n = len(requests[i]["tokens"]) - 1
            first = n - requests[i]["scored"]
            out[i] = (sum(picked[row][first:n]), all(greedy[row][first:n]))
    return out


@torch.inference_mode()
def last_position_logits(model, prompts, batch_size):
    """token_scoring.cpp's lastPositionLogits."""
    order = longest_first([len(p) for p in prompts])
    out = torch.zeros(len(prompts), model.config.vocab_size)
    for start in range(0, len(order), batch_size):
        chunk = order[start:start + batch_size]
        ids, mask = pad_right([prompts[i] for i in chunk])
        hidden = model.hidden_states(ids, mask)
        last = torch.tensor([len(prompts[i]) - 1 for i in chunk], dtype=torch.long)
        logits = model.logits_from_hidden(hidden[torch.arange(len(chunk)), last])
        out.index_copy_(0, torch.tensor(chunk, dtype=torch.long), logits)
    return out


def loglikelihood_acc(model, items, batch_size):
    flat = [r for item in items for r in item["requests"]]
    scores = score_requests(model, flat, batch_size)
    correct, k = 0, 0
    for item in items:
        lls = [s[0] for s in scores[k:k + len(item["requests"])]]
        k += len(item["requests"])
        correct += int(max(range(len(lls)), key=lambda j: (lls[j], -j)) == item["gold"])
    return correct / len(items)


def label_acc(model, items, batch_size):
    logits = last_position_logits(model, [item["prompt"] for item in items], batch_size)
    correct = 0
    with torch.inference_mode():
        for i, item in enumerate(items):
            lp = torch.log_softmax(logits[i].index_select(0, torch.tensor(item["label_ids"])), 0)
            correct += int(int(lp.double().argmax()) == item["gold"])
    return correct / len(items)


def main():
    p = common_arguments()
    p.add_argument("--requests", required=True)
    p.add_argument("--repeats", type=int, default=7)
    p.add_argument("--warmup", type=int, default=2)
    args = parse_common(p)
    if args.quick:
        args.repeats, args.warmup = 2, 1
    with open(args.requests) as f:
        dump = json.load(f)
    model, used = make_model(args.model)
    model.eval()
    batch = dump["batch_size"]
    write = json_lines(args.out)

    write({"record": "machine", "benchmark": "pytorch/bench_eval.py", "torch": torch.__version__,
           "torch_threads": torch.get_num_threads(), "model": used})
    lockstep = Lockstep(args.lockstep)
    for task in dump["tasks"]:
        for mode, fn in (("loglikelihood", loglikelihood_acc), ("label_logits", label_acc)):
            items = task[mode]
            before, other = os.getloadavg()[0], OtherLoad()

            def turn():  # waiting for the partner is not other load
                other.pause()
                lockstep.turn()
                other.resume()

            for _ in range(args.warmup):
                turn()
                fn(model, items, batch)
            times = []
            for _ in range(args.repeats):
                turn()
                t0 = time.perf_counter()
                acc = fn(model, items, batch)
                times.append(time.perf_counter() - t0)
            median = statistics.median(times)
            engine_acc = task.get(mode + "_acc")
            write({"record": "eval", "implementation": "pytorch-eager", "round": args.round,
                   "lockstep": bool(args.lockstep),
                   "other_cores": other.cores(), "task": task["task"],
                   "model": "base", "mode": mode, "items": len(items), "batch_size": batch,
                   "items_per_s": len(items) / median, "ms": median * 1e3, "acc": acc,
                   "engine_acc": engine_acc,
                   "acc_matches_engine": engine_acc is not None and abs(acc - engine_acc) < 1e-9,
                   "timing": {"repeats": len(times), "median_s": median, "min_s": min(times),
                              "max_s": max(times),
                              "spread": (max(times) - min(times)) / median,
                              "samples_s": times},
                   "loadavg_before": before, "loadavg_after": os.getloadavg()[0]})


if __name__ == "__main__":
    main()
