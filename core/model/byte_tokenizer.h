#pragma once
// Byte-level tokenizer of the built-in models: ids 0-255 are the bytes of UTF-8 text, then BOS,
// EOS and PAD. Saved beside the model as slim_tokenizer.json.

#include <cstdint>
#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

namespace slim::engine {

class ByteTokenizer
{
public:
    static constexpr int64_t kBos = 256;
    static constexpr int64_t kEos = 257;
    static constexpr int64_t kPad = 258;
    static constexpr int64_t kVocabSize = 259;
    static constexpr const char *kFileName = "slim_tokenizer.json";

    std::vector<int64_t> encode(std::string_view text, bool addBos = false,
                                bool addEos = false) const;
    // Special tokens are dropped; bytes are returned as they are (may be partial UTF-8).
    std::string decode(const std::vector<int64_t> &ids) const;
    int64_t vocabSize() const { return kVocabSize; }

    void save(const std::filesystem::path &modelDir) const;
    // Throws std::runtime_error naming the file when it is missing or not a byte tokenizer.
    static ByteTokenizer load(const std::filesystem::path &modelDir);
    // The tokenizer of the model in `modelDir`, checked against its vocabulary: a model whose
    // folder has no byte tokenizer (a Hugging Face tokenizer.json is not read yet) or whose
    // vocab_size cannot hold it is refused, so text is never fed to it as meaningless ids.
    static ByteTokenizer forModel(const std::filesystem::path &modelDir, int64_t vocabSize);
};

} // namespace slim::engine
