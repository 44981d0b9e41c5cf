#pragma once
// tokenizer.json "post_processor" for one sequence: TemplateProcessing (special tokens around
// $A), RobertaProcessing / BertProcessing (cls $A sep), ByteLevel (ids unchanged) and Sequence.
// Applied only when special tokens are added. Anything else is refused by name.

#include "json_access.h"

#include <cstdint>
#include <vector>

namespace slim::tok {

struct SpecialWrap
{
    std::vector<int64_t> before, after; // ids around the sequence
};

// An empty wrap for a JSON null.
SpecialWrap makePostProcessor(const JsonAt &json);

} // namespace slim::tok
