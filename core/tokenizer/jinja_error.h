#pragma once
// The error of the chat-template parser and renderer: TokenizerError naming the template line.

#include "tokenizer_error.h"

#include <string>

namespace slim::tok::jinja::detail {

[[noreturn]] inline void fail(int line, const std::string &message)
{
    throw TokenizerError("chat template line " + std::to_string(line) + ": " + message);
}

} // namespace slim::tok::jinja::detail
