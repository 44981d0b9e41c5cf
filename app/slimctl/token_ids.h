#pragma once
// Token ids typed by a user ("1 2 3", "1,2,3", one per line): the one parser of --ids and
// detokenize's input.

#include <cstdint>
#include <string>
#include <vector>

namespace slim::cli {

// Non-negative integers separated by spaces, tabs, commas or newlines. Throws
// std::invalid_argument "<what>: 'x' is not a token id" for anything else.
std::vector<int64_t> parseTokenIds(const std::string &text, const std::string &what);

} // namespace slim::cli
