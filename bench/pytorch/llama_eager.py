"""The engine's Llama model (core/model/llama_layers.*, causal_lm.*) written in PyTorch eager,
op for op, as the baseline of bench/bench_train and bench/bench_eval: RMSNorm computed in
float32, rotate-half RoPE with positions counted over real tokens, grouped-KV attention with an
additive causal + padding bias and a float32 softmax, SwiGLU MLP, tied or untied head; plus a
LoRA wrapper equal to core/adapters/lora_adapter.* (LoRA only, no DoRA).

Standard library + torch only (Debian's python3-torch 1.13); run with /usr/bin/python3.
"""

import json
import math
import struct

import torch
import torch.nn as nn
import torch.nn.functional as F

MASK_VALUE = -1e9  # causal_lm.cpp's kMaskValue: finite, so a fully masked row stays finite
BOS, EOS, PAD = 256, 257, 258


class Config:
    def __init__(self, d):
        self.vocab_size = d.get("vocab_size", 259)
        self.hidden_size = d.get("hidden_size", 192)
        self.intermediate_size = d.get("intermediate_size", 512)
        self.num_hidden_layers = d.get("num_hidden_layers", 4)
        self.num_attention_heads = d.get("num_attention_heads", 6)
        self.num_key_value_heads = d.get("num_key_value_heads", self.num_attention_heads)
        self.head_dim = d.get("head_dim") or self.hidden_size // self.num_attention_heads
        self.max_position_embeddings = d.get("max_position_embeddings", 128)
        self.rms_norm_eps = d.get("rms_norm_eps", 1e-5)
        self.rope_theta = d.get("rope_theta", 10000.0)
        self.tie_word_embeddings = d.get("tie_word_embeddings", False)
        if d.get("attention_bias") or d.get("mlp_bias") or d.get("model_type", "llama") != "llama":
            raise ValueError("this baseline covers bias-free Llama models only")


class RMSNorm(nn.Module):
    def __init__(self, dim, eps):
        super().__init__()
        self.weight = nn.Parameter(torch.ones(dim))
        self.eps = eps

    def forward(self, x):
        xf = x.float()
        normed = xf * torch.rsqrt(xf.pow(2).mean(-1, keepdim=True) + self.eps)
        return self.weight * normed.to(x.dtype)


def rotary_tables(position_ids, head_dim, theta, dtype):
    inv_freq = torch.pow(theta, -torch.arange(0, head_dim, 2, dtype=torch.float32) / head_dim)
    freqs = position_ids.float().unsqueeze(-1) * inv_freq
    emb = torch.cat([freqs, freqs], -1)
    return emb.cos().to(dtype), emb.sin().to(dtype)


def rotate_half(x):
    half = x.size(-1) // 2
    return torch.cat([-x[..., half:], x[..., :half]], -1)


def apply_rotary(x, cos, sin):
    return x * cos.unsqueeze(1) + rotate_half(x) * sin.unsqueeze(1)


class Attention(nn.Module):
    def __init__(self, c):
        super().__init__()
        self.heads, self.kv_heads, self.head_dim = (c.num_attention_heads, c.num_key_value_heads,
                                                    c.head_dim)
        d = c.hidden_size
        self.q_proj = nn.Linear(d, self.heads * self.head_dim, bias=False)
        self.k_proj = nn.Linear(d, self.kv_heads * self.head_dim, bias=False)
        self.v_proj = nn.Linear(d, self.kv_heads * self.head_dim, bias=False)
        self.o_proj = nn.Linear(self.heads * self.head_dim, d, bias=False)

    def forward(self, h, bias, cos, sin):
        b, s = h.size(0), h.size(1)
        q = self.q_proj(h).view(b, s, self.heads, self.head_dim).transpose(1, 2)
        k = self.k_proj(h).view(b, s, self.kv_heads, self.head_dim).transpose(1, 2)
        v = self.v_proj(h).view(b, s, self.kv_heads, self.head_dim).transpose(1, 2)
        q = apply_rotary(q, cos, sin)
        k = apply_rotary(k, cos, sin)
        if self.kv_heads != self.heads:
            groups = self.heads // self.kv_heads
            k = k.repeat_interleave(groups, 1)
            v = v.repeat_interleave(groups, 1)
        scores = torch.matmul(q.float(), k.float().transpose(-1, -2)) / math.sqrt(self.head_dim)
        scores = scores + bias
        probs = torch.softmax(scores, -1).to(v.dtype)
        out = torch.matmul(probs, v).transpose(1, 2).reshape(b, s, self.heads * self.head_dim)
        return self.o_proj(out)


class Mlp(nn.Module):
    def __init__(self, c):
        super().__init__()
        d, f = c.hidden_size, c.intermediate_size
        self.gate_proj = nn.Linear(d, f, bias=False)
        self.up_proj = nn.Linear(d, f, bias=False)
        self.down_proj = nn.Linear(f, d, bias=False)

    def forward(self, u):
        return self.down_proj(F.silu(self.gate_proj(u)) * self.up_proj(u))


