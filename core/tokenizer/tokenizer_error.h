#pragma once
// The one error type of the tokenizer library: the message names the file and the JSON path
// (or the input position) of the problem.

#include <stdexcept>
#include <string>

namespace slim::tok {

class TokenizerError : public std::runtime_error
{
public:
    using std::runtime_error::runtime_error;
};

} // namespace slim::tok
