// A tokenizer as a model folder holds it: tokenizer.json, tokenizer_config.json and a text to
// encode, one input cut in three at "\n----\n" (tokenizer/tokenizer.h). Encoded with and without
// special tokens, decoded back, and ids from the input's bytes decoded. Documented error:
// TokenizerError naming the file and JSON path, or the bad byte of the text.
#include "fuzz_support.h"

#include "tokenizer/tokenizer.h"
#include "tokenizer/tokenizer_error.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const auto parts = slim::fuzz::splitParts(slim::fuzz::bytesOf(data, size), 3);
    try {
        const auto tokenizer = slim::tok::Tokenizer::fromJson(parts[0], parts[1]);
        try {
            const auto ids = tokenizer.encode(parts[2], true);
            (void)tokenizer.decode(ids, false);
            (void)tokenizer.decode(ids, true);
            (void)tokenizer.encode(parts[2], false);
        } catch (const slim::tok::TokenizerError &) {
        }
        std::vector<int64_t> ids;
        for (unsigned char c : parts[2])
            ids.push_back(int64_t(c) * 7 - 20); // negative and out-of-vocabulary ids included
        try {
            (void)tokenizer.decode(ids, false);
        } catch (const slim::tok::TokenizerError &) {
        }
    } catch (const slim::tok::TokenizerError &) {
    }
    return 0;
}
