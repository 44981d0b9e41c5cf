#include "tokenizer.h"

#include "added_vocabulary.h"
#include "builtin_tokenizer.h"
#include "bpe_model.h"
#include "decoder.h"
#include "normalizer.h"
#include "post_processor.h"
#include "pre_tokenizer.h"
#include "unicode_text.h"

#include <fstream>
#include <set>
#include <sstream>

namespace slim::tok {

namespace fs = std::filesystem;

struct Tokenizer::Impl
{
    std::unique_ptr<Normalizer> normalizer;
    std::unique_ptr<PreTokenizer> preTokenizer;
    std::unique_ptr<BpeModel> model;
    std::unique_ptr<Decoder> decoder;
    AddedVocabulary added;
    SpecialWrap wrap;
    bool cleanUpSpaces = false;
    std::optional<std::string> bos, eos, pad, unk;
    std::map<std::string, std::string> chatTemplates;
    int64_t vocabSize = 0;

    std::optional<int64_t> idOf(const std::string &token) const
    {
        if (const auto *t = added.byContent(token))
            return t->id;
        const auto &vocab = model->vocab();
        if (const auto it = vocab.find(token); it != vocab.end())
            return it->second;
        return std::nullopt;
    }
};

namespace {

nlohmann::json parseJson(const std::string &text, const std::string &name)
{
    try {
        return nlohmann::json::parse(text);
    } catch (const nlohmann::json::exception &e) {
        throw TokenizerError(name + ": not valid JSON: " + e.what());
    }
}

std::string readFile(const fs::path &path)
{
    std::ifstream in(path, std::ios::binary);
    if (!in)
        throw TokenizerError(path.string() + ": cannot be read");
    std::ostringstream text;
    text << in.rdbuf();
    return text.str();
}

// bos_token etc.: a string, an AddedToken object {"content": ...}, or null.
std::optional<std::string> tokenField(const JsonAt &config, const std::string &key)
{
    if (!config.has(key))
        return std::nullopt;
    const auto field = config[key];
    if (field.value.is_string())
        return field.string();
    return field["content"].string();
}

// transformers' LlamaTokenizerFast and GemmaTokenizerFast rebuild the post-processor from
// add_bos_token / add_eos_token.
void applyBosEosFlags(Tokenizer::Impl &impl, const JsonAt &config)
{
    static const std::set<std::string> rebuilding = {
        "LlamaTokenizer", "LlamaTokenizerFast", "GemmaTokenizer", "GemmaTokenizerFast",
        "CodeLlamaTokenizer", "CodeLlamaTokenizerFast"};
    if (!rebuilding.count(config.stringOr("tokenizer_class", ""))
        || (!config.has("add_bos_token") && !config.has("add_eos_token")))
        return;
    const auto resolve = [&](const std::optional<std::string> &token, const std::string &key) {
        const auto id = token ? impl.idOf(*token) : std::nullopt;
        if (!id)
            config[key].fail("the token is not in the vocabulary");
        return *id;
    };
    impl.wrap = {};
    if (config.boolOr("add_bos_token", true))
        impl.wrap.before = {resolve(impl.bos, "bos_token")};
    if (config.boolOr("add_eos_token", false))
        impl.wrap.after = {resolve(impl.eos, "eos_token")};
}

} // namespace

Tokenizer Tokenizer::load(const fs::path &dir)
{
    const auto tokenizerPath = dir / "tokenizer.json";
    if (!fs::exists(tokenizerPath) && fs::exists(dir / "slim_tokenizer.json"))
        return builtinTokenizer();
    if (!fs::exists(tokenizerPath))
        throw TokenizerError(tokenizerPath.string() + ": no such file (a Hugging Face tokenizer "
                                                      "folder has tokenizer.json)");
    const auto configPath = dir / "tokenizer_config.json";
    return fromJson(readFile(tokenizerPath), fs::exists(configPath) ? readFile(configPath) : "",
                    tokenizerPath.string());
}

Tokenizer Tokenizer::forModel(const fs::path &dir, int64_t modelVocabSize)
{
    auto tokenizer = load(dir);
    if (tokenizer.vocabSize() > modelVocabSize)
        throw TokenizerError((dir / "config.json").string() + ": vocab_size "
                             + std::to_string(modelVocabSize) + " cannot hold the tokenizer's ids "
                             + "(0-" + std::to_string(tokenizer.vocabSize() - 1) + ")");
    return tokenizer;
}

Tokenizer Tokenizer::fromJson(const std::string &tokenizerJson, const std::string &configJson,
                              const std::string &name)
{
    const auto root = parseJson(tokenizerJson, name);
    const JsonAt json{root, name + ": "};
    json.object();
    auto impl = std::make_shared<Impl>();
    const auto model = json["model"];
    const auto type = model.stringOr("type", "BPE");
    if (type != "BPE")
        model["type"].unsupported("model type", type);
    impl->model = std::make_unique<BpeModel>(model);
    impl->added = AddedVocabulary(json["added_tokens"]);
    impl->normalizer = makeNormalizer(json["normalizer"]);
    impl->preTokenizer = makePreTokenizer(json["pre_tokenizer"]);
    impl->decoder = makeDecoder(json["decoder"]);
    impl->wrap = makePostProcessor(json["post_processor"]);
    impl->vocabSize = impl->model->size();
    for (const auto &t : impl->added.tokens())
        impl->vocabSize = std::max(impl->vocabSize, t.id + 1);

    if (!configJson.empty()) {
        const auto configName = (fs::path(name).parent_path() / "tokenizer_config.json").string();
        const auto configRoot = parseJson(configJson, configName);
        const JsonAt config{configRoot, configName + ": "};
        config.object();
        impl->bos = tokenField(config, "bos_token");
        impl->eos = tokenField(config, "eos_token");
        impl->pad = tokenField(config, "pad_token");
        impl->unk = tokenField(config, "unk_token");
        impl->cleanUpSpaces = config.boolOr("clean_up_tokenization_spaces", false);
        if (config.has("chat_template")) {
            const auto templates = config["chat_template"];
            if (templates.value.is_string()) {
                impl->chatTemplates["default"] = templates.string();
            } else {
                for (size_t i = 0; i < templates.array().size(); ++i)
                    impl->chatTemplates[templates[i]["name"].string()] = templates[i]["template"].string();
            }
        }
        applyBosEosFlags(*impl, config);
    }
    return Tokenizer(std::move(impl));
}

std::vector<int64_t> Tokenizer::encode(std::string_view text, bool addSpecialTokens) const
{
    const auto &impl = *m_impl;
    requireUtf8(text, "input text");
    std::vector<int64_t> ids;
    if (addSpecialTokens)
        ids = impl.wrap.before;
    bool first = true;
    for (auto &segment : impl.added.split(std::string(text), false)) {
        if (segment.id >= 0) {
            ids.push_back(segment.id);
            first = false;
            continue;
        }
        auto normalized = impl.normalizer ? impl.normalizer->normalize(std::move(segment.text))
                                          : std::move(segment.text);
        for (auto &part : impl.added.split(normalized, true)) {
            if (part.id >= 0) {
                ids.push_back(part.id);
                first = false;
                continue;
            }
            std::vector<Piece> pieces{{std::move(part.text), first}};
            first = false;
            if (impl.preTokenizer)
                pieces = impl.preTokenizer->split(std::move(pieces));
            for (const auto &piece : pieces)
                impl.model->tokenize(piece.text, ids);
        }
    }
    if (addSpecialTokens)
        ids.insert(ids.end(), impl.wrap.after.begin(), impl.wrap.after.end());
    return ids;
}

namespace {

// transformers' clean_up_tokenization.
std::string cleanUpTokenizationSpaces(std::string text)
{
    static const std::pair<const char *, const char *> rules[] = {
        {" .", "."}, {" ?", "?"}, {" !", "!"}, {" ,", ","}, {" ' ", "'"}, {" n't", "n't"},
        {" 'm", "'m"}, {" 's", "'s"}, {" 've", "'ve"}, {" 're", "'re"}};
    for (const auto &[from, to] : rules) {
        std::string out;
        const std::string_view f(from);
        size_t previous = 0;
        for (size_t pos; (pos = text.find(f, previous)) != std::string::npos; previous = pos + f.size())
            out.append(text, previous, pos - previous).append(to);
        out.append(text, previous);
        text = std::move(out);
    }
    return text;
}

} // namespace

std::string Tokenizer::decode(const std::vector<int64_t> &ids, bool skipSpecialTokens) const
{
    const auto &impl = *m_impl;
    std::vector<std::string> tokens;
    tokens.reserve(ids.size());
    for (const auto id : ids) {
        if (const auto *added = impl.added.byId(id)) {
            if (!(skipSpecialTokens && added->special))
                tokens.push_back(added->content);
            continue;
        }
        const auto &token = impl.model->tokenOf(id);
        if (!token.empty()) // as the Rust library: ids outside the vocabulary are dropped
            tokens.push_back(token);
    }
    std::string text;
    if (impl.decoder) {
        for (const auto &part : impl.decoder->decodeChain(std::move(tokens)))
            text += part;
    } else {
        for (size_t i = 0; i < tokens.size(); ++i)
            text += (i ? " " : "") + tokens[i];
    }
    return impl.cleanUpSpaces ? cleanUpTokenizationSpaces(std::move(text)) : text;
}

int64_t Tokenizer::vocabSize() const { return m_impl->vocabSize; }

std::optional<int64_t> Tokenizer::tokenId(const std::string &token) const
{
    return m_impl->idOf(token);
}

std::string Tokenizer::tokenOf(int64_t id) const
{
    if (const auto *added = m_impl->added.byId(id))
        return added->content;
    return m_impl->model->tokenOf(id);
}

int64_t Tokenizer::paddingId() const
{
    if (const auto pad = padId())
        return *pad;
    if (const auto eos = eosId())
        return *eos;
    return 0;
}

bool Tokenizer::isSpecial(int64_t id) const
{
    const auto *added = m_impl->added.byId(id);
    return added && added->special;
}

std::optional<int64_t> Tokenizer::bosId() const
{
    return m_impl->bos ? m_impl->idOf(*m_impl->bos) : std::nullopt;
}

std::optional<int64_t> Tokenizer::eosId() const
{
    return m_impl->eos ? m_impl->idOf(*m_impl->eos) : std::nullopt;
}

std::optional<int64_t> Tokenizer::padId() const
{
    return m_impl->pad ? m_impl->idOf(*m_impl->pad) : std::nullopt;
}

std::optional<std::string> Tokenizer::bosToken() const { return m_impl->bos; }
std::optional<std::string> Tokenizer::eosToken() const { return m_impl->eos; }
std::optional<std::string> Tokenizer::unkToken() const { return m_impl->unk; }
std::optional<std::string> Tokenizer::padToken() const { return m_impl->pad; }

const std::map<std::string, std::string> &Tokenizer::chatTemplates() const
{
    return m_impl->chatTemplates;
}

} // namespace slim::tok
