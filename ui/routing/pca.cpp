#include "pca.h"

#include <algorithm>
#include <cmath>
#include <functional>
#include <numeric>
#include <random>

namespace slim::ui {

namespace {

using Vec = std::vector<double>;
// y = A x for the symmetric positive semi-definite matrix being decomposed.
using Operator = std::function<void(const Vec &x, Vec &y)>;

// Up to this size the smaller of covariance and Gram matrix is formed explicitly; beyond it the
// matrix would cost more to form than the iterations that use it.
constexpr std::size_t kExplicitLimit = 512;
// Block size of the subspace iteration: two wanted vectors plus guard vectors, which make
// convergence depend on lambda_9 / lambda_2 instead of lambda_3 / lambda_2.
constexpr std::size_t kBlock = 8;
constexpr int kMaxIterations = 300;
constexpr double kResidualTolerance = 1e-10;

double dot(const Vec &a, const Vec &b)
{
    return std::inner_product(a.begin(), a.end(), b.begin(), 0.0);
}

// Modified Gram-Schmidt, two passes. A column that collapses (the operator's rank is below the
// block size) is replaced by a random direction, so the block stays a full orthonormal basis.
void orthonormalise(std::vector<Vec> &block, std::mt19937_64 &rng)
{
    std::normal_distribution<double> normal;
    for (std::size_t j = 0; j < block.size(); ++j) {
        auto &v = block[j];
        for (int attempt = 0; attempt < 8; ++attempt) {
            const double before = std::sqrt(dot(v, v));
            for (int pass = 0; pass < 2; ++pass) {
                for (std::size_t i = 0; i < j; ++i) {
                    const double c = dot(block[i], v);
                    for (std::size_t t = 0; t < v.size(); ++t)
                        v[t] -= c * block[i][t];
                }
            }
            const double after = std::sqrt(dot(v, v));
            if (after > 1e-300 && after > 1e-8 * before) {
                for (auto &x : v)
                    x /= after;
                break;
            }
            for (auto &x : v)
                x = normal(rng);
        }
    }
}

struct TopTwo
{
    std::array<double, 2> values {};
    std::array<Vec, 2> vectors;
};

// Subspace iteration with Rayleigh-Ritz on an m x m operator; exact after one step when the
// block spans the whole space (m <= kBlock).
TopTwo topTwoEigenpairs(const Operator &apply, std::size_t m)
{
    const std::size_t k = std::min(m, kBlock);
    std::mt19937_64 rng(0x5eedULL);
    std::normal_distribution<double> normal;
    std::vector<Vec> q(k, Vec(m)), z(k, Vec(m));
    for (auto &v : q)
        for (auto &x : v)
            x = normal(rng);
    orthonormalise(q, rng);

    Vec values, w;
    std::vector<Vec> qr(k, Vec(m)), zr(k, Vec(m));
    for (int iteration = 0; iteration < kMaxIterations; ++iteration) {
        for (std::size_t j = 0; j < k; ++j)
            apply(q[j], z[j]);
        Vec t(k * k);
        for (std::size_t a = 0; a < k; ++a)
            for (std::size_t b = a; b < k; ++b)
                t[a * k + b] = t[b * k + a] = 0.5 * (dot(q[a], z[b]) + dot(q[b], z[a]));
        symmetricEigen(t, k, values, w);
        for (std::size_t j = 0; j < k; ++j) {
            std::fill(qr[j].begin(), qr[j].end(), 0.0);
            std::fill(zr[j].begin(), zr[j].end(), 0.0);
            for (std::size_t a = 0; a < k; ++a) {
                const double c = w[a * k + j];
                for (std::size_t i = 0; i < m; ++i) {
                    qr[j][i] += c * q[a][i];
                    zr[j][i] += c * z[a][i];
                }
            }
        }
        double worst = 0;
        for (std::size_t j = 0; j < std::min<std::size_t>(k, 2); ++j) {
            double r = 0;
            for (std::size_t i = 0; i < m; ++i)
                r += std::pow(zr[j][i] - values[j] * qr[j][i], 2);
            worst = std::max(worst, std::sqrt(r));
        }
        if (k == m || worst <= kResidualTolerance * std::max(std::abs(values[0]), 1e-300))
            break;
        q = zr; // A times the Ritz vectors: the next, better subspace
        orthonormalise(q, rng);
    }
    TopTwo out;
    for (std::size_t j = 0; j < std::min<std::size_t>(k, 2); ++j) {
        out.values[j] = std::max(values[j], 0.0);
        out.vectors[j] = qr[j];
    }
    return out;
}

} // namespace

std::array<double, 2> PrincipalPlane::explained() const
{
    if (totalVariance <= 0)
        return {0, 0};
    return {variance[0] / totalVariance, variance[1] / totalVariance};
}

void symmetricEigen(std::vector<double> a, std::size_t k, std::vector<double> &values,
                    std::vector<double> &vectors)
{
    Vec v(k * k, 0.0);
    for (std::size_t i = 0; i < k; ++i)
        v[i * k + i] = 1.0;
    for (int sweep = 0; sweep < 100; ++sweep) {
        double off = 0, all = 0;
        for (std::size_t i = 0; i < k; ++i)
            for (std::size_t j = 0; j < k; ++j)
                (i == j ? all : off) += a[i * k + j] * a[i * k + j];
        if (off <= 1e-30 * (all + off))
            break;
        for (std::size_t p = 0; p + 1 < k; ++p) {
            for (std::size_t q = p + 1; q < k; ++q) {
                const double apq = a[p * k + q];
                if (apq == 0.0)
                    continue;
                // The rotation that zeroes a_pq, by the smaller root for stability.
                const double theta = (a[q * k + q] - a[p * k + p]) / (2.0 * apq);
                const double t = (theta >= 0 ? 1.0 : -1.0)
                    / (std::abs(theta) + std::sqrt(theta * theta + 1.0));
                const double c = 1.0 / std::sqrt(t * t + 1.0), s = t * c;
                for (std::size_t r = 0; r < k; ++r) {
                    const double arp = a[r * k + p], arq = a[r * k + q];
                    a[r * k + p] = c * arp - s * arq;
                    a[r * k + q] = s * arp + c * arq;
                }
                for (std::size_t r = 0; r < k; ++r) {
                    const double apr = a[p * k + r], aqr = a[q * k + r];
                    a[p * k + r] = c * apr - s * aqr;
                    a[q * k + r] = s * apr + c * aqr;
                }
                for (std::size_t r = 0; r < k; ++r) {
                    const double vrp = v[r * k + p], vrq = v[r * k + q];
                    v[r * k + p] = c * vrp - s * vrq;
                    v[r * k + q] = s * vrp + c * vrq;
                }
            }
        }
    }
    std::vector<std::size_t> order(k);
    std::iota(order.begin(), order.end(), std::size_t(0));
    std::sort(order.begin(), order.end(),
              [&](std::size_t x, std::size_t y) { return a[x * k + x] > a[y * k + y]; });
    values.assign(k, 0.0);
    vectors.assign(k * k, 0.0);
    for (std::size_t j = 0; j < k; ++j) {
        values[j] = a[order[j] * k + order[j]];
        for (std::size_t r = 0; r < k; ++r)
            vectors[r * k + j] = v[r * k + order[j]];
    }
}

PrincipalPlane principalPlane(const std::vector<const float *> &rows, std::size_t dim)
{
    PrincipalPlane out;
    const std::size_t n = rows.size();
    out.coords.assign(n, {0.0, 0.0});
    out.axes = {Vec(dim, 0.0), Vec(dim, 0.0)};
    out.mean.assign(dim, 0.0);
    if (n == 0 || dim == 0)
        return out;
    auto &mean = out.mean;
    for (const float *row : rows)
        for (std::size_t d = 0; d < dim; ++d)
            mean[d] += row[d];
    for (auto &x : mean)
        x /= double(n);
    double total = 0;
    for (const float *row : rows)
        for (std::size_t d = 0; d < dim; ++d)
            total += std::pow(row[d] - mean[d], 2);
    out.totalVariance = total / double(n);
    if (n < 2 || total <= 0)
        return out;

    // Eigenpairs of the centred data X [n, dim] through the smaller of X^T X (covariance side,
    // vectors [dim]) and X X^T (Gram side, vectors [n]); both share their non-zero eigenvalues.
    const bool gram = n < dim;
    const std::size_t m = gram ? n : dim;
    Operator apply;
    Vec matrix;
    if (m <= kExplicitLimit) {
        matrix.assign(m * m, 0.0);
        if (gram) {
            std::vector<Vec> centred(n, Vec(dim));
            for (std::size_t i = 0; i < n; ++i)
                for (std::size_t d = 0; d < dim; ++d)
                    centred[i][d] = rows[i][d] - mean[d];
            for (std::size_t i = 0; i < n; ++i)
                for (std::size_t j = i; j < n; ++j)
                    matrix[i * n + j] = matrix[j * n + i] = dot(centred[i], centred[j]);
        } else {
            Vec x(dim);
            for (const float *row : rows) {
                for (std::size_t d = 0; d < dim; ++d)
                    x[d] = row[d] - mean[d];
                for (std::size_t a = 0; a < dim; ++a)
                    for (std::size_t b = a; b < dim; ++b)
                        matrix[a * dim + b] += x[a] * x[b];
            }
            for (std::size_t a = 0; a < dim; ++a)
                for (std::size_t b = 0; b < a; ++b)
                    matrix[a * dim + b] = matrix[b * dim + a];
        }
        apply = [&matrix, m](const Vec &x, Vec &y) {
            for (std::size_t i = 0; i < m; ++i)
                y[i] = std::inner_product(x.begin(), x.end(),
                                          matrix.begin() + std::ptrdiff_t(i * m), 0.0);
        };
    } else {
        // Never formed: rows are read as they are, the mean subtracted on the fly.
        const double *mu = mean.data();
        apply = [&rows, mu, n, dim, gram](const Vec &x, Vec &y) {
            if (gram) {
                Vec w(dim, 0.0);
                const double sum = std::accumulate(x.begin(), x.end(), 0.0);
                for (std::size_t i = 0; i < n; ++i)
                    for (std::size_t d = 0; d < dim; ++d)
                        w[d] += x[i] * rows[i][d];
                double muW = 0;
                for (std::size_t d = 0; d < dim; ++d) {
                    w[d] -= mu[d] * sum;
                    muW += mu[d] * w[d];
                }
                for (std::size_t i = 0; i < n; ++i) {
                    double s = 0;
                    for (std::size_t d = 0; d < dim; ++d)
                        s += rows[i][d] * w[d];
                    y[i] = s - muW;
                }
            } else {
                std::fill(y.begin(), y.end(), 0.0);
                double muX = 0, sumS = 0;
                for (std::size_t d = 0; d < dim; ++d)
                    muX += mu[d] * x[d];
                for (std::size_t i = 0; i < n; ++i) {
                    double s = -muX;
                    for (std::size_t d = 0; d < dim; ++d)
                        s += rows[i][d] * x[d];
                    sumS += s;
                    for (std::size_t d = 0; d < dim; ++d)
                        y[d] += s * rows[i][d];
                }
                for (std::size_t d = 0; d < dim; ++d)
                    y[d] -= sumS * mu[d];
            }
        };
    }
    const TopTwo top = topTwoEigenpairs(apply, m);

    for (std::size_t j = 0; j < 2; ++j) {
        // Below this the component is rounding noise of a lower-rank cloud, not a direction.
        if (top.vectors[j].empty() || top.values[j] <= 1e-12 * total)
            continue;
        Vec axis(dim, 0.0);
        if (gram) {
            for (std::size_t i = 0; i < n; ++i)
                for (std::size_t d = 0; d < dim; ++d)
                    axis[d] += top.vectors[j][i] * (rows[i][d] - mean[d]);
        } else {
            axis = top.vectors[j];
        }
        const double norm = std::sqrt(dot(axis, axis));
        if (norm <= 0)
            continue;
        const auto largest = std::max_element(
            axis.begin(), axis.end(), [](double x, double y) { return std::abs(x) < std::abs(y); });
        const double sign = *largest < 0 ? -1.0 : 1.0;
        for (auto &x : axis)
            x *= sign / norm;
        double sumSquares = 0;
        for (std::size_t i = 0; i < n; ++i) {
            double c = 0;
            for (std::size_t d = 0; d < dim; ++d)
                c += (rows[i][d] - mean[d]) * axis[d];
            out.coords[i][j] = c;
            sumSquares += c * c;
        }
        out.variance[j] = sumSquares / double(n);
        out.axes[j] = std::move(axis);
    }
    return out;
}

PrincipalPlane principalPlane(const std::vector<std::vector<float>> &rows)
{
    std::vector<const float *> pointers;
    pointers.reserve(rows.size());
    for (const auto &row : rows)
        pointers.push_back(row.data());
    return principalPlane(pointers, rows.empty() ? 0 : rows.front().size());
}

} // namespace slim::ui
