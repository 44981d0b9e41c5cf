#pragma once
// Python's str operations on UTF-8 text (code points, Unicode case mapping, str.isspace()), as
// Python runs them: the chat-template renderer's filters and methods and the evaluation suites'
// prompt builders (which re-create lm-evaluation-harness's Python string handling) share them.

#include <string>
#include <string_view>

namespace slim::tok {

bool isPythonSpace(char32_t c); // str.isspace() of one character
// str.strip() / lstrip() / rstrip() without an argument: Python whitespace at the chosen ends.
std::string stripPythonSpace(std::string_view s, bool left = true, bool right = true);
std::string mapCase(const std::string &s, bool upper); // str.upper() / str.lower()
std::string titleCase(const std::string &s); // str.title()
std::string capitalize(const std::string &s); // str.capitalize()

} // namespace slim::tok
