#pragma once
// A Jinja2 template as transformers renders chat templates: trim_blocks and lstrip_blocks on,
// Jinja2's default Undefined, loop controls, the {% generation %} block, transformers' tojson,
// and an immutable sandbox (no list.append). Constructs outside that set are refused by name
// with the template line ("chat template line 3: unsupported tag 'include'").

#include "jinja_ast.h"
#include "jinja_value.h"

#include <string>

namespace slim::tok::jinja {

class Template
{
public:
    // Throws TokenizerError naming the line and the construct on a syntax error.
    explicit Template(const std::string &source);
    ~Template();
    Template(Template &&) noexcept;

    // Renders with `globals` as the top-level variables; raise_exception and strftime_now are
    // provided. Throws TokenizerError naming the line on a runtime error.
    std::string render(const Dict &globals) const;

private:
    Body m_body;
};

} // namespace slim::tok::jinja
