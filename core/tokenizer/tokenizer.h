#pragma once
// The engine's one tokenizer: a Hugging Face tokenizer.json (+ tokenizer_config.json) read as
// the Rust tokenizers library and transformers read them, so the ids are Hugging Face's. The
// built-in byte-level tokenizer is one too (builtin_tokenizer.h). std-only; immutable and
// cheap to copy (shared state); encode/decode are thread-safe.

#include <cstdint>
#include <filesystem>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace slim::tok {

class Tokenizer
{
public:
    // Reads dir/tokenizer.json and, if present, dir/tokenizer_config.json (a built-in model
    // folder written before tokenizer.json existed, with slim_tokenizer.json only, reads as the
    // built-in tokenizer). Throws TokenizerError naming the file and the JSON path of anything
    // malformed or unsupported.
    static Tokenizer load(const std::filesystem::path &dir);
    // load(), refused when an id would fall outside the model's embedding (config.json's
    // vocab_size), so text is never fed to a model as meaningless ids.
    static Tokenizer forModel(const std::filesystem::path &dir, int64_t modelVocabSize);
    // The same from the files' text; `name` prefixes errors ("tokenizer.json").
    static Tokenizer fromJson(const std::string &tokenizerJson, const std::string &configJson = {},
                              const std::string &name = "tokenizer.json");

    // UTF-8 text (invalid UTF-8 is refused naming the byte) -> ids. Added and special tokens
    // written in the text are matched as such; `addSpecialTokens` adds the post-processor's
    // (BOS/EOS) as transformers' tokenizer(text) does.
    std::vector<int64_t> encode(std::string_view text, bool addSpecialTokens) const;
    // ids -> text as transformers' decode (clean_up_tokenization_spaces as configured); ids
    // outside the vocabulary are dropped, as Hugging Face's tokenizers drop them (a model whose
    // embedding is larger than the vocabulary can generate them).
    std::string decode(const std::vector<int64_t> &ids, bool skipSpecialTokens = false) const;

    int64_t vocabSize() const; // one past the largest id
    std::optional<int64_t> tokenId(const std::string &token) const;
    std::string tokenOf(int64_t id) const; // "" if none
    bool isSpecial(int64_t id) const;
    // What batches pad with (always masked out): pad_token, else eos_token, else 0.
    int64_t paddingId() const;

    // From tokenizer_config.json (bos_token, ...), resolved to ids; nullopt when not set.
    std::optional<int64_t> bosId() const;
    std::optional<int64_t> eosId() const;
    std::optional<int64_t> padId() const;
    std::optional<std::string> bosToken() const;
    std::optional<std::string> eosToken() const;
    std::optional<std::string> unkToken() const;
    std::optional<std::string> padToken() const;
    // tokenizer_config.json's chat_template: "default" for a single template, else by name.
    const std::map<std::string, std::string> &chatTemplates() const;

    struct Impl;

private:
    explicit Tokenizer(std::shared_ptr<const Impl> impl) : m_impl(std::move(impl)) {}
    std::shared_ptr<const Impl> m_impl;
};

} // namespace slim::tok