class DecoderLayer(nn.Module):
    def __init__(self, c):
        super().__init__()
        self.self_attn = Attention(c)
        self.mlp = Mlp(c)
        self.input_layernorm = RMSNorm(c.hidden_size, c.rms_norm_eps)
        self.post_attention_layernorm = RMSNorm(c.hidden_size, c.rms_norm_eps)

    def forward(self, h, bias, cos, sin):
        x = h + self.self_attn(self.input_layernorm(h), bias, cos, sin)
        return x + self.mlp(self.post_attention_layernorm(x))


class Backbone(nn.Module):
    def __init__(self, c):
        super().__init__()
        self.embed_tokens = nn.Embedding(c.vocab_size, c.hidden_size)
        self.layers = nn.ModuleList([DecoderLayer(c) for _ in range(c.num_hidden_layers)])
        self.norm = RMSNorm(c.hidden_size, c.rms_norm_eps)


class CausalLm(nn.Module):
    def __init__(self, c):
        super().__init__()
        self.config = c
        self.model = Backbone(c)
        self.lm_head = None if c.tie_word_embeddings else nn.Linear(c.hidden_size, c.vocab_size,
                                                                     bias=False)

    def head_weight(self):
        return self.model.embed_tokens.weight if self.lm_head is None else self.lm_head.weight

    def hidden_states(self, ids, mask):
        """ids, mask: [B, S] int64 -> [B, S, d] (causal_lm.cpp's hiddenStates, no cache)."""
        c = self.config
        b, s = ids.shape
        full = mask.bool()
        positions = (full.long().cumsum(1) - 1).clamp_min(0)
        h = self.model.embed_tokens(ids)
        cos, sin = rotary_tables(positions, c.head_dim, c.rope_theta, h.dtype)
        query = torch.arange(0, s, dtype=torch.long).unsqueeze(1)
        key = torch.arange(0, s, dtype=torch.long).unsqueeze(0)
        allowed = (key <= query).unsqueeze(0) & full.unsqueeze(1)  # [B, S, S]
        bias = torch.zeros(b, 1, s, s, dtype=torch.float32).masked_fill(
            allowed.logical_not().unsqueeze(1), MASK_VALUE)
        for layer in self.model.layers:
            h = layer(h, bias, cos, sin)
        return self.model.norm(h)

    def logits_from_hidden(self, hidden):
        return torch.matmul(hidden, self.head_weight().t()).float()

    def forward(self, ids, mask):
        return self.logits_from_hidden(self.hidden_states(ids, mask))


class LoraLinear(nn.Module):
    """y = W x + s * B A x; A Kaiming-uniform [r, in], B zero [out, r] (lora_adapter.cpp)."""

    def __init__(self, base, rank, scaling):
        super().__init__()
        self.base = base
        bound = 1.0 / math.sqrt(base.in_features)
        self.lora_A = nn.Parameter(torch.empty(rank, base.in_features).uniform_(-bound, bound))
        self.lora_B = nn.Parameter(torch.zeros(base.out_features, rank))
        self.scaling = scaling

    def forward(self, x):
        lora = torch.matmul(torch.matmul(x, self.lora_A.t()), self.lora_B.t()) * self.scaling
        return self.base(x) + lora


def attach_lora(model, rank, alpha, targets=("gate_proj", "up_proj", "down_proj")):
    """Freezes the model and wraps the target projections; returns the LoRA parameters."""
    for p in model.parameters():
        p.requires_grad_(False)
    params = []
    for layer in model.model.layers:
        for owner in (layer.self_attn, layer.mlp):
            for name in targets:
                if hasattr(owner, name):
                    wrapped = LoraLinear(getattr(owner, name), rank, alpha / rank)
                    setattr(owner, name, wrapped)
                    params += [wrapped.lora_A, wrapped.lora_B]
    return params


_DTYPES = {"F32": torch.float32, "F16": torch.float16, "BF16": torch.bfloat16}


def read_safetensors(path):
    with open(path, "rb") as f:
        raw = f.read()
    (header_len,) = struct.unpack("<Q", raw[:8])
    header = json.loads(raw[8:8 + header_len])
    base = 8 + header_len
    tensors = {}
    for name, info in header.items():
        if name == "__metadata__":
            continue
        start, end = info["data_offsets"]
        dtype = _DTYPES[info["dtype"]]
        t = torch.frombuffer(bytearray(raw[base + start:base + end]), dtype=dtype)
        tensors[name] = t.reshape(info["shape"]).float()
    return tensors


def load_model(model_dir):
    """A built-in model folder (config.json + model.safetensors) -> CausalLm in float32."""
    with open(f"{model_dir}/config.json") as f:
        config = Config(json.load(f))
    model = CausalLm(config)
    model.load_state_dict(read_safetensors(f"{model_dir}/model.safetensors"), strict=True)
    return model


def builtin_config():
    """PretrainPlan::builtin().model (pipeline/pretraining.cpp)."""
    return Config({"hidden_size": 192, "intermediate_size": 512, "num_hidden_layers": 4,
                   "num_attention_heads": 6, "num_key_value_heads": 6,
                   "max_position_embeddings": 128})
