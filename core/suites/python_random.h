#pragma once
// CPython's random.Random, exactly: MT19937 seeded as random.Random(n) seeds it (init_by_array
// of the seed's 32-bit words), getrandbits, the rejection-sampled randbelow and random.sample's
// two algorithms (a shrinking pool for small populations, a set of chosen indices otherwise).
// lm-evaluation-harness draws its few-shot examples with random.Random(1234).sample, one
// generator per task consumed in document order; this reproduces its draws bit for bit.
// (std::mt19937(1234) is seeded differently and gives other numbers.)

#include <array>
#include <cstddef>
#include <cstdint>
#include <vector>

namespace slim::suites {

class PythonRandom
{
public:
    explicit PythonRandom(uint64_t seed); // random.Random(seed), seed >= 0

    uint32_t nextWord(); // MT19937's genrand_uint32
    uint64_t getrandbits(int k); // 1 <= k <= 64
    uint64_t randbelow(uint64_t n); // uniform in [0, n), n >= 1
    // Indices into a population of `populationSize`, as random.sample(population, k) picks
    // them (result[i] = population[index[i]]). Throws std::invalid_argument when k > size.
    std::vector<std::size_t> sample(std::size_t populationSize, std::size_t k);

private:
    static constexpr int kN = 624;
    std::array<uint32_t, kN> m_state {};
    int m_index = kN;

    void seedFromKey(const std::vector<uint32_t> &key);
    void regenerate();
};

} // namespace slim::suites
