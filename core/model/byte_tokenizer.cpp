#include "byte_tokenizer.h"

#include <nlohmann/json.hpp>

#include <fstream>
#include <stdexcept>

namespace slim::engine {

std::vector<int64_t> ByteTokenizer::encode(std::string_view text, bool addBos, bool addEos) const
{
    std::vector<int64_t> ids;
    ids.reserve(text.size() + 2);
    if (addBos)
        ids.push_back(kBos);
    for (unsigned char c : text)
        ids.push_back(c);
    if (addEos)
        ids.push_back(kEos);
    return ids;
}

std::string ByteTokenizer::decode(const std::vector<int64_t> &ids) const
{
    std::string text;
    text.reserve(ids.size());
    for (int64_t id : ids) {
        if (id >= 0 && id < 256)
            text.push_back(static_cast<char>(id));
    }
    return text;
}

void ByteTokenizer::save(const std::filesystem::path &modelDir) const
{
    nlohmann::json json = {{"type", "byte"},
                           {"vocab_size", kVocabSize},
                           {"bos_token_id", kBos},
                           {"eos_token_id", kEos},
                           {"pad_token_id", kPad}};
    std::ofstream out(modelDir / kFileName);
    out << json.dump(2) << '\n';
    if (!out)
        throw std::runtime_error("cannot write " + (modelDir / kFileName).string());
}

ByteTokenizer ByteTokenizer::load(const std::filesystem::path &modelDir)
{
    const auto path = modelDir / kFileName;
    std::ifstream in(path);
    if (!in)
        throw std::runtime_error(path.string() + ": no tokenizer file (this build reads the "
                                                 "workbench's byte-level tokenizer only; a "
                                                 "Hugging Face tokenizer.json is not read yet)");
    nlohmann::json json;
    try {
        json = nlohmann::json::parse(in);
    } catch (const nlohmann::json::parse_error &e) {
        throw std::runtime_error(path.string() + ": not valid JSON: " + e.what());
    }
    if (json.value("type", std::string()) != "byte" || json.value("vocab_size", 0) != kVocabSize)
        throw std::runtime_error(path.string() + ": not a byte tokenizer with "
                                 + std::to_string(kVocabSize) + " tokens");
    return {};
}

ByteTokenizer ByteTokenizer::forModel(const std::filesystem::path &modelDir, int64_t vocabSize)
{
    auto tokenizer = load(modelDir);
    if (vocabSize < kVocabSize)
        throw std::runtime_error((modelDir / "config.json").string() + ": vocab_size "
                                 + std::to_string(vocabSize) + " cannot hold the byte tokenizer's "
                                 + std::to_string(kVocabSize) + " ids");
    return tokenizer;
}

} // namespace slim::engine
