#pragma once
// tokenizer.json "normalizer": NFC, NFD, NFKC, NFKD, Lowercase, Strip, StripAccents, Replace,
// Prepend and Sequence, as the Rust tokenizers library applies them. Anything else is refused by
// name.

#include "json_access.h"

#include <memory>
#include <string>

namespace slim::tok {

class Normalizer
{
public:
    virtual ~Normalizer() = default;
    virtual std::string normalize(std::string text) const = 0;
};

// nullptr for a JSON null (no normalizer).
std::unique_ptr<Normalizer> makeNormalizer(const JsonAt &json);

} // namespace slim::tok
