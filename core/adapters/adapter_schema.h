#pragma once
// The schema of AdapterConfig's fields (paths "adapter.<field>"): types, ranges, choices, help
// and the methods each applies to. AdapterConfig::validate and the run spec validator both use
// it, so a range is written once.

#include "spec/field_spec.h"

#include <vector>

namespace slim::engine {

const std::vector<spec::FieldSpec> &adapterFieldSpecs();

} // namespace slim::engine
