#pragma once
// The filters, tests, global functions and methods (str, list, dict) chat templates use, with
// Jinja2's and Python's semantics. Unknown names are refused: TokenizerError naming them.

#include "jinja_value.h"

#include <functional>
#include <string>

namespace slim::tok::jinja {

// Applies a filter. `callFilter` lets map()/select() apply other filters and tests by name.
Value applyFilter(const std::string &name, const Value &value, const Args &args);
bool applyTest(const std::string &name, const Value &value, const Args &args);
bool hasTest(const std::string &name);
// `object.name` when `object` is a str, list or dict method: a bound callable; else undefined.
Value methodOf(const Value &object, const std::string &name);
// raise_exception, strftime_now, namespace, range, dict.
Dict builtinGlobals();

} // namespace slim::tok::jinja
