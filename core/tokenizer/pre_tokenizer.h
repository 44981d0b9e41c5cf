#pragma once
// tokenizer.json "pre_tokenizer": Split (every delimiter behaviour, inverted or not),
// ByteLevel, Metaspace, Digits, Whitespace, WhitespaceSplit and Sequence, as the Rust
// tokenizers library splits. Anything else is refused by name.

#include "json_access.h"

#include <memory>
#include <string>
#include <vector>

namespace slim::tok {

// One piece of the input on its way to the model.
struct Piece
{
    std::string text;
    bool at_start = false; // begins at offset 0 of the whole input (Metaspace "first")
};

class PreTokenizer
{
public:
    virtual ~PreTokenizer() = default;
    virtual std::vector<Piece> split(std::vector<Piece> pieces) const = 0;
};

// nullptr for a JSON null (the whole normalized text is one word).
std::unique_ptr<PreTokenizer> makePreTokenizer(const JsonAt &json);

// Split semantics shared with the Metaspace and Digits pre-tokenizers.
enum class SplitBehavior { Removed, Isolated, MergedWithPrevious, MergedWithNext, Contiguous };
// `spans` cover `text` in order, each flagged as a match; returns the pieces' [begin, end).
std::vector<std::pair<size_t, size_t>>
applyBehavior(const std::vector<std::pair<std::pair<size_t, size_t>, bool>> &spans,
              SplitBehavior behavior);

} // namespace slim::tok
