#pragma once
// tokenizer.json "decoder": ByteLevel, Metaspace, Replace, ByteFallback, Fuse, Strip and
// Sequence, each mapping the list of tokens as Rust's decode_chain does. Anything else is refused
// by name.

#include "json_access.h"

#include <memory>
#include <string>
#include <vector>

namespace slim::tok {

class Decoder
{
public:
    virtual ~Decoder() = default;
    virtual std::vector<std::string> decodeChain(std::vector<std::string> tokens) const = 0;
};

// nullptr for a JSON null (tokens are joined as they are).
std::unique_ptr<Decoder> makeDecoder(const JsonAt &json);

} // namespace slim::tok
