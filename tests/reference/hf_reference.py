#!/usr/bin/python3
"""Independent reference of Hugging Face transformers' and PEFT's semantics, an oracle for the C++ tests.

Written from the semantics (../shared/docs/hf-semantics.md), checked by reading transformers' v4
Llama/Mistral/Qwen2/Qwen3 modeling code, modeling_rope_utils and masking_utils and PEFT's
tuners/lora; no code is copied and neither library is imported. Needs only the standard library
and torch (Debian's /usr/bin/python3). Safetensors are read and written by hand.

    make-checkpoint    a small random checkpoint laid out as transformers' save_pretrained writes it
    make-peft-adapter  a random LoRA/DoRA adapter laid out as PEFT's save_pretrained writes it
    logprobs           log P(id_i | ids_<i) of one sequence, optionally with a PEFT adapter
    merge-peft         the base with the adapter merged in, in the base's dtype and layout
"""

import argparse
import json
import math
import os
import re
import shutil
import struct
import sys

import torch
import torch.nn.functional as F

TRANSFORMERS_VERSION = "4.51.3"   # the version written into config.json
PEFT_VERSION = "0.17.1"           # the version written into adapter_config.json

ST_DTYPES = {"F32": torch.float32, "F16": torch.float16, "BF16": torch.bfloat16, "F64": torch.float64}
ST_NAMES = {v: k for k, v in ST_DTYPES.items()}
CLI_DTYPES = {"f32": torch.float32, "f16": torch.float16, "bf16": torch.bfloat16}
HF_DTYPE_NAMES = {torch.float32: "float32", torch.float16: "float16", torch.bfloat16: "bfloat16"}
ARCH_CLASSES = {"llama": "LlamaForCausalLM", "mistral": "MistralForCausalLM",
                "qwen2": "Qwen2ForCausalLM", "qwen3": "Qwen3ForCausalLM"}
ROPE_TYPES = ("default", "linear", "dynamic", "llama3")
BOS, EOS, PAD, BYTE_VOCAB = 256, 257, 258, 259   # core/model/byte_tokenizer.h


def fail(message):
    raise SystemExit("hf_reference: " + message)


def warn(message):
    print("hf_reference: warning: " + message, file=sys.stderr)


def write_json(path, obj, trailing_newline=True):
    with open(path, "w") as f:
        f.write(json.dumps(obj, indent=2, sort_keys=True) + ("\n" if trailing_newline else ""))


def read_json(path):
    try:
        with open(path) as f:
            return json.load(f)
    except (OSError, ValueError) as e:
        fail(f"{path}: {e}")


# ---------------------------------------------------------------------------------------------
# Safetensors: u64 LE header length, JSON header {name: {dtype, shape, data_offsets}} with an
# optional "__metadata__" of strings, then the raw little-endian data.

def read_safetensors(path):
    """Returns ({name: tensor} in file order, metadata)."""
    with open(path, "rb") as f:
        raw = f.read()
    if len(raw) < 8:
        fail(f"{path}: too short for a safetensors file")
    (n,) = struct.unpack("<Q", raw[:8])
    header = json.loads(raw[8:8 + n])
    metadata = header.pop("__metadata__", None) or {}
    tensors = {}
    for name, info in sorted(header.items(), key=lambda kv: kv[1]["data_offsets"][0]):
        if info["dtype"] not in ST_DTYPES:
            fail(f"{path}: tensor {name} has dtype {info['dtype']} (F32, F16, BF16, F64 supported)")
        dtype, (start, end) = ST_DTYPES[info["dtype"]], info["data_offsets"]
        numel = math.prod(info["shape"])
        if end - start != numel * torch.empty(0, dtype=dtype).element_size() or 8 + n + end > len(raw):
            fail(f"{path}: tensor {name}: data_offsets do not match its shape or the file")
        buf = bytearray(raw[8 + n + start:8 + n + end])
        t = torch.frombuffer(buf, dtype=dtype) if numel else torch.empty(0, dtype=dtype)
        tensors[name] = t.reshape(info["shape"])
    return tensors, metadata


def tensor_bytes(t):
    t = t.detach().contiguous().cpu()
    if t.dtype == torch.bfloat16:   # numpy has no bfloat16: take the bits
        t = t.view(torch.int16)
    return t.numpy().tobytes()


def write_safetensors(path, tensors, metadata=None):
    """Tensors are stored sorted by name, as the safetensors library does for one dtype."""
    header = {"__metadata__": metadata} if metadata else {}
    blobs, offset = [], 0
    for name in sorted(tensors):
        data = tensor_bytes(tensors[name])
        header[name] = {"dtype": ST_NAMES[tensors[name].dtype], "shape": list(tensors[name].shape),
                        "data_offsets": [offset, offset + len(data)]}
        blobs.append(data)
        offset += len(data)
    head = json.dumps(header, separators=(",", ":")).encode()
    head += b" " * (-len(head) % 8)   # the header is padded with spaces to 8 bytes
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(head)) + head)
        for data in blobs:
            f.write(data)


# ---------------------------------------------------------------------------------------------
# The model description read from config.json, with the transformers class defaults for absent keys.

