#!/usr/bin/python3
"""lm-evaluation-harness's log-likelihood scoring, an oracle for the C++ suite tests.

Reads requests as `slimctl prompts` prints them (one JSON object a line: choice tasks'
{"context", "continuations", "gold"}, WinoGrande's {"contexts", "continuation", "gold"}) and a
checkpoint written by hf_reference.py (byte tokenizer with BOS), and scores them as lm-eval's
HFLM and ConfigurableTask.process_results do: trailing whitespace of a context moved onto its
continuation, continuation tokens = enc(context + continuation)[len(enc(context)):], the summed
log-probabilities of those tokens; acc = argmax == gold (first maximum), acc_norm divides by the
choice's length in characters (without the target delimiter); stderr = sample standard
deviation (ddof 1) / sqrt(n). Prints {"acc": [value, stderr], "acc_norm": [value, stderr]}.

    lm_eval_reference.py MODEL_DIR PROMPTS.jsonl

With generation requests ({"context", "target"}), greedy generation as lm-eval's HFLM
generate_until does it: the context's tokens, then the argmax token (first maximum) step by
step until the EOS token, a stop string in the decoded text (cut before it) or MAX_NEW tokens;
prints {"generation": text} a line, in input order:

    lm_eval_reference.py MODEL_DIR PROMPTS.jsonl --generate MAX_NEW STOP [STOP ...]
"""

import json
import math
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import hf_reference  # noqa: E402

BOS = hf_reference.BOS


def encode(text):
    return [BOS] + list(text.encode("utf-8"))


def loglikelihood(spec, tensors, context, continuation):
    n = len(context) - len(context.rstrip())
    if n > 0:
        context, continuation = context[:-n], context[-n:] + continuation
    whole, ctx = encode(context + continuation), encode(context)
    logprobs = hf_reference.forward_logprobs(spec, tensors, whole)
    return sum(logprobs[i] for i in range(len(ctx), len(whole)))


def first_argmax(values):
    best = 0
    for i, v in enumerate(values):
        if v > values[best]:
            best = i
    return best


def mean_and_stderr(xs):
    mean = sum(xs) / len(xs)
    if len(xs) < 2:
        return [mean, float("nan")]
    var = sum((x - mean) ** 2 for x in xs) / (len(xs) - 1)
    return [mean, math.sqrt(var) / math.sqrt(len(xs))]


def decode(ids):
    """The byte tokenizer's decode with special tokens skipped: its bytes as UTF-8, or, when they
    are not valid UTF-8, one U+FFFD per byte (the ByteFallback decoder of Hugging Face's
    tokenizers)."""
    data = bytes(i for i in ids if i < 256)
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return "\ufffd" * len(data)


def generate(spec, tensors, context, max_new, stops):
    ids = encode(context)[-(spec.max_pos - max_new):]   # HFLM keeps the context's last tokens
    new = []
    for _ in range(max_new):
        logp = hf_reference.forward_log_softmax(spec, tensors, ids + new)[-1]
        token = first_argmax(logp.tolist())
        if token == hf_reference.EOS:
            break
        new.append(token)
        text = decode(new)
        cut = min((text.find(s) for s in stops if s in text), default=-1)
        if cut >= 0:
            return text[:cut]
    return decode(new)


def main():
    model, prompts = sys.argv[1], sys.argv[2]
    if len(sys.argv) > 3 and sys.argv[3] == "--generate":
        spec, tensors, _ = hf_reference.load_checkpoint(model)
        max_new, stops = int(sys.argv[4]), sys.argv[5:]
        for line in open(prompts, encoding="utf-8"):
            r = json.loads(line)
            print(json.dumps({"generation": generate(spec, tensors, r["context"], max_new, stops)}))
        return
    spec, tensors, _ = hf_reference.load_checkpoint(model)
    acc, acc_norm = [], []
    for line in open(prompts, encoding="utf-8"):
        r = json.loads(line)
        if "contexts" in r:   # partial evaluation: the continuation is shared
            lls = [loglikelihood(spec, tensors, c, r["continuation"]) for c in r["contexts"]]
            lengths = None
        else:
            lls = [loglikelihood(spec, tensors, r["context"], c) for c in r["continuations"]]
            lengths = [len(c[1:]) for c in r["continuations"]]   # the choice, not its delimiter
        acc.append(1.0 if first_argmax(lls) == r["gold"] else 0.0)
        if lengths:
            acc_norm.append(1.0 if first_argmax([l / n for l, n in zip(lls, lengths)]) == r["gold"] else 0.0)
    out = {"acc": mean_and_stderr(acc)}
    if acc_norm:
        out["acc_norm"] = mean_and_stderr(acc_norm)
    print(json.dumps(out))


if __name__ == "__main__":
    main()
