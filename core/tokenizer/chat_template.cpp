#include "chat_template.h"

#include "jinja_template.h"
#include "tokenizer_error.h"

#include <algorithm>

namespace slim::tok {

std::string renderChatTemplate(const std::string &templateText, const Tokenizer &tokenizer,
                               const nlohmann::ordered_json &messages, const ChatOptions &options)
{
    if (!messages.is_array())
        throw TokenizerError("messages: expected an array of {\"role\": ..., \"content\": ...}");
    const jinja::Template compiled(templateText);
    jinja::Dict globals = {{"messages", jinja::fromJson(messages)},
                           {"tools", jinja::fromJson(options.tools)},
                           {"documents", jinja::fromJson(options.documents)},
                           {"add_generation_prompt", options.add_generation_prompt}};
    // transformers passes the special tokens map: only the tokens that are set.
    const auto special = [&](const char *name, const std::optional<std::string> &token) {
        if (token)
            globals.emplace_back(name, *token);
    };
    special("bos_token", tokenizer.bosToken());
    special("eos_token", tokenizer.eosToken());
    special("unk_token", tokenizer.unkToken());
    special("pad_token", tokenizer.padToken());
    for (const auto &item : options.extra.items()) {
        const auto &key = item.key(); // (clang 14 cannot capture a structured binding)
        const auto &value = item.value();
        auto existing = std::find_if(globals.begin(), globals.end(),
                                     [&](const auto &g) { return g.first == key; });
        if (existing != globals.end())
            existing->second = jinja::fromJson(value);
        else
            globals.emplace_back(key, jinja::fromJson(value));
    }
    return compiled.render(globals);
}

std::string renderChat(const Tokenizer &tokenizer, const nlohmann::ordered_json &messages,
                       const ChatOptions &options)
{
    const auto &templates = tokenizer.chatTemplates();
    if (templates.empty())
        throw TokenizerError("this tokenizer has no chat template (tokenizer_config.json has no "
                             "chat_template)");
    const auto it = templates.find(options.template_name);
    if (it == templates.end()) {
        std::string names;
        for (const auto &[name, text] : templates)
            names += (names.empty() ? "" : ", ") + name;
        throw TokenizerError("no chat template named '" + options.template_name + "' (it has: "
                             + names + ")");
    }
    return renderChatTemplate(it->second, tokenizer, messages, options);
}

} // namespace slim::tok