class Spec:
    def __init__(self, cfg, where="config.json"):
        self.cfg = cfg
        mt = cfg.get("model_type")
        archs = cfg.get("architectures") or [ARCH_CLASSES.get(mt, "?")]
        if mt not in ARCH_CLASSES:
            fail(f"{where}: model_type {mt!r} is not supported ({', '.join(ARCH_CLASSES)})")
        if archs != [ARCH_CLASSES[mt]]:
            fail(f"{where}: architectures {archs} does not match model_type {mt!r}")
        self.arch = mt
        for key in ("vocab_size", "hidden_size", "intermediate_size", "num_hidden_layers",
                    "num_attention_heads"):
            if not isinstance(cfg.get(key), int) or cfg[key] <= 0:
                fail(f"{where}: {key!r} must be a positive integer")
        self.vocab, self.hidden = cfg["vocab_size"], cfg["hidden_size"]
        self.inter, self.layers = cfg["intermediate_size"], cfg["num_hidden_layers"]
        self.heads = cfg["num_attention_heads"]
        self.kv_heads = cfg.get("num_key_value_heads") or self.heads
        if self.heads % self.kv_heads:
            fail(f"{where}: num_attention_heads must be a multiple of num_key_value_heads")
        # head_dim: the config's, else hidden/heads; Qwen3Config's class default is 128.
        self.head_dim = cfg.get("head_dim", 128 if mt == "qwen3" else None) or self.hidden // self.heads
        self.max_pos = cfg.get("max_position_embeddings", 2048)
        self.eps = cfg.get("rms_norm_eps", 1e-6)
        self.tied = bool(cfg.get("tie_word_embeddings", False))
        if cfg.get("hidden_act", "silu") != "silu":
            fail(f"{where}: hidden_act {cfg['hidden_act']!r} is not supported (silu)")
        if cfg.get("partial_rotary_factor", 1.0) != 1.0:
            fail(f"{where}: partial_rotary_factor is not supported")
        att_bias = bool(cfg.get("attention_bias", False))
        self.qkv_bias = {"llama": att_bias, "mistral": False, "qwen2": True, "qwen3": att_bias}[mt]
        self.o_bias = {"llama": att_bias, "mistral": False, "qwen2": False, "qwen3": att_bias}[mt]
        self.mlp_bias = mt == "llama" and bool(cfg.get("mlp_bias", False))
        self.qk_norm = mt == "qwen3"
        self._read_rope(where)
        self._read_windows(where)

    def _read_rope(self, where):
        cfg = self.cfg
        self.rope_theta = cfg.get("rope_theta", 10000.0)
        scaling = cfg.get("rope_scaling")
        if cfg.get("rope_parameters"):   # transformers 5 keeps theta and scaling together
            scaling = cfg["rope_parameters"]
            self.rope_theta = scaling.get("rope_theta", self.rope_theta)
        scaling = dict(scaling or {})
        self.rope_type = scaling.get("rope_type", scaling.get("type", "default"))
        if self.rope_type not in ROPE_TYPES:
            fail(f"{where}: rope_scaling type {self.rope_type!r} is not supported ({', '.join(ROPE_TYPES)})")
        self.rope = scaling
        needed = {"linear": ["factor"], "dynamic": ["factor"],
                  "llama3": ["factor", "low_freq_factor", "high_freq_factor",
                             "original_max_position_embeddings"]}.get(self.rope_type, [])
        for key in needed:
            if scaling.get(key) is None:
                fail(f"{where}: rope_scaling of type {self.rope_type!r} needs {key!r}")

    def _read_windows(self, where):
        """The sliding window of every layer (None: full causal attention)."""
        cfg, n = self.cfg, self.layers
        default_window = 4096 if self.arch in ("mistral", "qwen2", "qwen3") else None
        window = cfg.get("sliding_window", default_window)
        types = cfg.get("layer_types")
        if types:
            if len(types) != n or any(t not in ("full_attention", "sliding_attention") for t in types):
                fail(f"{where}: layer_types must list full_attention/sliding_attention for every layer")
            if "sliding_attention" in types and not window:
                fail(f"{where}: layer_types asks for sliding attention but sliding_window is not set")
            self.windows = [window if t == "sliding_attention" else None for t in types]
        elif self.arch == "mistral":
            self.windows = [window] * n
        elif self.arch in ("qwen2", "qwen3") and cfg.get("use_sliding_window", False) and window:
            first = cfg.get("max_window_layers", 28)
            self.windows = [window if i >= first else None for i in range(n)]
        else:
            self.windows = [None] * n

    def linears(self):
        """{module name: (out_features, in_features, has_bias)} of every nn.Linear, lm_head included."""
        H, hd, out = self.hidden, self.head_dim, {}
        for i in range(self.layers):
            a, m = f"model.layers.{i}.self_attn.", f"model.layers.{i}.mlp."
            out[a + "q_proj"] = (self.heads * hd, H, self.qkv_bias)
            out[a + "k_proj"] = (self.kv_heads * hd, H, self.qkv_bias)
            out[a + "v_proj"] = (self.kv_heads * hd, H, self.qkv_bias)
            out[a + "o_proj"] = (H, self.heads * hd, self.o_bias)
            out[m + "gate_proj"] = (self.inter, H, self.mlp_bias)
            out[m + "up_proj"] = (self.inter, H, self.mlp_bias)
            out[m + "down_proj"] = (H, self.inter, self.mlp_bias)
        out["lm_head"] = (self.vocab, H, False)
        return out

    def module_names(self):
        """Every submodule name of the XForCausalLM, in named_modules() order (what PEFT matches)."""
        names = ["model", "model.embed_tokens", "model.layers"]
        for i in range(self.layers):
            p = f"model.layers.{i}"
            names += [p, p + ".self_attn"] + [f"{p}.self_attn.{x}_proj" for x in "qkvo"]
            names += [p + ".self_attn.q_norm", p + ".self_attn.k_norm"] if self.qk_norm else []
            names += [p + ".mlp"] + [f"{p}.mlp.{x}_proj" for x in ("gate", "up", "down")]
            names += [p + ".mlp.act_fn", p + ".input_layernorm", p + ".post_attention_layernorm"]
        return names + ["model.norm", "model.rotary_emb", "lm_head"]

    def tensors(self):
        """{tensor name: (shape, kind)} in state_dict order; kind is matrix, bias or norm."""
        out = {"model.embed_tokens.weight": ((self.vocab, self.hidden), "matrix")}
        lin = self.linears()
        for i in range(self.layers):
            p = f"model.layers.{i}."
            mods = [f"self_attn.{x}_proj" for x in "qkvo"]
            mods += ["self_attn.q_norm", "self_attn.k_norm"] if self.qk_norm else []
            for m in mods + ["mlp.gate_proj", "mlp.up_proj", "mlp.down_proj"]:
                if m.endswith("_norm"):
                    out[p + m + ".weight"] = ((self.head_dim,), "norm")
                    continue
                o, i_, bias = lin[p + m]
                out[p + m + ".weight"] = ((o, i_), "matrix")
                if bias:
                    out[p + m + ".bias"] = ((o,), "bias")
            out[p + "input_layernorm.weight"] = ((self.hidden,), "norm")
            out[p + "post_attention_layernorm.weight"] = ((self.hidden,), "norm")
        out["model.norm.weight"] = ((self.hidden,), "norm")
        if not self.tied:
            out["lm_head.weight"] = ((self.vocab, self.hidden), "matrix")
        return out


