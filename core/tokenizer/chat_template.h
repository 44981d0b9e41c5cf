#pragma once
// Rendering a conversation with a tokenizer's chat template, as transformers'
// apply_chat_template(tokenize=False) does: the template sees messages, tools, documents,
// add_generation_prompt, the special tokens (bos_token, eos_token, unk_token, pad_token) and
// any extra variables (e.g. enable_thinking).

#include "tokenizer.h"

#include <nlohmann/json.hpp>

#include <string>

namespace slim::tok {

struct ChatOptions
{
    bool add_generation_prompt = false;
    nlohmann::ordered_json tools;     // null: none
    nlohmann::ordered_json documents; // null: none
    nlohmann::ordered_json extra = nlohmann::ordered_json::object(); // more template variables
    std::string template_name = "default"; // for tokenizers with named templates
};

// `messages`: an array of {"role", "content", ...}. Throws TokenizerError when the tokenizer has
// no chat template, when the template uses an unsupported construct (naming it and its line) or
// raises (raise_exception's message).
std::string renderChat(const Tokenizer &tokenizer, const nlohmann::ordered_json &messages,
                       const ChatOptions &options = {});
// The same with the template given as text and the special tokens from `tokenizer`.
std::string renderChatTemplate(const std::string &templateText, const Tokenizer &tokenizer,
                               const nlohmann::ordered_json &messages,
                               const ChatOptions &options = {});

} // namespace slim::tok
