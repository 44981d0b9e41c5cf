// Parsing of chat templates into jinja_ast.h's tree: the statement tags (if, for, set, macro,
// break, continue, generation) and their bodies; unsupported tags are refused with the line.
#include "jinja_parser_internal.h"
#include "jinja_template.h"

#include "jinja_error.h"

#include <algorithm>
#include <cctype>
#include <set>

namespace slim::tok::jinja {

using namespace detail;

namespace {

class StmtParser
{
public:
    explicit StmtParser(std::vector<Chunk> chunks) : m_chunks(std::move(chunks)) {}

    Body parseAll()
    {
        auto body = parseBody({});
        if (m_pos < m_chunks.size())
            fail(m_chunks[m_pos].line, "unexpected '" + keywordOf(m_chunks[m_pos]) + "'");
        return body;
    }

private:
    static std::string keywordOf(const Chunk &c)
    {
        const auto start = c.content.find_first_not_of(" \t\n\r");
        if (start == std::string::npos)
            return "";
        size_t end = start;
        while (end < c.content.size()
               && (std::isalnum(static_cast<unsigned char>(c.content[end])) || c.content[end] == '_'))
            ++end;
        return c.content.substr(start, end - start);
    }

    // Parses until a statement whose keyword is in `stops` (left unconsumed) or the end (an
    // error naming the block opened on `openLine`).
    Body parseBody(const std::set<std::string> &stops, int openLine = 0, const std::string &opener = {})
    {
        Body body;
        while (m_pos < m_chunks.size()) {
            const auto &chunk = m_chunks[m_pos];
            if (chunk.kind == Chunk::Kind::Text) {
                auto s = std::make_unique<Stmt>();
                s->kind = Stmt::Kind::Text;
                s->text = chunk.content;
                body.push_back(std::move(s));
                ++m_pos;
                continue;
            }
            if (chunk.kind == Chunk::Kind::Output) {
                ExprParser p(tokenize(chunk.content, chunk.line), chunk.line);
                auto s = std::make_unique<Stmt>();
                s->kind = Stmt::Kind::Output;
                s->line = chunk.line;
                s->exprs.push_back(p.expression());
                p.expectEnd();
                body.push_back(std::move(s));
                ++m_pos;
                continue;
            }
            const auto keyword = keywordOf(chunk);
            if (stops.count(keyword))
                return body;
            body.push_back(statement(keyword));
        }
        if (!stops.empty())
            fail(openLine, "'" + opener + "' has no '" + *std::find_if(stops.begin(), stops.end(), [](const auto &s) {
                     return s.rfind("end", 0) == 0;
                 }) + "'");
        return body;
    }

    std::unique_ptr<Stmt> statement(const std::string &keyword)
    {
        const auto &chunk = m_chunks[m_pos++];
        ExprParser p(tokenize(chunk.content, chunk.line), chunk.line);
        p.expectName(keyword);
        auto s = std::make_unique<Stmt>();
        s->line = chunk.line;
        if (keyword == "if") {
            s->kind = Stmt::Kind::If;
            s->exprs.push_back(p.expression());
            p.expectEnd();
            for (;;) {
                s->bodies.push_back(parseBody({"elif", "else", "endif"}, chunk.line, "if"));
                const auto &next = m_chunks[m_pos++];
                const auto word = keywordOf(next);
                ExprParser q(tokenize(next.content, next.line), next.line);
                q.expectName(word);
                if (word == "elif") {
                    s->exprs.push_back(q.expression());
                    q.expectEnd();
                    continue;
                }
                q.expectEnd();
                if (word == "else") {
                    s->bodies.push_back(parseBody({"endif"}, chunk.line, "if"));
                    ++m_pos;
                }
                break;
            }
        } else if (keyword == "for") {
            s->kind = Stmt::Kind::For;
            s->names = p.targets();
            p.expectName("in");
            s->exprs.push_back(p.orExpression());
            s->exprs.push_back(p.acceptName("if") ? p.expression() : nullptr);
            if (p.acceptName("recursive"))
                fail(chunk.line, "unsupported construct 'recursive' loops");
            p.expectEnd();
            s->bodies.push_back(parseBody({"else", "endfor"}, chunk.line, "for"));
            if (keywordOf(m_chunks[m_pos++]) == "else") {
                s->bodies.push_back(parseBody({"endfor"}, chunk.line, "for"));
                ++m_pos;
            }
        } else if (keyword == "set") {
            s->names.push_back(p.name());
            if (p.acceptOp("."))
                s->names.push_back(p.name());
            if (p.acceptOp("=")) {
                s->kind = Stmt::Kind::Set;
                s->exprs.push_back(p.expression());
                p.expectEnd();
            } else {
                p.expectEnd();
                s->kind = Stmt::Kind::SetBlock;
                s->bodies.push_back(parseBody({"endset"}, chunk.line, "set"));
                ++m_pos;
            }
        } else if (keyword == "macro") {
            s->kind = Stmt::Kind::Macro;
            s->names.push_back(p.name());
            p.expectOp("(");
            while (!p.isOp(")")) {
                s->names.push_back(p.name());
                s->exprs.push_back(p.acceptOp("=") ? p.expression() : nullptr);
                if (!p.acceptOp(","))
                    break;
            }
            p.expectOp(")");
            p.expectEnd();
            s->bodies.push_back(parseBody({"endmacro"}, chunk.line, "macro"));
            ++m_pos;
        } else if (keyword == "break" || keyword == "continue") {
            s->kind = keyword == "break" ? Stmt::Kind::Break : Stmt::Kind::Continue;
            p.expectEnd();
        } else if (keyword == "generation") {
            // transformers' AssistantTracker block: renders its body.
            s->kind = Stmt::Kind::Block;
            p.expectEnd();
            s->bodies.push_back(parseBody({"endgeneration"}, chunk.line, "generation"));
            ++m_pos;
        } else {
            fail(chunk.line, "unsupported tag '" + keyword + "'");
        }
        return s;
    }

    std::vector<Chunk> m_chunks;
    size_t m_pos = 0;
};

} // namespace

Template::Template(const std::string &source) : m_body(StmtParser(splitSource(source)).parseAll()) {}
Template::~Template() = default;
Template::Template(Template &&) noexcept = default;

} // namespace slim::tok::jinja