# ---------------------------------------------------------------------------------------------
# Checkpoint folders: model.safetensors wins over model.safetensors.index.json.

def load_checkpoint(folder):
    """Returns (spec, {name: tensor in its stored dtype}, layout); layout = (index or None, {file: [names]})."""
    spec = Spec(read_json(os.path.join(folder, "config.json")), os.path.join(folder, "config.json"))
    single = os.path.join(folder, "model.safetensors")
    index_path = os.path.join(folder, "model.safetensors.index.json")
    tensors, files = {}, {}
    if os.path.exists(single):
        tensors, _ = read_safetensors(single)
        files["model.safetensors"], index = list(tensors), None
    elif os.path.exists(index_path):
        index = read_json(index_path)
        for shard in sorted(set(index["weight_map"].values())):
            part, _ = read_safetensors(os.path.join(folder, shard))
            files[shard] = list(part)
            tensors.update(part)
        for name, shard in index["weight_map"].items():
            if name not in tensors:
                fail(f"{index_path}: {name} is mapped to {shard}, which does not hold it")
    else:
        fail(f"{folder}: neither model.safetensors nor model.safetensors.index.json")
    for name, (shape, _) in spec.tensors().items():
        if name not in tensors:
            fail(f"{folder}: tensor {name} is missing")
        if tuple(tensors[name].shape) != shape:
            fail(f"{folder}: tensor {name} has shape {list(tensors[name].shape)}, expected {list(shape)}")
    extra = sorted(set(tensors) - set(spec.tensors()))
    if extra:
        warn(f"{folder}: ignoring {len(extra)} unexpected tensors, e.g. {extra[0]}")
    return spec, tensors, (index, files)


def save_checkpoint(folder, tensors, files):
    """files: {file name: [tensor names]}; more than one file gets an index as transformers writes it."""
    os.makedirs(folder, exist_ok=True)
    for name, names in files.items():
        write_safetensors(os.path.join(folder, name), {n: tensors[n] for n in names}, {"format": "pt"})
    if len(files) > 1:
        total = sum(t.numel() * t.element_size() for t in tensors.values())
        weight_map = {n: f for f, names in files.items() for n in names}
        write_json(os.path.join(folder, "model.safetensors.index.json"),
                   {"metadata": {"total_size": total}, "weight_map": weight_map})


# ---------------------------------------------------------------------------------------------
# RoPE, as modeling_rope_utils computes the inverse frequencies (in float32, like transformers).

def rope_inv_freq(spec, seq_len):
    dim, theta, rs = spec.head_dim, spec.rope_theta, spec.rope
    exponents = torch.arange(0, dim, 2, dtype=torch.int64).float() / dim

    def default(base):
        return 1.0 / (base ** exponents)

    if spec.rope_type == "default":
        return default(theta)
    factor = rs["factor"]
    if spec.rope_type == "linear":
        return default(theta) / factor
    if spec.rope_type == "dynamic":
        # NTK: at init the base is computed for max_position_embeddings (a no-op); a forward whose
        # length T = max(position_ids) + 1 exceeds it recomputes with T, which transformers passes
        # as a 0-d int64 tensor, so that base comes out as a float32 tensor.
        L = spec.max_pos
        t = torch.tensor(seq_len) if seq_len > L else L
        return default(theta * ((factor * t / L) - (factor - 1)) ** (dim / (dim - 2)))
    # llama3: high frequencies kept, low ones divided by factor, a smooth blend between.
    inv = default(theta)
    low, high = rs["low_freq_factor"], rs["high_freq_factor"]
    old_len = rs["original_max_position_embeddings"]
    wavelen = 2 * math.pi / inv
    scaled = torch.where(wavelen > old_len / low, inv / factor, inv)
    smooth = (old_len / wavelen - low) / (high - low)
    blended = (1 - smooth) * scaled / factor + smooth * scaled
    medium = ~(wavelen < old_len / high) & ~(wavelen > old_len / low)
    return torch.where(medium, blended, scaled)


