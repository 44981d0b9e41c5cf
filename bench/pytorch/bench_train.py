#!/usr/bin/python3
"""PyTorch-eager baseline of bench/bench_train: the same model (llama_eager.py), the same
training step as core/train/trainer.cpp with the "builtin-full" / "builtin-lora" presets
(batch 16 as 2 micro-batches of 8 x 128 tokens, loss on every token, AdamW with decay on matrices
only, global-norm clipping at 1.0) on the same synthetic examples. Prints JSON lines.

Usage: /usr/bin/python3 bench/pytorch/bench_train.py [--out FILE] [--steps 20]
       [--warmup-steps 3] [--methods full,lora] [--model DIR|random] [--threads 2] [--round N]
       [--lockstep IN_FIFO,OUT_FIFO,first|second]
"""

import argparse
import ctypes
import json
import os
import sys
import time

import torch
import torch.nn.functional as F

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import llama_eager as L  # noqa: E402

PROMPT_BYTES, ANSWER_BYTES, SEQUENCE = 100, 26, 128
ALPHABET = "abcdefghijklmnopqrstuvwxyz "

# The presets' schedule and adapter fields that matter here (pipeline/presets.cpp).
PRESETS = {
    "full": {"lr": 1e-4, "lora_rank": None},
    "lora": {"lr": 5e-4, "lora_rank": 32, "lora_alpha": 64.0},
}
BATCH, GRAD_ACCUM, WEIGHT_DECAY, BETAS, EPS, MAX_GRAD_NORM = 16, 2, 0.01, (0.9, 0.999), 1e-8, 1.0


class OtherLoad:
    """Cores kept busy by every other process while running (/proc/stat minus our own CPU
    time), pausable, as bench_harness.h's OtherLoad."""

    def __init__(self):
        self.ticks, self.seconds, self.running = 0.0, 0.0, False
        self.resume()

    @staticmethod
    def _busy():
        with open("/proc/stat") as f:
            v = [int(x) for x in f.readline().split()[1:9]]
        return (v[0] + v[1] + v[2] + v[5] + v[6] + v[7]) / os.sysconf("SC_CLK_TCK")

    @staticmethod
    def _own():
        t = os.times()
        return t.user + t.system

    def resume(self):
        self.system, self.own, self.t0, self.running = (self._busy(), self._own(),
                                                        time.perf_counter(), True)

    def pause(self):
        if self.running:
            self.ticks += (self._busy() - self.system) - (self._own() - self.own)
            self.seconds += time.perf_counter() - self.t0
            self.running = False

    def cores(self):
        if self.running:
            self.pause()
            self.resume()
        return max(0.0, self.ticks / self.seconds) if self.seconds > 0 else 0.0


class Lockstep:
    """bench_harness.h's Lockstep: take turns with the engine process, unit by unit. Spec
    "IN_FIFO,OUT_FIFO,first|second"; None disables it."""

    TIMEOUT_S = 600

    def __init__(self, spec):
        self.active, self.turns = False, 0
        if not spec:
            return
        in_path, out_path, role = spec.split(",")
        self.first = role == "first"
        if self.first:
            self.out_fd = os.open(out_path, os.O_WRONLY)
            self.in_fd = os.open(in_path, os.O_RDONLY)
        else:
            self.in_fd = os.open(in_path, os.O_RDONLY)
            self.out_fd = os.open(out_path, os.O_WRONLY)
        self.active = True

    def _wait(self):
        import select
        ready, _, _ = select.select([self.in_fd], [], [], self.TIMEOUT_S)
        if not ready or len(os.read(self.in_fd, 1)) != 1:
            self.active = False

    def turn(self):
        if not self.active:
            return
        self.turns += 1
        if self.turns == 1:
            if not self.first:
                self._wait()
            return
        try:
            os.write(self.out_fd, b"t")
        except OSError:
            self.active = False
            return
        self._wait()


def synthetic_text(step, index, offset, length):
    """bench_train.cpp's syntheticText."""
    return "".join(ALPHABET[(step * 7919 + index * 131 + (offset + j) * 17) % 27]
                   for j in range(length))


def micro_batch(step, micro, size):
    """trainer.cpp + batch_builder.cpp: BOS + prompt + answer + EOS, loss on every token after
    BOS (the built-in presets' answer_only_loss false)."""
    ids, labels = [], []
    for i in range(size):
        index = micro * size + i
        prompt = synthetic_text(step, index, 0, PROMPT_BYTES).encode()
        answer = synthetic_text(step, index, PROMPT_BYTES, ANSWER_BYTES).encode()
        row = [L.BOS] + list(prompt) + list(answer) + [L.EOS]
        lab = [-100] * len(row)
        for t in range(1, len(row)):
            lab[t - 1] = row[t]
        ids.append(row)
        labels.append(lab)
    ids = torch.tensor(ids, dtype=torch.long)
    return ids, torch.ones_like(ids), torch.tensor(labels, dtype=torch.long)


def builtin_model_dir():
    """Where the workbench keeps the built-in model (core/jobs WorkbenchPaths, same rules)."""
    if os.environ.get("SLIM_BUILTIN_MODEL"):
        return os.environ["SLIM_BUILTIN_MODEL"]
    if os.environ.get("XDG_DATA_HOME"):
        home = os.path.join(os.environ["XDG_DATA_HOME"], "slim-workbench")
    elif os.environ.get("HOME"):
        home = os.path.join(os.environ["HOME"], ".local/share/slim-workbench")
    else:
        home = os.path.join(os.getcwd(), ".slim-workbench")
    installed = os.path.join(home, "models", "builtin-v1")
    if os.path.exists(os.path.join(installed, "config.json")):
        return installed
    # Not installed yet: the copy shipped with the sources, which the engine installs.
    return os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "resources",
                        "base-model")


