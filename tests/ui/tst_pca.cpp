// The principal plane behind the cluster trajectories: a cloud on a known plane keeps all its
// variance and its distances; clouds with known spectra give their exact variance shares on
// every code path (explicit covariance, explicit Gram, and both implicit operators).
#include "routing/pca.h"

#include <QtTest>

#include <cmath>
#include <random>

using namespace slim::ui;

namespace {

using Rows = std::vector<std::vector<float>>;

// `count` orthonormal random directions in R^dim.
std::vector<std::vector<double>> orthonormalDirections(std::size_t count, std::size_t dim,
                                                       std::mt19937 &rng)
{
    std::normal_distribution<double> normal;
    std::vector<std::vector<double>> out;
    while (out.size() < count) {
        std::vector<double> v(dim);
        for (auto &x : v)
            x = normal(rng);
        for (const auto &u : out) {
            double c = 0;
            for (std::size_t d = 0; d < dim; ++d)
                c += u[d] * v[d];
            for (std::size_t d = 0; d < dim; ++d)
                v[d] -= c * u[d];
        }
        double norm = 0;
        for (double x : v)
            norm += x * x;
        for (auto &x : v)
            x /= std::sqrt(norm);
        out.push_back(std::move(v));
    }
    return out;
}

// n points offset + s * a + t * b with random s, t: a cloud on a plane.
Rows planeCloud(std::size_t n, std::size_t dim, unsigned seed)
{
    std::mt19937 rng(seed);
    const auto basis = orthonormalDirections(2, dim, rng);
    std::uniform_real_distribution<double> coord(-5.0, 5.0);
    Rows rows;
    for (std::size_t i = 0; i < n; ++i) {
        const double s = coord(rng), t = 0.5 * coord(rng);
        std::vector<float> row(dim);
        for (std::size_t d = 0; d < dim; ++d)
            row[d] = float(3.0 + 0.1 * double(d) + s * basis[0][d] + t * basis[1][d]);
        rows.push_back(std::move(row));
    }
    return rows;
}

// n points sum_j sigma_j cos(2 pi (j+1) i / n) u_j: the coefficient columns are orthogonal with
// zero mean, so the variance along u_j is exactly sigma_j^2 / 2.
Rows knownSpectrum(std::size_t n, std::size_t dim, const std::vector<double> &sigma, unsigned seed)
{
    std::mt19937 rng(seed);
    const auto directions = orthonormalDirections(sigma.size(), dim, rng);
    Rows rows(n, std::vector<float>(dim, 0.0f));
    for (std::size_t i = 0; i < n; ++i) {
        for (std::size_t j = 0; j < sigma.size(); ++j) {
            const double c
                = sigma[j] * std::cos(2.0 * M_PI * double(j + 1) * double(i) / double(n));
            for (std::size_t d = 0; d < dim; ++d)
                rows[i][d] += float(c * directions[j][d]);
        }
    }
    return rows;
}

double distance(const std::vector<float> &a, const std::vector<float> &b)
{
    double s = 0;
    for (std::size_t d = 0; d < a.size(); ++d)
        s += std::pow(double(a[d]) - double(b[d]), 2);
    return std::sqrt(s);
}

} // namespace

class TestPca : public QObject
{
    Q_OBJECT

    static void verifyPlaneKept(const Rows &rows)
    {
        const PrincipalPlane plane = principalPlane(rows);
        const auto explained = plane.explained();
        QVERIFY2(
            explained[0] + explained[1] > 0.99999,
            qPrintable(QStringLiteral("explained %1 + %2").arg(explained[0]).arg(explained[1])));
        QVERIFY(explained[0] >= explained[1]);
        for (std::size_t i = 0; i < rows.size(); i += 3) {
            for (std::size_t j = i + 1; j < rows.size(); j += 5) {
                const double original = distance(rows[i], rows[j]);
                const double projected = std::hypot(plane.coords[i][0] - plane.coords[j][0],
                                                    plane.coords[i][1] - plane.coords[j][1]);
                QVERIFY2(std::abs(original - projected) <= 1e-4 * std::max(original, 1.0),
                         qPrintable(QStringLiteral("%1 vs %2").arg(original).arg(projected)));
            }
        }
    }