def rotate_half(x):
    half = x.shape[-1] // 2
    return torch.cat((-x[..., half:], x[..., :half]), dim=-1)


# ---------------------------------------------------------------------------------------------
# PEFT LoRA / DoRA adapters.

def peft_config_problems(acfg):
    """What this reference (and PEFT's own LoraConfig checks) refuse in an adapter_config.json."""
    if acfg.get("peft_type") != "LORA":
        return f"peft_type {acfg.get('peft_type')!r} is not supported (LORA)"
    if isinstance(acfg.get("target_modules"), str) and acfg.get("layers_to_transform") is not None:
        return "layers_to_transform cannot be used when target_modules is a str (PEFT refuses it)"
    if acfg.get("bias", "none") != "none":
        return f"bias {acfg['bias']!r} is not supported (none)"
    for key in ("modules_to_save", "layer_replication", "target_parameters", "trainable_token_indices",
                "alora_invocation_tokens", "arrow_config", "use_bdlora", "velora_config",
                "monteclora_config", "kasa_config", "lora_bias", "use_qalora"):
        if acfg.get(key):
            return f"{key} is not supported"
    return None


def peft_targets(acfg, spec):
    """{module name: (r, alpha, scaling)} of the modules PEFT would wrap, matched as PEFT does."""
    problem = peft_config_problems(acfg)
    if problem:
        fail("adapter_config.json: " + problem)
    linears = spec.linears()
    targets = acfg.get("target_modules")
    if isinstance(targets, str) and targets.lower() == "all-linear":
        targets = [n for n in linears if n != "lm_head"]   # every linear but the output head
    if not targets:
        fail("adapter_config.json: target_modules is empty")
    exclude = acfg.get("exclude_modules")
    layers = acfg.get("layers_to_transform")
    patterns = acfg.get("layers_pattern")
    patterns = [patterns] if isinstance(patterns, str) else patterns

    def excluded(key):
        if isinstance(exclude, str):
            return re.fullmatch(exclude, key) is not None
        return bool(exclude) and (key in exclude or any(key.endswith("." + e) for e in exclude))

    def matched(key):
        if isinstance(targets, str):   # a regex, matched against the whole name
            return re.fullmatch(targets, key) is not None
        if key in targets:             # an exact name: layers_to_transform does not apply
            return True
        if not any(key.endswith("." + t) for t in targets):
            return False
        if layers is None or layers == []:
            return True
        found = None
        for p in patterns or [r"[^.]*"]:   # the first numbered segment is the layer index
            found = found or re.match(rf".*?\.{p}\.(\d+)\.", key)
        if found is None:
            return False
        index = int(found.group(1))
        return index == layers if isinstance(layers, int) else index in layers

    r0, alpha0 = acfg.get("r", 8), acfg.get("lora_alpha", 8)
    rank_pattern, alpha_pattern = acfg.get("rank_pattern") or {}, acfg.get("alpha_pattern") or {}

    def pattern_value(pattern, key, default):
        for k in pattern:   # first key that is the name or a dotted tail of it (a regex)
            if re.match(rf"(.*\.)?({k})$", key):
                return pattern[k]
        return default

    out = {}
    for key in spec.module_names():
        if excluded(key) or not matched(key):
            continue
        if key not in linears:
            fail(f"adapter targets {key}, which is not a linear layer (unsupported here)")
        r, alpha = pattern_value(rank_pattern, key, r0), pattern_value(alpha_pattern, key, alpha0)
        out[key] = (r, alpha, alpha / math.sqrt(r) if acfg.get("use_rslora") else alpha / r)
    if not out:
        fail(f"adapter_config.json: target modules {acfg.get('target_modules')} not found in the base model")
    return out


def load_adapter(folder, spec):
    """{module name: dict(A, B, scaling, magnitude or None)} with tensors in their stored dtype."""
    acfg = read_json(os.path.join(folder, "adapter_config.json"))
    if acfg.get("fan_in_fan_out"):
        warn("fan_in_fan_out is true but the targets are nn.Linear; PEFT resets it to false")
    tensors, _ = read_safetensors(os.path.join(folder, "adapter_model.safetensors"))
    linears, used, out = spec.linears(), set(), {}
    for name, (r, alpha, scaling) in peft_targets(acfg, spec).items():
        o, i, _ = linears[name]
        p = "base_model.model." + name
        want = {p + ".lora_A.weight": (r, i), p + ".lora_B.weight": (o, r)}
        if acfg.get("use_dora"):
            want[p + ".lora_magnitude_vector"] = (o,)
        for key, shape in want.items():
            if key not in tensors:
                fail(f"{folder}: adapter tensor {key} is missing")
            if tuple(tensors[key].shape) != shape:
                fail(f"{folder}: {key} has shape {list(tensors[key].shape)}, expected {list(shape)}")
        used.update(want)
        out[name] = {"A": tensors[p + ".lora_A.weight"], "B": tensors[p + ".lora_B.weight"],
                     "scaling": scaling, "magnitude": tensors.get(p + ".lora_magnitude_vector")}
    if set(tensors) - used:
        warn(f"{folder}: {len(set(tensors) - used)} adapter tensors match no target module")
    return out


