#pragma once
// Loaders of the raw sources (see docs/data.md). Each returns records in a fixed, sorted order
// so that everything built from them is deterministic. Missing files and malformed lines throw
// DataError naming the file (and line).

#include "data/data_locator.h"

#include <array>
#include <string>
#include <vector>

namespace slim::data {

// --- vendored (resources/data) ---------------------------------------------------------------

struct Country
{
    std::string name;
    std::string capital; // empty for the few territories without one
    std::string continent; // "Africa", "Antarctica", "Asia", "Europe", "North America", ...
};

// countries-list/countries.csv.gz; sorted by name.
std::vector<Country> loadCountries(const DataLocator &locator);

struct StateCapital
{
    std::string state;
    std::string capital;
};

// us-states-capitals/data.csv.gz; sorted by state.
std::vector<StateCapital> loadStateCapitals(const DataLocator &locator);

// first-names/{female,male}.txt.gz: sorted, duplicates removed. Names that appear in both
// lists are kept here; the name_gender task drops them.
std::vector<std::string> loadFirstNames(const DataLocator &locator, bool female);

// --- fetched (packaging/fetch-data.sh) -------------------------------------------------------

struct TextDocument
{
    std::string id; // "ca01", "1790_george_washington_n", ...
    std::string genre; // Brown genre ("news", ...); empty otherwise
    std::string text; // plain text
};

// The 500 Brown documents sorted by id, tags stripped and detokenised (quotes as ", no space
// before punctuation), sentences joined by single spaces.
std::vector<TextDocument> loadBrownCorpus(const DataLocator &locator);

// Brown's fixed document split: every kBrownHeldOutStride-th document by sorted id, starting
// at index kBrownHeldOutStride / 2 (10 documents, about 110 KB), is held out; no pretraining
// row ever comes from it.
constexpr int kBrownHeldOutStride = 50;
bool isBrownHeldOut(std::size_t indexInSortedCorpus);

// The word classes of the benchmark's word_class task, by index: noun, verb, adjective, adverb.
const std::array<std::string, 4> &wordClassNames();

struct ClassifiedWord
{
    std::string word; // lower-case ASCII letters, at least 3
    int wordClass = 0; // index into wordClassNames()
};

// Brown's words with one coarse class in at least 80 % of their tagged uses (nouns: nn, nns;
// verbs: vb, vbd, vbg, vbn, vbz; adjectives: jj, jjr, jjs, jjt; adverbs: rb, rbr, rbt; title
// and headline suffixes ignored; every other tag counts against), sorted by word.
std::vector<ClassifiedWord> loadBrownWordClasses(const DataLocator &locator);

// The 233 State of the Union addresses, sorted by id (year first).
std::vector<TextDocument> loadStateOfTheUnion(const DataLocator &locator);

// Moby-Dick as one document.
TextDocument loadMobyDick(const DataLocator &locator);

struct LabelledSentence
{
    std::string text;
    bool positive = false;
};

// Pang & Lee movie-review sentences (polarity/polarity-en-pang-lee2.csv), in file order.
std::vector<LabelledSentence> loadPolaritySentences(const DataLocator &locator);

} // namespace slim::data
