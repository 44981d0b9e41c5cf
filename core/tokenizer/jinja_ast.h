#pragma once
// The parsed form of a chat template (jinja_statement_parser.cpp builds it, the
// jinja_render_*.cpp files run it).

#include "jinja_value.h"

#include <memory>
#include <string>
#include <vector>

namespace slim::tok::jinja {

struct Expr;
using ExprPtr = std::unique_ptr<Expr>;

struct Expr
{
    enum class Kind {
        Literal, Name, List, Dict, GetAttr, GetItem, Slice, Call, Filter, Test, Not, Negate,
        Binary, Ternary
    };
    Kind kind;
    int line = 0;
    Value literal;                    // Literal
    std::string name;                 // Name, GetAttr, Filter, Test; Binary: the operator
    std::vector<ExprPtr> children;    // operands / items / positional arguments
    std::vector<std::string> keywords; // Call/Filter/Test: names of the last keywords.size() children
    bool negated = false;             // Test: "is not"
    // Slice: children = {object, start, stop, step} with nullptr for a missing part.
};

struct Stmt;
using Body = std::vector<std::unique_ptr<Stmt>>;

struct Stmt
{
    enum class Kind { Text, Output, If, For, Set, SetBlock, Macro, Break, Continue, Block };
    Kind kind;
    int line = 0;
    std::string text;                  // Text
    std::vector<ExprPtr> exprs;        // Output: {expr}; If: conditions; For: {iterable, filter?};
                                       // Set: {value}; Macro: parameter defaults (nullptr: none)
    std::vector<Body> bodies;          // If: one per condition, then else; For: {body, else};
                                       // SetBlock / Macro / Block: {body}
    std::vector<std::string> names;    // For: targets; Set/SetBlock: {target} or {ns, attr};
                                       // Macro: {name, parameters...}
};

} // namespace slim::tok::jinja