def merged_weight(W, lora):
    """W' = W + s*B@A; DoRA: W' = (m / ||W + s*B@A||_row) * (W + s*B@A). In float32, then W's dtype."""
    delta = (lora["B"].float() @ lora["A"].float()) * lora["scaling"]
    merged = W.float() + delta
    if lora["magnitude"] is not None:
        merged = (lora["magnitude"].float() / torch.linalg.norm(merged, dim=1)).view(-1, 1) * merged
    return merged.to(W.dtype)


# ---------------------------------------------------------------------------------------------
# The causal-LM forward of one sequence.

class Linear:
    """nn.Linear, optionally wrapped as PEFT's lora.Linear (dropout 0, eval mode)."""

    def __init__(self, weight, bias, lora=None):
        self.weight, self.bias, self.lora = weight, bias, lora

    def __call__(self, x):
        y = F.linear(x, self.weight, self.bias)
        if self.lora is None:
            return y
        A, B, s, m = (self.lora[k] for k in ("A", "B", "scaling", "magnitude"))
        lora_out = F.linear(F.linear(x, A), B)
        if m is None:
            return y + lora_out * s
        # DoRA (PEFT dora.py): n = ||W + s*B@A|| per output row, detached; the base result less its
        # bias is rescaled by m/n and the LoRA term added with the same factor:
        # y = base(x) + (m/n - 1) * (W x) + (m/n) * s * B A x  =  b + (m/n) * (W x + s B A x).
        norm = torch.linalg.norm(self.weight + s * (B @ A), dim=1)
        factor = (m / norm).view(1, -1)
        base = y - self.bias if self.bias is not None else y
        return y + (factor - 1) * base + factor * lora_out * s


def rms_norm(x, weight, eps):
    # transformers: variance in float32, weight * normed.to(input dtype); here the compute dtype.
    variance = x.pow(2).mean(-1, keepdim=True)
    return weight * (x * torch.rsqrt(variance + eps))


def forward_logprobs(spec, tensors, ids, dtype=torch.float32, adapter=None):
    """[None, log P(ids[1] | ids[:1]), ...] with the weights upcast to `dtype`."""
    logp = forward_log_softmax(spec, tensors, ids, dtype, adapter)
    return [None] + [float(logp[t - 1, ids[t]]) for t in range(1, len(ids))]


