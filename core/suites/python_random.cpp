#include "python_random.h"

#include <cmath>
#include <stdexcept>
#include <string>
#include <unordered_set>

namespace slim::suites {

namespace {
constexpr int kM = 397;
constexpr uint32_t kMatrixA = 0x9908b0dfU, kUpperMask = 0x80000000U, kLowerMask = 0x7fffffffU;

int bitLength(uint64_t n)
{
    int bits = 0;
    while (n > 0) {
        ++bits;
        n >>= 1;
    }
    return bits;
}
} // namespace

PythonRandom::PythonRandom(uint64_t seed)
{
    // CPython's random_seed: the absolute value's 32-bit words, least significant first; zero
    // is one word 0.
    std::vector<uint32_t> key;
    do {
        key.push_back(uint32_t(seed & 0xffffffffU));
        seed >>= 32;
    } while (seed > 0);
    seedFromKey(key);
}

void PythonRandom::seedFromKey(const std::vector<uint32_t> &key)
{
    // The MT19937 reference's init_genrand(19650218) then init_by_array(key).
    m_state[0] = 19650218U;
    for (int i = 1; i < kN; ++i)
        m_state[size_t(i)]
            = 1812433253U * (m_state[size_t(i - 1)] ^ (m_state[size_t(i - 1)] >> 30)) + uint32_t(i);
    size_t i = 1, j = 0;
    for (size_t k = std::max<size_t>(kN, key.size()); k > 0; --k) {
        const uint32_t previous = m_state[i - 1];
        m_state[i]
            = (m_state[i] ^ ((previous ^ (previous >> 30)) * 1664525U)) + key[j] + uint32_t(j);
        ++i;
        ++j;
        if (i >= size_t(kN)) {
            m_state[0] = m_state[kN - 1];
            i = 1;
        }
        if (j >= key.size())
            j = 0;
    }
    for (size_t k = kN - 1; k > 0; --k) {
        const uint32_t previous = m_state[i - 1];
        m_state[i] = (m_state[i] ^ ((previous ^ (previous >> 30)) * 1566083941U)) - uint32_t(i);
        ++i;
        if (i >= size_t(kN)) {
            m_state[0] = m_state[kN - 1];
            i = 1;
        }
    }
    m_state[0] = 0x80000000U; // a non-zero initial state
    m_index = kN;
}

void PythonRandom::regenerate()
{
    for (int k = 0; k < kN; ++k) {
        const uint32_t y
            = (m_state[size_t(k)] & kUpperMask) | (m_state[size_t((k + 1) % kN)] & kLowerMask);
        m_state[size_t(k)] = m_state[size_t((k + kM) % kN)] ^ (y >> 1) ^ ((y & 1U) ? kMatrixA : 0U);
    }
    m_index = 0;
}

uint32_t PythonRandom::nextWord()
{
    if (m_index >= kN)
        regenerate();
    uint32_t y = m_state[size_t(m_index++)];
    y ^= y >> 11;
    y ^= (y << 7) & 0x9d2c5680U;
    y ^= (y << 15) & 0xefc60000U;
    y ^= y >> 18;
    return y;
}

uint64_t PythonRandom::getrandbits(int k)
{
    if (k < 1 || k > 64)
        throw std::invalid_argument("getrandbits: k must be in [1, 64]");
    if (k <= 32)
        return nextWord() >> (32 - k);
    // Words from least to most significant; the last one keeps its top bits.
    const uint64_t low = nextWord();
    const uint64_t high = nextWord() >> (64 - k);
    return low | (high << 32);
}

uint64_t PythonRandom::randbelow(uint64_t n)
{
    if (n == 0)
        throw std::invalid_argument("randbelow: n must be >= 1");
    const int k = bitLength(n); // not n - 1: n may be 1
    uint64_t r = getrandbits(k);
    while (r >= n)
        r = getrandbits(k);
    return r;
}

std::vector<size_t> PythonRandom::sample(size_t n, size_t k)
{
    if (k > n)
        throw std::invalid_argument("sample: " + std::to_string(k) + " items from a population of "
                                    + std::to_string(n) + " (sample larger than population)");
    std::vector<size_t> result(k);
    size_t setsize = 21; // size of a small set minus the size of an empty list
    if (k > 5)
        setsize += size_t(std::pow(4.0, std::ceil(std::log(double(k * 3)) / std::log(4.0))));
    if (n <= setsize) {
        std::vector<size_t> pool(n);
        for (size_t i = 0; i < n; ++i)
            pool[i] = i;
        for (size_t i = 0; i < k; ++i) {
            const auto j = size_t(randbelow(n - i));
            result[i] = pool[j];
            pool[j] = pool[n - i - 1];
        }
    } else {
        std::unordered_set<size_t> selected;
        for (size_t i = 0; i < k; ++i) {
            auto j = size_t(randbelow(n));
            while (selected.count(j))
                j = size_t(randbelow(n));
            selected.insert(j);
            result[i] = j;
        }
    }
    return result;
}

} // namespace slim::suites