def make_model(source):
    if source != "random":
        model_dir = source or builtin_model_dir()
        if os.path.exists(os.path.join(model_dir, "config.json")):   # built-in or any Llama
            return L.load_model(model_dir), model_dir
    torch.manual_seed(1)
    return L.CausalLm(L.builtin_config()), "random init of PretrainPlan::builtin().model"


def run_method(method, args):
    preset = PRESETS[method]
    torch.manual_seed(1234)
    model, used = make_model(args.model)
    model.train()
    if preset["lora_rank"]:
        params = L.attach_lora(model, preset["lora_rank"], preset["lora_alpha"])
    else:
        params = list(model.parameters())
    decay = [p for p in params if p.dim() >= 2]
    no_decay = [p for p in params if p.dim() < 2]
    groups = [{"params": decay, "weight_decay": WEIGHT_DECAY}]
    if no_decay:
        groups.append({"params": no_decay, "weight_decay": 0.0})
    opt = torch.optim.AdamW(groups, lr=preset["lr"], betas=BETAS, eps=EPS)
    micro_size = BATCH // GRAD_ACCUM
    times, losses = [], []
    lockstep, other = Lockstep(args.lockstep), OtherLoad()

    def turn():  # waiting for the partner is not other load
        other.pause()
        lockstep.turn()
        other.resume()

    turn()
    for step in range(args.warmup_steps + args.steps):
        if step > 0:
            turn()
        t0 = time.perf_counter()
        opt.zero_grad()
        step_loss = torch.zeros(())
        for micro in range(GRAD_ACCUM):
            ids, mask, labels = micro_batch(step, micro, micro_size)
            logits = model(ids, mask)
            lm = F.cross_entropy(logits.reshape(-1, logits.size(-1)).float(), labels.reshape(-1),
                                 ignore_index=-100)
            (lm / GRAD_ACCUM).backward()
            step_loss = step_loss + lm.detach() / GRAD_ACCUM
        torch.nn.utils.clip_grad_norm_(params, MAX_GRAD_NORM)
        opt.step()
        times.append(time.perf_counter() - t0)
        losses.append(step_loss)
    timed = sorted(times[args.warmup_steps:])
    median = timed[len(timed) // 2] if len(timed) % 2 else 0.5 * (
        timed[len(timed) // 2 - 1] + timed[len(timed) // 2])
    tokens = BATCH * SEQUENCE
    return {"record": "train_step", "implementation": "pytorch-eager", "method": method,
            "model": used, "batch_size": BATCH, "grad_accum": GRAD_ACCUM, "sequence": SEQUENCE,
            "tokens_per_step": tokens,
            "trainable_parameters": sum(p.numel() for p in params),
            "warmup_steps": args.warmup_steps, "step_ms": median * 1e3,
            "tokens_per_s": tokens / median,
            "timing": {"repeats": len(timed), "median_s": median, "min_s": timed[0],
                       "max_s": timed[-1], "spread": (timed[-1] - timed[0]) / median,
                       "samples_s": times[args.warmup_steps:]},
            "first_step_loss": float(losses[0]),
            "other_cores": other.cores(), "lockstep": bool(args.lockstep),
            "loadavg_before": None}


def common_arguments():
    """The arguments both PyTorch baselines take, as the engine's benchmarks do."""
    p = argparse.ArgumentParser()
    p.add_argument("--out")
    p.add_argument("--model", default="")
    p.add_argument("--threads", type=int, default=os.cpu_count())
    p.add_argument("--quick", action="store_true")
    p.add_argument("--round", type=int, default=1)
    p.add_argument("--lockstep", help="IN_FIFO,OUT_FIFO,first|second")
    return p


def keep_freed_memory_in_the_heap():
    """The engine's allocator rule (core/common/allocator_tuning.cpp), so both sides allocate
    alike: glibc maps blocks below 256 MB from the heap and keeps up to 512 MB of freed heap."""
    libc = ctypes.CDLL("libc.so.6")
    M_TRIM_THRESHOLD, M_MMAP_THRESHOLD = -1, -3
    libc.mallopt(M_MMAP_THRESHOLD, 256 * 1024 * 1024)
    libc.mallopt(M_TRIM_THRESHOLD, 512 * 1024 * 1024)


def parse_common(p):
    """Parses the arguments, applies --threads and the engine's allocator rule."""
    args = p.parse_args()
    torch.set_num_threads(args.threads)
    keep_freed_memory_in_the_heap()
    return args


def json_lines(path):
    """write(record): prints a JSON line, and appends it to `path` when one is given."""
    out = open(path, "a") if path else None

    def write(record):
        line = json.dumps(record)
        print(line, flush=True)
        if out:
            out.write(line + "\n")
            out.flush()
    return write


def main():
    p = common_arguments()
    p.add_argument("--steps", type=int, default=20)
    p.add_argument("--warmup-steps", type=int, default=3)
    p.add_argument("--methods", default="full,lora")
    args = parse_common(p)
    if args.quick:
        args.steps, args.warmup_steps = 3, 1
    write = json_lines(args.out)
    write({"record": "machine", "benchmark": "pytorch/bench_train.py",
           "torch": torch.__version__, "torch_threads": torch.get_num_threads(),
           "python": sys.version.split()[0], "parallel": torch.__config__.parallel_info()})
    for method in args.methods.split(","):
        before = os.getloadavg()[0]
        record = run_method(method, args)
        record["loadavg_before"], record["loadavg_after"] = before, os.getloadavg()[0]
        record["round"] = args.round
        write(record)


if __name__ == "__main__":
    main()
