// The reference of tests/tokenizer: Hugging Face's tokenizers.js and @huggingface/jinja on a
// tokenizer folder (tokenizer.json + tokenizer_config.json). Reads JSON lines on stdin and
// writes one JSON line per input:
//   node hf_tokenizers.mjs encode DIR   {"text": "...", "special": true}    -> [ids]
//   node hf_tokenizers.mjs decode DIR   {"ids": [...], "skip_special": false} -> "text"
//   node hf_tokenizers.mjs chat DIR     {"messages": [...], "add_generation_prompt": false,
//                                        "tools": [...], "extra": {...}}     -> "text" | {"error"}
//   node hf_tokenizers.mjs time DIR FILE   -> {"seconds": s, "tokens": n} encoding FILE's text
import { Tokenizer } from "@huggingface/tokenizers";
import { Template } from "@huggingface/jinja";
import fs from "node:fs";
import readline from "node:readline";

const [mode, dir, file] = process.argv.slice(2);
const readJson = (name) => {
  try { return JSON.parse(fs.readFileSync(`${dir}/${name}`, "utf8")); } catch { return null; }
};
const config = readJson("tokenizer_config.json") ?? {};
const tokenOf = (t) => (t && typeof t === "object" ? t.content : t);
const tokenizer = mode === "chat" ? null : new Tokenizer(readJson("tokenizer.json"), config);

if (mode === "time") {
  const text = fs.readFileSync(file, "utf8");
  const start = process.hrtime.bigint();
  const ids = tokenizer.encode(text, { add_special_tokens: false }).ids;
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  process.stdout.write(JSON.stringify({ seconds, tokens: ids.length }) + "\n");
  process.exit(0);
}

let template = null;
if (mode === "chat") {
  const source = config.chat_template;
  template = new Template(typeof source === "string" ? source
                          : source.find((t) => t.name === "default").template);
}
const lines = readline.createInterface({ input: process.stdin, crlfDelay: Infinity });
for await (const line of lines) {
  if (!line.trim()) continue;
  const request = JSON.parse(line);
  let answer;
  if (mode === "encode") {
    answer = tokenizer.encode(request.text, { add_special_tokens: request.special }).ids;
  } else if (mode === "decode") {
    // transformers decodes [] to "" (tokenizers.js refuses an empty array).
    answer = request.ids.length === 0 ? ""
      : tokenizer.decode(request.ids, { skip_special_tokens: request.skip_special ?? false });
  } else {
    // What transformers' apply_chat_template passes: messages, tools, documents,
    // add_generation_prompt, the special tokens that are set, extra variables.
    const variables = { messages: request.messages, tools: request.tools ?? null, documents: null,
                        add_generation_prompt: request.add_generation_prompt ?? false };
    for (const name of ["bos_token", "eos_token", "unk_token", "pad_token"]) {
      if (tokenOf(config[name]) != null) variables[name] = tokenOf(config[name]);
    }
    Object.assign(variables, request.extra ?? {});
    try { answer = template.render(variables); } catch (e) { answer = { error: String(e.message) }; }
  }
  process.stdout.write(JSON.stringify(answer) + "\n");
}
