#pragma once
// The chat-template interpreter, shared by its two files: statements and scopes
// (jinja_render_statements.cpp) and expressions with Jinja2's operators on Python values
// (jinja_render_expressions.cpp).

#include "jinja_ast.h"

#include <string>
#include <vector>

namespace slim::tok::jinja::detail {

class Renderer
{
public:
    // The scopes start as the builtins (jinja_builtins.h) under `globals`.
    explicit Renderer(const Dict &globals);

    void run(const Body &body, std::string &out);

private:
    // Statements: a for loop's body is its own scope, if blocks are not.
    Value lookup(const std::string &name) const;
    void assign(const std::string &name, Value value);
    void execute(const Stmt &s, std::string &out);
    void setTarget(const Stmt &s, Value value);
    void executeFor(const Stmt &s, std::string &out);
    void bindTargets(const Stmt &s, const Value &item);
    void defineMacro(const Stmt &s);

    // Expressions: errors without a line get the expression's.
    Args arguments(const Expr &e, size_t skip);
    static void requireDefined(const Value &v, int line);
    Value eval(const Expr &e);
    Value evalUnchecked(const Expr &e);
    static Value attribute(const Value &object, const std::string &name);
    static Value index(const Value &object, int64_t i);
    Value slice(const Expr &e);
    Value binary(const Expr &e);

    std::vector<Dict> m_scopes;
};

} // namespace slim::tok::jinja::detail
