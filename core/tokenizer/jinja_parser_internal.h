#pragma once
// What the chat-template parser's files share: the lexer (jinja_lexer.cpp) cuts the source into
// chunks and a tag into tokens, ExprParser (jinja_expression_parser.cpp) reads expressions from
// the tokens, and the statement parser (jinja_statement_parser.cpp) builds the Template's body.

#include "jinja_ast.h"

#include <string>
#include <utility>
#include <vector>

namespace slim::tok::jinja::detail {

// A piece of the source: text between tags, or the content of a {{ }} or {% %} tag.
struct Chunk
{
    enum class Kind { Text, Output, Statement } kind;
    std::string content;
    int line;
};

// Jinja2's whitespace rules applied; comments dropped, raw blocks turned into text.
std::vector<Chunk> splitSource(const std::string &s);

struct Token
{
    enum class Kind { Name, Int, Float, String, Op, End } kind;
    std::string text;
    Value value;
};

// The tokens of a tag's content, ending with an End token; `line` is for errors.
std::vector<Token> tokenize(const std::string &s, int line);

// An expression parser over one tag's tokens; errors name `line`.
class ExprParser
{
public:
    ExprParser(std::vector<Token> tokens, int line) : m_tokens(std::move(tokens)), m_line(line) {}

    ExprPtr expression() { return ternary(); }
    // Without the conditional expression ("x if c else y"): a for loop's iterable.
    ExprPtr orExpression() { return logicalOr(); }
    bool atEnd() const { return peek().kind == Token::Kind::End; }
    bool isName(const std::string &name, size_t ahead = 0) const;
    bool isOp(const std::string &op, size_t ahead = 0) const;
    std::string name();
    void expectOp(const std::string &op);
    void expectName(const std::string &word);
    void expectEnd();
    bool acceptOp(const std::string &op);
    bool acceptName(const std::string &word);
    // "a" or "a, b" (for targets).
    std::vector<std::string> targets();

private:
    const Token &peek(size_t ahead = 0) const;
    ExprPtr make(Expr::Kind kind);
    ExprPtr binary(std::string op, ExprPtr a, ExprPtr b);

    ExprPtr ternary();
    ExprPtr logicalOr();
    ExprPtr logicalAnd();
    ExprPtr logicalNot();
    ExprPtr compare();
    ExprPtr math1();
    ExprPtr concat();
    ExprPtr math2();
    ExprPtr power();
    ExprPtr unary();
    ExprPtr primary();
    void callArguments(Expr &call);
    ExprPtr postfix(ExprPtr e);
    ExprPtr filters(ExprPtr e);

    std::vector<Token> m_tokens;
    size_t m_pos = 0;
    int m_line;
};

} // namespace slim::tok::jinja::detail
