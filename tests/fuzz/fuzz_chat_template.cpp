// A chat template (tokenizer_config.json's chat_template, Jinja) rendered with messages: the
// template and a JSON messages array, one input cut in two at "\n----\n"
// (tokenizer/chat_template.h), with the built-in tokenizer's special tokens. Documented error:
// TokenizerError naming the construct and its line, or the template's raise_exception.
#include "fuzz_support.h"

#include "tokenizer/builtin_tokenizer.h"
#include "tokenizer/chat_template.h"
#include "tokenizer/tokenizer_error.h"

#include <nlohmann/json.hpp>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const auto tokenizer = slim::tok::builtinTokenizer();
    const auto parts = slim::fuzz::splitParts(slim::fuzz::bytesOf(data, size), 2);
    auto messages = nlohmann::ordered_json::array(
        {{{"role", "user"}, {"content", "Hi"}}, {{"role", "assistant"}, {"content", "Hello"}}});
    if (!parts[1].empty()) {
        try {
            messages = nlohmann::ordered_json::parse(parts[1]);
        } catch (const nlohmann::json::exception &) { // parse_error, or a number out of range
            return 0;
        }
    }
    for (const bool generationPrompt : {false, true}) {
        slim::tok::ChatOptions options;
        options.add_generation_prompt = generationPrompt;
        try {
            (void)slim::tok::renderChatTemplate(parts[0], tokenizer, messages, options);
        } catch (const slim::tok::TokenizerError &) {
        }
    }
    return 0;
}
