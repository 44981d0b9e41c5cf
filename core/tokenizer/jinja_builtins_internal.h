#pragma once
// What the builtins' files share (jinja_builtins.h's filters, tests, methods and globals):
// argument checks with Python's messages, iteration as Python's list() does, and Python's str
// operations on UTF-8 text.

#include "jinja_value.h"
#include "python_str.h"

#include <string>

namespace slim::tok::jinja::detail {

// jinja_builtin_arguments.cpp
[[noreturn]] void typeError(const std::string &message); // TokenizerError(message)
// The string in `v`, else a type error naming `what`.
const std::string &needString(const Value &v, const std::string &what);
// A dict's items as [key, value] lists.
List itemsOf(const Value &dict);
// A list's items, a dict's keys, a string's characters; nothing for undefined.
List listOf(const Value &value, const std::string &what);

// jinja_python_strings.cpp
using tok::capitalize; // python_str.h: str.isspace(), upper(), lower(), title(), capitalize()
using tok::isPythonSpace;
using tok::mapCase;
using tok::titleCase;
// Python's str.strip / lstrip / rstrip with optional characters.
std::string stripChars(const std::string &s, const Value &chars, bool left, bool right);
Value split(const std::string &s, const Value &sep, const Value &maxSplit); // str.split
// str.replace; count < 0: every occurrence.
std::string replaceAll(const std::string &s, const std::string &from, const std::string &to,
                       int64_t count);
// str.startswith / str.endswith with a string or a list of them.
bool matchesAffix(const std::string &s, const Value &affix, bool prefix);

} // namespace slim::tok::jinja::detail