def forward_log_softmax(spec, tensors, ids, dtype=torch.float32, adapter=None):
    """[T, vocab]: log P(next token | ids[:t+1]) at every position t."""
    W = {k: v.to(dtype) for k, v in tensors.items()}
    adapter = {k: {n: (v.to(dtype) if torch.is_tensor(v) else v) for n, v in a.items()}
               for k, a in (adapter or {}).items()}

    def linear(name):
        return Linear(W[name + ".weight"], W.get(name + ".bias"), adapter.get(name))

    T, hd, nh, nkv = len(ids), spec.head_dim, spec.heads, spec.kv_heads
    if max(ids) >= spec.vocab or min(ids) < 0:
        fail(f"token ids must be in [0, {spec.vocab})")
    inv_freq = rope_inv_freq(spec, T)
    positions = torch.arange(T, dtype=torch.float32)
    if dtype == torch.float64:
        inv_freq, positions = inv_freq.double(), positions.double()
    freqs = positions[:, None] * inv_freq[None, :]
    emb = torch.cat((freqs, freqs), dim=-1)
    cos, sin = emb.cos().to(dtype), emb.sin().to(dtype)

    q_pos = torch.arange(T)[:, None]
    k_pos = torch.arange(T)[None, :]
    x = W["model.embed_tokens.weight"][torch.tensor(ids)]
    for i in range(spec.layers):
        p = f"model.layers.{i}."
        h = rms_norm(x, W[p + "input_layernorm.weight"], spec.eps)
        q = linear(p + "self_attn.q_proj")(h).view(T, nh, hd)
        k = linear(p + "self_attn.k_proj")(h).view(T, nkv, hd)
        v = linear(p + "self_attn.v_proj")(h).view(T, nkv, hd)
        if spec.qk_norm:   # Qwen3: RMSNorm over head_dim, per head, before RoPE
            q = rms_norm(q, W[p + "self_attn.q_norm.weight"], spec.eps)
            k = rms_norm(k, W[p + "self_attn.k_norm.weight"], spec.eps)
        q, k, v = q.transpose(0, 1), k.transpose(0, 1), v.transpose(0, 1)
        q, k = q * cos + rotate_half(q) * sin, k * cos + rotate_half(k) * sin
        k = k.repeat_interleave(nh // nkv, dim=0)   # repeat_kv: kv head j serves heads j*n_rep..
        v = v.repeat_interleave(nh // nkv, dim=0)
        scores = torch.matmul(q, k.transpose(1, 2)) * hd ** -0.5
        visible = k_pos <= q_pos
        if spec.windows[i]:
            # masking_utils.sliding_window_overlay: kv_idx > q_idx - sliding_window, i.e. a key is
            # visible when q - k < window (the query and the window-1 keys before it).
            visible = visible & (q_pos - k_pos < spec.windows[i])
        scores = scores.masked_fill(~visible, torch.finfo(dtype).min)
        probs = torch.softmax(scores, dim=-1)
        attn = torch.matmul(probs, v).transpose(0, 1).reshape(T, nh * hd)
        x = x + linear(p + "self_attn.o_proj")(attn)
        h = rms_norm(x, W[p + "post_attention_layernorm.weight"], spec.eps)
        gate, up = linear(p + "mlp.gate_proj")(h), linear(p + "mlp.up_proj")(h)
        x = x + linear(p + "mlp.down_proj")(F.silu(gate) * up)
    x = rms_norm(x, W["model.norm.weight"], spec.eps)
    head_weight = W["model.embed_tokens.weight"] if spec.tied else W["lm_head.weight"]
    logits = Linear(head_weight, None, adapter.get("lm_head"))(x)
    return torch.log_softmax(logits, dim=-1)


# ---------------------------------------------------------------------------------------------
# Commands.

def hf_config_json(a):
    """config.json as transformers' save_pretrained writes it for the architecture."""
    if a.vocab < BYTE_VOCAB:
        fail(f"--vocab must be at least {BYTE_VOCAB} for the byte tokenizer")
    if a.attention_bias and a.arch not in ("llama", "qwen3"):
        fail("--attention-bias: only llama and qwen3 have attention_bias (qwen2 always has q/k/v biases)")
    if a.mlp_bias and a.arch != "llama":
        fail("--mlp-bias: only llama has mlp_bias")
    if a.sliding_window and a.arch == "llama":
        fail("--sliding-window: LlamaConfig has no sliding window")
    c = {"architectures": [ARCH_CLASSES[a.arch]], "model_type": a.arch, "attention_dropout": 0.0,
         "bos_token_id": BOS, "eos_token_id": EOS, "hidden_act": "silu", "hidden_size": a.hidden,
         "initializer_range": 0.02, "intermediate_size": a.intermediate,
         "max_position_embeddings": a.max_pos, "num_attention_heads": a.heads,
         "num_hidden_layers": a.layers, "num_key_value_heads": a.kv_heads,
         "rms_norm_eps": a.rms_norm_eps, "rope_theta": a.rope_theta,
         "tie_word_embeddings": a.tied, "torch_dtype": HF_DTYPE_NAMES[CLI_DTYPES[a.dtype]],
         "transformers_version": TRANSFORMERS_VERSION, "use_cache": True, "vocab_size": a.vocab}
    rope = json.loads(a.rope_scaling) if a.rope_scaling else None
    if rope and "type" in rope:
        rope["rope_type"] = rope["type"]   # transformers copies the legacy key over
    if a.arch != "mistral" or rope:
        c["rope_scaling"] = rope
    head_dim = a.head_dim or a.hidden // a.heads
    if a.arch == "llama":
        c.update(attention_bias=a.attention_bias, mlp_bias=a.mlp_bias, pretraining_tp=1, head_dim=head_dim)
    if a.arch == "mistral":
        c.update(head_dim=head_dim, sliding_window=a.sliding_window)
    if a.arch in ("qwen2", "qwen3"):
        use = bool(a.sliding_window) and a.use_sliding_window == "true"
        first = a.max_window_layers if a.max_window_layers is not None else (1 if use else a.layers)
        c.update(sliding_window=a.sliding_window, use_sliding_window=use, max_window_layers=first)
        if a.head_dim or a.arch == "qwen3":
            c["head_dim"] = head_dim
        if a.arch == "qwen3":
            c["attention_bias"] = a.attention_bias
        if a.layer_types:   # transformers >= 4.53 also writes the resolved per-layer types
            c["layer_types"] = ["sliding_attention" if use and i >= first else "full_attention"
                                for i in range(a.layers)]
    return c


def cmd_make_checkpoint(a):
    cfg = hf_config_json(a)
    spec = Spec({**cfg, "rope_scaling": None})   # an unsupported rope type may be written, for refusal tests
    gen = torch.Generator().manual_seed(a.seed)
    tensors = {}
    for name, (shape, kind) in spec.tensors().items():   # lm_head last: tied/untied share the rest
        noise = torch.randn(shape, generator=gen)
        value = {"matrix": a.init_std * noise, "bias": 0.1 * noise, "norm": 1.0 + 0.1 * noise}[kind]
        tensors[name] = value.to(CLI_DTYPES[a.dtype])
    if a.ascii_head:   # greedy text stays ASCII: no logit above 0 beyond byte 127 (EOS included)
        if spec.tied:
            fail("--ascii-head needs an untied lm_head")
        tensors["lm_head.weight"][128:] = 0
    names = list(tensors)
    if a.shards <= 1:
        files = {"model.safetensors": names}
    else:
        if a.shards > len(names):
            fail("--shards exceeds the number of tensors")
        before, total = [], 0   # contiguous groups of about total/N bytes, none empty
        for n in names:
            before.append(total)
            total += tensors[n].numel() * tensors[n].element_size()
        starts = [0]
        for k in range(1, a.shards):
            j = next((i for i, b in enumerate(before) if b >= k * total / a.shards), len(names))
            starts.append(min(max(j, starts[-1] + 1), len(names) - (a.shards - k)))
        starts.append(len(names))
        files = {k: names[starts[k]:starts[k + 1]] for k in range(a.shards)}
        files = {f"model-{k + 1:05d}-of-{a.shards:05d}.safetensors": v for k, v in files.items()}
    save_checkpoint(a.out, tensors, files)
    write_json(os.path.join(a.out, "config.json"), cfg)
    write_json(os.path.join(a.out, "generation_config.json"),
               {"_from_model_config": True, "bos_token_id": BOS, "eos_token_id": EOS,
                "transformers_version": TRANSFORMERS_VERSION})
    # What core/model/byte_tokenizer.cpp's ByteTokenizer::save writes (nlohmann dump(2), sorted keys).
    write_json(os.path.join(a.out, "slim_tokenizer.json"),
               {"type": "byte", "vocab_size": BYTE_VOCAB, "bos_token_id": BOS, "eos_token_id": EOS,
                "pad_token_id": PAD})
    print(json.dumps({"out": a.out, "tensors": len(tensors), "files": list(files)}))


def cmd_make_peft_adapter(a):
    spec, base, _ = load_checkpoint(a.base)
    if sum(x is not None for x in (a.targets, a.targets_regex)) != 1:
        fail("give exactly one of --targets and --targets-regex")
    if a.targets_regex is not None:
        targets = a.targets_regex
    elif a.targets.lower() == "all-linear":
        targets = "all-linear"
    else:
        targets = sorted(set(a.targets.split(",")))
    layers = a.layers_to_transform   # "1" is written as the int 1, "0,1" as a list
    if layers is not None:
        layers = [int(x) for x in layers.split(",")] if "," in layers else int(layers)
    acfg = {"alpha_pattern": json.loads(a.alpha_pattern) if a.alpha_pattern else {},
            "auto_mapping": None, "base_model_name_or_path": a.base, "bias": "none",
            "corda_config": None, "eva_config": None,
            "exclude_modules": sorted(a.exclude_modules.split(",")) if a.exclude_modules else None,
            "fan_in_fan_out": False, "inference_mode": True, "init_lora_weights": True,
            "layer_replication": None, "layers_pattern": None, "layers_to_transform": layers,
            "loftq_config": {}, "lora_alpha": a.alpha, "lora_bias": False, "lora_dropout": 0.0,
            "megatron_config": None, "megatron_core": "megatron.core", "modules_to_save": None,
            "peft_type": "LORA", "peft_version": PEFT_VERSION, "qalora_group_size": 16, "r": a.r,
            "rank_pattern": json.loads(a.rank_pattern) if a.rank_pattern else {}, "revision": None,
            "target_modules": targets, "target_parameters": None, "task_type": "CAUSAL_LM",
            "trainable_token_indices": None, "use_dora": a.dora, "use_qalora": False,
            "use_rslora": a.rslora}
    chosen = peft_targets(acfg, spec)
    if targets == "all-linear" and not a.keep_all_linear:
        # PEFT replaces "all-linear" by the full names it found before saving, condensed to their
        # last components when there are 20 or more.
        acfg["target_modules"] = sorted({n.rsplit(".", 1)[-1] for n in chosen} if len(chosen) >= 20 else chosen)
    gen = torch.Generator().manual_seed(a.seed)
    out, linears = {}, spec.linears()
    for name, (r, alpha, scaling) in chosen.items():
        o, i, _ = linears[name]
        p = "base_model.model." + name
        A = (torch.rand((r, i), generator=gen) * 2 - 1) / math.sqrt(i)   # like kaiming_uniform(a=sqrt 5)
        B = 0.05 * torch.randn((o, r), generator=gen)                     # nonzero, unlike PEFT's init
        out[p + ".lora_A.weight"], out[p + ".lora_B.weight"] = A, B
        if a.dora:
            W = base.get(name + ".weight", base["model.embed_tokens.weight"])   # tied lm_head
            norm = torch.linalg.norm(W.float() + scaling * (B @ A), dim=1)
            out[p + ".lora_magnitude_vector"] = norm * (0.8 + 0.4 * torch.rand((o,), generator=gen))
    os.makedirs(a.out, exist_ok=True)
    dtype = CLI_DTYPES[a.adapter_dtype]
    write_safetensors(os.path.join(a.out, "adapter_model.safetensors"),
                      {k: v.to(dtype) for k, v in out.items()}, {"format": "pt"})
    write_json(os.path.join(a.out, "adapter_config.json"), acfg, trailing_newline=False)
    print(json.dumps({"out": a.out, "modules": list(chosen)}))


def parse_ids(a):
    if (a.ids is None) == (a.text is None):
        fail("give exactly one of --ids and --text")
    if a.text is not None:   # the byte tokenizer with BOS
        return [BOS] + list(a.text.encode("utf-8"))
    ids = [int(x) for x in a.ids.replace(" ", "").split(",") if x]
    if not ids:
        fail("--ids is empty")
    return ids


def cmd_logprobs(a):
    ids = parse_ids(a)
    spec, tensors, _ = load_checkpoint(a.model)
    adapter = load_adapter(a.adapter, spec) if a.adapter else None
    dtype = {"f32": torch.float32, "f64": torch.float64}[a.compute_dtype]
    print(json.dumps({"logprobs": forward_logprobs(spec, tensors, ids, dtype, adapter)}))


def cmd_merge_peft(a):
    spec, tensors, (index, files) = load_checkpoint(a.base)
    adapter = load_adapter(a.adapter, spec)
    if "lm_head" in adapter and spec.tied:
        fail("the adapter targets lm_head of a model with tied embeddings; merging would untie them")
    merged = dict(tensors)
    for name, lora in adapter.items():
        merged[name + ".weight"] = merged_weight(tensors[name + ".weight"], lora)
    save_checkpoint(a.out, merged, files)
    for extra in ("config.json", "generation_config.json", "slim_tokenizer.json"):
        if os.path.exists(os.path.join(a.base, extra)):
            shutil.copyfile(os.path.join(a.base, extra), os.path.join(a.out, extra))
    print(json.dumps({"out": a.out, "merged": list(adapter)}))


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = ap.add_subparsers(dest="command", required=True)

    mk = sub.add_parser("make-checkpoint", help="a random HF checkpoint folder")
    mk.add_argument("--out", required=True)
    mk.add_argument("--arch", required=True, choices=sorted(ARCH_CLASSES))
    mk.add_argument("--dtype", default="f32", choices=sorted(CLI_DTYPES))
    mk.add_argument("--shards", type=int, default=1)
    mk.add_argument("--tied", action="store_true")
    mk.add_argument("--rope-scaling", help="JSON object, e.g. '{\"type\":\"linear\",\"factor\":2.0}'")
    mk.add_argument("--rope-theta", type=float, default=10000.0)
    mk.add_argument("--rms-norm-eps", type=float, default=1e-6)
    mk.add_argument("--attention-bias", action="store_true")
    mk.add_argument("--mlp-bias", action="store_true")
    mk.add_argument("--head-dim", type=int)
    mk.add_argument("--sliding-window", type=int)
    mk.add_argument("--use-sliding-window", default="true", choices=["true", "false"],
                    help="qwen2/3: written with --sliding-window (false: window given but unused)")
    mk.add_argument("--max-window-layers", type=int, help="qwen2/3 (default 1 with a window)")
    mk.add_argument("--layer-types", action="store_true", help="qwen2/3: also write layer_types")
    mk.add_argument("--seed", type=int, default=0)
    mk.add_argument("--init-std", type=float, default=0.02)
    mk.add_argument("--ascii-head", action="store_true",
                    help="zero lm_head's rows beyond byte 127, so greedy generation writes ASCII")
    for flag, default in (("--vocab", 300), ("--hidden", 64), ("--layers", 2), ("--heads", 4),
                          ("--kv-heads", 2), ("--intermediate", 96), ("--max-pos", 64)):
        mk.add_argument(flag, type=int, default=default)
    mk.set_defaults(func=cmd_make_checkpoint)

    lp = sub.add_parser("logprobs", help="per-token log-probabilities of one sequence")
    lp.add_argument("--model", required=True)
    lp.add_argument("--ids", help="comma-separated token ids")
    lp.add_argument("--text", help="UTF-8 text, byte-tokenized with BOS")
    lp.add_argument("--adapter", help="a PEFT LoRA/DoRA adapter folder")
    lp.add_argument("--compute-dtype", "--slim-compute", default="f32", choices=["f32", "f64"])
    lp.set_defaults(func=cmd_logprobs)

    pa = sub.add_parser("make-peft-adapter", help="a random PEFT LoRA/DoRA adapter folder")
    pa.add_argument("--base", required=True)
    pa.add_argument("--out", required=True)
    pa.add_argument("--r", type=int, default=4)
    pa.add_argument("--alpha", type=int, default=8)
    pa.add_argument("--targets", help="comma-separated names or suffixes, or all-linear")
    pa.add_argument("--targets-regex", help="a regex matched against whole module names")
    pa.add_argument("--keep-all-linear", action="store_true",
                    help='write "all-linear" as is instead of the list PEFT saves')
    pa.add_argument("--exclude-modules", help="comma-separated names or suffixes")
    pa.add_argument("--rslora", action="store_true")
    pa.add_argument("--dora", action="store_true")
    pa.add_argument("--rank-pattern", help='JSON, e.g. \'{"q_proj": 2}\'')
    pa.add_argument("--alpha-pattern", help='JSON, e.g. \'{"layers.1.self_attn.v_proj": 16}\'')
    pa.add_argument("--layers-to-transform", help="an index (written as an int) or a comma list")
    pa.add_argument("--adapter-dtype", default="f32", choices=sorted(CLI_DTYPES))
    pa.add_argument("--seed", type=int, default=1)
    pa.set_defaults(func=cmd_make_peft_adapter)

    mp = sub.add_parser("merge-peft", help="the base with a PEFT adapter merged in")
    mp.add_argument("--base", required=True)
    mp.add_argument("--adapter", required=True)
    mp.add_argument("--out", required=True)
    mp.set_defaults(func=cmd_merge_peft)

    a = ap.parse_args(argv)
    with torch.no_grad():
        a.func(a)


if __name__ == "__main__":
    main()
