#pragma once
// slimctl tokenize / detokenize / chat-template: a tokenizer folder (tokenizer.json and
// tokenizer_config.json, as downloaded from Hugging Face) on stdin and stdout.

#include "command_args.h"

#include <string>
#include <vector>

namespace slim::cli {

struct TokenizeArgs
{
    std::string tokenizer;     // folder with tokenizer.json
    bool noSpecial = false;    // tokenize: no post-processor tokens (BOS/EOS)
    bool skipSpecial = false;  // detokenize: drop special tokens
    bool jsonl = false;        // one input per stdin line (tokenize: a JSON string; detokenize:
                               // a JSON array of ids), one output line each
};

struct ChatTemplateArgs
{
    std::string tokenizer;
    bool addGenerationPrompt = false;
    bool tokenize = false;                // print ids instead of text
    std::string templateName = "default"; // a named template of tokenizer_config.json
    std::vector<std::string> vars;        // name=JSON extra template variables
};

// Reads UTF-8 text on stdin, prints the ids on one line separated by spaces (--json: an array);
// --jsonl: one text per line, one line of ids each.
int cmdTokenize(const GlobalOptions &g, const TokenizeArgs &a);
// Reads ids on stdin (separated by spaces, commas or newlines, or a JSON array), prints the text
// (--json: a JSON string); --jsonl: one array per line, one JSON string each.
int cmdDetokenize(const GlobalOptions &g, const TokenizeArgs &a);
// Reads a conversation on stdin (a JSON array of messages, or {"messages": [...], "tools": [...],
// ...}), prints it rendered with the tokenizer's chat template.
int cmdChatTemplate(const GlobalOptions &g, const ChatTemplateArgs &a);

} // namespace slim::cli
