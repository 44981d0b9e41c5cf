#pragma once
// A small deterministic random source. std::uniform_int_distribution and std::shuffle are
// implementation-defined, so the same seed could give different benchmark items with another
// standard library; everything here is specified bit for bit.

#include <cstdint>
#include <string_view>
#include <utility>
#include <vector>

namespace slim::data {

// Derives an independent seed for a named stream (e.g. one per task) from a base seed.
uint64_t deriveSeed(uint64_t seed, std::string_view stream);
uint64_t deriveSeed(uint64_t seed, uint64_t stream);

// SplitMix64. Not thread-safe; copy it to fork a stream.
class SeededRandom
{
public:
    explicit SeededRandom(uint64_t seed)
        : m_state(seed)
    { }

    uint64_t next();
    // Uniform in [0, bound); bound > 0. Rejection sampling, so exactly uniform.
    uint64_t below(uint64_t bound);
    // Uniform in [0, 1) with 53 random bits.
    double unit();

    // Fisher-Yates, in the order this class defines.
    template<typename T>
    void shuffle(std::vector<T> &items)
    {
        for (std::size_t i = items.size(); i > 1; --i)
            std::swap(items[i - 1], items[below(i)]);
    }

private:
    uint64_t m_state;
};

} // namespace slim::data
