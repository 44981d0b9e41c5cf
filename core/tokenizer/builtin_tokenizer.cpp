#include "builtin_tokenizer.h"

#include "tokenizer_error.h"
#include "common/file_writes.h"

#include <nlohmann/json.hpp>

#include <cstdio>

namespace slim::tok {

namespace {

const char *const kBosToken = "<|bos|>";
const char *const kEosToken = "<|eos|>";
const char *const kPadToken = "<|pad|>";

nlohmann::ordered_json addedToken(int64_t id, const char *content)
{
    return {{"id", id},           {"content", content}, {"single_word", false}, {"lstrip", false},
            {"rstrip", false},    {"normalized", false}, {"special", true}};
}

void writeText(const std::filesystem::path &path, const std::string &text)
{
    try {
        common::writeTextFile(path, text);
    } catch (const common::FileWriteError &e) {
        throw TokenizerError(e.what());
    }
}

} // namespace

std::string builtinTokenizerJson()
{
    nlohmann::ordered_json vocab = nlohmann::ordered_json::object();
    for (int b = 0; b < 256; ++b) {
        char name[8];
        std::snprintf(name, sizeof name, "<0x%02X>", b);
        vocab[name] = b;
    }
    const nlohmann::ordered_json bos = {{"SpecialToken", {{"id", kBosToken}, {"type_id", 0}}}};
    nlohmann::ordered_json json = {
        {"version", "1.0"},
        {"truncation", nullptr},
        {"padding", nullptr},
        {"added_tokens", {addedToken(BuiltinTokens::kBos, kBosToken),
                          addedToken(BuiltinTokens::kEos, kEosToken),
                          addedToken(BuiltinTokens::kPad, kPadToken)}},
        {"normalizer", nullptr},
        {"pre_tokenizer", nullptr},
        {"post_processor",
         {{"type", "TemplateProcessing"},
          {"single", {bos, {{"Sequence", {{"id", "A"}, {"type_id", 0}}}}}},
          {"pair",
           {bos, {{"Sequence", {{"id", "A"}, {"type_id", 0}}}},
            {{"SpecialToken", {{"id", kBosToken}, {"type_id", 1}}}},
            {{"Sequence", {{"id", "B"}, {"type_id", 1}}}}}},
          {"special_tokens",
           {{kBosToken, {{"id", kBosToken}, {"ids", {BuiltinTokens::kBos}}, {"tokens", {kBosToken}}}}}}}},
        {"decoder", {{"type", "Sequence"}, {"decoders", {{{"type", "ByteFallback"}}, {{"type", "Fuse"}}}}}},
        {"model",
         {{"type", "BPE"},
          {"dropout", nullptr},
          {"unk_token", nullptr},
          {"continuing_subword_prefix", nullptr},
          {"end_of_word_suffix", nullptr},
          {"fuse_unk", false},
          {"byte_fallback", true},
          {"ignore_merges", false},
          {"vocab", vocab},
          {"merges", nlohmann::ordered_json::array()}}}};
    return json.dump(2) + "\n";
}

std::string builtinTokenizerConfigJson()
{
    const nlohmann::ordered_json json = {{"tokenizer_class", "PreTrainedTokenizerFast"},
                                         {"bos_token", kBosToken},
                                         {"eos_token", kEosToken},
                                         {"pad_token", kPadToken},
                                         {"clean_up_tokenization_spaces", false}};
    return json.dump(2) + "\n";
}

Tokenizer builtinTokenizer()
{
    static const Tokenizer tokenizer = Tokenizer::fromJson(
        builtinTokenizerJson(), builtinTokenizerConfigJson(), "built-in tokenizer.json");
    return tokenizer;
}

void writeBuiltinTokenizer(const std::filesystem::path &modelDir)
{
    writeText(modelDir / "tokenizer.json", builtinTokenizerJson());
    writeText(modelDir / "tokenizer_config.json", builtinTokenizerConfigJson());
}

} // namespace slim::tok
