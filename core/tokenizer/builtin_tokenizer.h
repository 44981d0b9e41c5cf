#pragma once
// The built-in models' byte-level tokenizer, as a Hugging Face tokenizer.json: ids 0-255 are
// the bytes of UTF-8 text (a BPE model with byte fallback and no merges), then <|bos|> (256),
// <|eos|> (257) and <|pad|> (258); the post-processor puts <|bos|> first. Written beside every
// built-in model, so Hugging Face's tools load the model and its runs as any other.

#include "tokenizer.h"

#include <cstdint>
#include <filesystem>
#include <string>

namespace slim::tok {

struct BuiltinTokens
{
    static constexpr int64_t kBos = 256;
    static constexpr int64_t kEos = 257;
    static constexpr int64_t kPad = 258;
    static constexpr int64_t kVocabSize = 259;
};

std::string builtinTokenizerJson();
std::string builtinTokenizerConfigJson();
Tokenizer builtinTokenizer();
// Writes tokenizer.json and tokenizer_config.json into `modelDir`.
void writeBuiltinTokenizer(const std::filesystem::path &modelDir);

} // namespace slim::tok
