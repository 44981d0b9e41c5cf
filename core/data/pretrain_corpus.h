#pragma once
// The pretraining stream of the built-in base model: fact rows (country capitals and continents
// in varied phrasings, US state capitals) mixed with windows of Brown (train documents only),
// State of the Union and optionally Moby-Dick. No held-out Brown text and no downstream task
// data ever appears in it.

#include "data/data_locator.h"

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace slim::data {

struct PretrainOptions
{
    uint64_t seed = 1;
    std::size_t maxRowBytes = 127; // the model adds BOS: 128 positions
    double factFraction = 0.5; // share of rows that are fact streams (the prototype: 0.5)
    // Relative weights of the text sources for the other rows (0 disables a source).
    double brownWeight = 1.0;
    double sotuWeight = 1.0;
    double mobyDickWeight = 0.0;
    // Shares of fact sentences about continents and about US states; the rest are capitals.
    double continentFactShare = 0.35;
    double stateFactShare = 0.15;
};

// Immutable after construction; copies share the loaded text. Thread-safe for const use.
class PretrainCorpus
{
public:
    // Loads the sources; throws DataError when a file is missing or malformed, or an option is
    // out of range.
    explicit PretrainCorpus(const DataLocator &locator, PretrainOptions options = {});

    // Row `index` of the endless stream, at most maxRowBytes bytes, never splitting a UTF-8
    // character. Depends only on the options (seed included) and the index, so any range can
    // be regenerated without replaying the rows before it.
    std::string row(uint64_t index) const;
    std::vector<std::string> rows(uint64_t first, std::size_t count) const;
    bool isFactRow(uint64_t index) const;

    const PretrainOptions &options() const { return m_options; }
    std::size_t brownTrainDocumentCount() const;
    // SHA-256 of the options and every source byte: identifies the stream (e.g. to cache a
    // pretrained base model).
    std::string fingerprint() const;

private:
    struct Sources;
    std::string factRow(uint64_t rowSeed) const;
    std::string textRow(uint64_t rowSeed) const;

    PretrainOptions m_options;
    std::shared_ptr<const Sources> m_sources;
};

} // namespace slim::data