    static void verifySpectrum(std::size_t n, std::size_t dim)
    {
        const std::vector<double> sigma = {8.0, 4.0, 2.0, 1.0, 0.5, 0.25};
        const PrincipalPlane plane = principalPlane(knownSpectrum(n, dim, sigma, 11));
        double total = 0;
        for (double s : sigma)
            total += s * s / 2.0;
        QVERIFY(std::abs(plane.totalVariance - total) < 1e-4 * total);
        QVERIFY2(std::abs(plane.variance[0] - 32.0) < 1e-4 * 32.0,
                 qPrintable(QString::number(plane.variance[0])));
        QVERIFY2(std::abs(plane.variance[1] - 8.0) < 1e-4 * 8.0,
                 qPrintable(QString::number(plane.variance[1])));
        QVERIFY(std::abs(plane.explained()[0] - 32.0 / total) < 1e-5);
        // The coordinates are uncorrelated and their variances are the reported ones.
        double xy = 0, xx = 0;
        for (const auto &c : plane.coords) {
            xy += c[0] * c[1];
            xx += c[0] * c[0];
        }
        QVERIFY(std::abs(xy) < 1e-4 * xx);
        QVERIFY(std::abs(xx / double(n) - plane.variance[0]) < 1e-6 * xx);
    }

private Q_SLOTS:
    void planeIn6dKeepsVarianceAndDistances() { verifyPlaneKept(planeCloud(40, 6, 1)); }

    void planeInHighDimensionUsesGramMatrix() { verifyPlaneKept(planeCloud(24, 300, 2)); }

    void knownSpectrumOnEveryPath()
    {
        verifySpectrum(200, 40); // explicit covariance (40 x 40)
        verifySpectrum(64, 1000); // explicit Gram (64 x 64)
        verifySpectrum(700, 600); // implicit covariance side
        verifySpectrum(600, 900); // implicit Gram side
    }

    void lineHasNoSecondComponent()
    {
        // The fixture's centres: every centre on one line through R^6.
        Rows rows;
        for (int k = 0; k < 4; ++k)
            for (int step : {50, 100}) {
                std::vector<float> row;
                for (int d = 0; d < 6; ++d)
                    row.push_back(float(k * 2 + d) + float(step) * 0.01f);
                rows.push_back(row);
            }
        const PrincipalPlane plane = principalPlane(rows);
        QVERIFY(std::abs(plane.explained()[0] - 1.0) < 1e-9);
        QCOMPARE(plane.explained()[1], 0.0);
        for (const auto &c : plane.coords)
            QCOMPARE(c[1], 0.0);
        // Fixed sign: the axis' largest component is positive, so refits do not mirror.
        const auto &axis = plane.axes[0];
        QVERIFY(*std::max_element(axis.begin(), axis.end())
                >= -*std::min_element(axis.begin(), axis.end()));
    }

    void degenerateInputs()
    {
        QVERIFY(principalPlane(Rows {}).coords.empty());
        const auto single = principalPlane(Rows {{1.0f, 2.0f, 3.0f}});
        QCOMPARE(single.coords.size(), std::size_t(1));
        QCOMPARE(single.explained()[0], 0.0);
        const auto same = principalPlane(Rows(5, std::vector<float> {1.0f, 2.0f}));
        QCOMPARE(same.totalVariance, 0.0);
    }

    void jacobiOnAKnownMatrix()
    {
        // [[2,1,0],[1,2,0],[0,0,5]]: eigenvalues 5, 3, 1.
        std::vector<double> values, vectors;
        symmetricEigen({2, 1, 0, 1, 2, 0, 0, 0, 5}, 3, values, vectors);
        QVERIFY(std::abs(values[0] - 5) < 1e-12);
        QVERIFY(std::abs(values[1] - 3) < 1e-12);
        QVERIFY(std::abs(values[2] - 1) < 1e-12);
        QVERIFY(std::abs(std::abs(vectors[2 * 3 + 0]) - 1) < 1e-12); // e_z for 5
        QVERIFY(std::abs(std::abs(vectors[0 * 3 + 1]) - std::sqrt(0.5)) < 1e-12);
    }
};

QTEST_MAIN(TestPca)
#include "tst_pca.moc"
