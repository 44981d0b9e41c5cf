#include "data/seeded_random.h"

namespace slim::data {

uint64_t deriveSeed(uint64_t seed, uint64_t stream)
{
    SeededRandom mixer(seed ^ (stream * 0x9E3779B97F4A7C15ull));
    mixer.next();
    return mixer.next();
}

uint64_t deriveSeed(uint64_t seed, std::string_view stream)
{
    uint64_t hash = 0xcbf29ce484222325ull; // FNV-1a
    for (const char c : stream) {
        hash ^= uint8_t(c);
        hash *= 0x100000001b3ull;
    }
    return deriveSeed(seed, hash);
}

uint64_t SeededRandom::next()
{
    uint64_t z = (m_state += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
}

uint64_t SeededRandom::below(uint64_t bound)
{
    // Reject the top partial range so every value is equally likely.
    const uint64_t limit = UINT64_MAX - UINT64_MAX % bound;
    uint64_t value;
    do {
        value = next();
    } while (value >= limit);
    return value % bound;
}

double SeededRandom::unit()
{
    return double(next() >> 11) * 0x1.0p-53;
}

} // namespace slim::data
