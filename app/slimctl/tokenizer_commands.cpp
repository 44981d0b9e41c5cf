#include "tokenizer_commands.h"

#include "token_ids.h"

#include "tokenizer/chat_template.h"
#include "tokenizer/tokenizer.h"
#include "tokenizer/tokenizer_error.h"

#include <nlohmann/json.hpp>

#include <iostream>
#include <iterator>
#include <sstream>

namespace slim::cli {

namespace {

std::string readStdin()
{
    std::ostringstream text;
    text << std::cin.rdbuf();
    return text.str();
}

void printIds(const GlobalOptions &g, const std::vector<int64_t> &ids)
{
    if (g.json) {
        std::cout << nlohmann::json(ids).dump() << "\n";
        return;
    }
    for (size_t i = 0; i < ids.size(); ++i)
        std::cout << (i ? " " : "") << ids[i];
    std::cout << "\n";
}

// The ids of a JSON array.
std::vector<int64_t> idsOfJson(const nlohmann::json &json)
{
    std::vector<int64_t> ids;
    for (size_t i = 0; i < json.size(); ++i) {
        if (!json[i].is_number_integer() || json[i].get<int64_t>() < 0)
            throw std::invalid_argument("stdin: item " + std::to_string(i) + " is not a token id");
        ids.push_back(json[i].get<int64_t>());
    }
    return ids;
}

// Ids typed on stdin, or a JSON array of them.
std::vector<int64_t> parseIds(const std::string &text)
{
    const auto start = text.find_first_not_of(" \t\r\n");
    if (start == std::string::npos || text[start] != '[')
        return parseTokenIds(text, "stdin");
    try {
        return idsOfJson(nlohmann::json::parse(text));
    } catch (const nlohmann::json::exception &e) {
        throw std::invalid_argument(std::string("stdin: not a JSON array of ids: ") + e.what());
    }
}

// The library drops ids outside the vocabulary (as Hugging Face's does); given by a user, they
// are a mistake to name.
std::vector<int64_t> checkedIds(const tok::Tokenizer &tokenizer, std::vector<int64_t> ids)
{
    for (const auto id : ids) {
        if (tokenizer.tokenOf(id).empty())
            throw std::invalid_argument("id " + std::to_string(id) + " is not in the vocabulary (0-"
                                        + std::to_string(tokenizer.vocabSize() - 1) + ")");
    }
    return ids;
}

// Each non-empty stdin line parsed as JSON; `what` names the expected value in errors.
template<typename Handle>
void forEachJsonLine(const std::string &what, Handle &&handle)
{
    std::string line;
    for (size_t number = 1; std::getline(std::cin, line); ++number) {
        if (line.find_first_not_of(" \t\r") == std::string::npos)
            continue;
        nlohmann::json value;
        try {
            value = nlohmann::json::parse(line);
        } catch (const nlohmann::json::exception &e) {
            throw std::invalid_argument("stdin line " + std::to_string(number) + ": not JSON ("
                                        + what + "): " + e.what());
        }
        try {
            handle(value);
        } catch (const std::exception &e) {
            throw std::invalid_argument("stdin line " + std::to_string(number) + ": " + e.what());
        }
    }
}

} // namespace

int cmdTokenize(const GlobalOptions &g, const TokenizeArgs &a)
{
    const auto tokenizer = tok::Tokenizer::load(a.tokenizer);
    if (!a.jsonl) {
        printIds(g, tokenizer.encode(readStdin(), !a.noSpecial));
        return 0;
    }
    forEachJsonLine("a JSON string", [&](const nlohmann::json &value) {
        if (!value.is_string())
            throw std::invalid_argument("expected a JSON string");
        printIds(g, tokenizer.encode(value.get<std::string>(), !a.noSpecial));
    });
    return 0;
}

int cmdDetokenize(const GlobalOptions &g, const TokenizeArgs &a)
{
    const auto tokenizer = tok::Tokenizer::load(a.tokenizer);
    if (a.jsonl) {
        forEachJsonLine("a JSON array of ids", [&](const nlohmann::json &value) {
            if (!value.is_array())
                throw std::invalid_argument("expected a JSON array of ids");
            std::cout << nlohmann::json(tokenizer.decode(checkedIds(tokenizer, idsOfJson(value)),
                                                         a.skipSpecial))
                             .dump()
                      << "\n";
        });
        return 0;
    }
    const auto text = tokenizer.decode(checkedIds(tokenizer, parseIds(readStdin())), a.skipSpecial);
    if (g.json)
        std::cout << nlohmann::json(text).dump() << "\n";
    else
        std::cout << text << std::flush;
    return 0;
}

int cmdChatTemplate(const GlobalOptions &g, const ChatTemplateArgs &a)
{
    const auto tokenizer = tok::Tokenizer::load(a.tokenizer);
    nlohmann::ordered_json input;
    try {
        input = nlohmann::ordered_json::parse(readStdin());
    } catch (const nlohmann::json::exception &e) {
        throw std::invalid_argument(std::string("stdin: not JSON: ") + e.what());
    }
    tok::ChatOptions options;
    options.add_generation_prompt = a.addGenerationPrompt;
    options.template_name = a.templateName;
    nlohmann::ordered_json messages = input;
    if (input.is_object()) {
        if (!input.contains("messages"))
            throw std::invalid_argument("stdin: an object needs \"messages\"");
        messages = input["messages"];
        for (const auto &[key, value] : input.items()) {
            if (key == "tools")
                options.tools = value;
            else if (key == "documents")
                options.documents = value;
            else if (key != "messages")
                options.extra[key] = value;
        }
    }
    for (const auto &var : a.vars) {
        const auto eq = var.find('=');
        if (eq == std::string::npos || eq == 0)
            throw std::invalid_argument("--var '" + var + "': expected name=JSON");
        try {
            options.extra[var.substr(0, eq)] = nlohmann::ordered_json::parse(var.substr(eq + 1));
        } catch (const nlohmann::json::exception &) {
            options.extra[var.substr(0, eq)] = var.substr(eq + 1); // a bare string
        }
    }
    const auto text = tok::renderChat(tokenizer, messages, options);
    if (a.tokenize) // the template writes the special tokens itself, as transformers does
        printIds(g, tokenizer.encode(text, false));
    else if (g.json)
        std::cout << nlohmann::json(text).dump() << "\n";
    else
        std::cout << text << std::flush;
    return 0;
}

} // namespace slim::cli
