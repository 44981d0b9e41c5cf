// Metric series: batched appends and the min/max/last downsampling for display.
#include "store/run_store.h"
#include "store_test_support.h"

#include <QTemporaryDir>
#include <QTest>

#include <algorithm>
#include <cmath>
#include <map>

using namespace slim::store;

namespace {

// The naive reference: the same equal-step-width buckets computed in C++.
std::vector<SeriesBucket> naiveBuckets(const std::vector<MetricRow> &rows, int maxPoints)
{
    const std::int64_t lo = rows.front().step, hi = rows.back().step;
    std::map<std::int64_t, SeriesBucket> buckets;
    for (const MetricRow &row : rows) {
        const std::int64_t key = std::int64_t(rows.size()) <= maxPoints
            ? row.step
            : (row.step - lo) * maxPoints / (hi - lo + 1);
        auto [it, fresh] = buckets.try_emplace(
            key, SeriesBucket {row.step, row.step, row.value, row.value, row.value, 0});
        SeriesBucket &b = it->second;
        b.min = std::min(b.min, row.value);
        b.max = std::max(b.max, row.value);
        b.lastStep = row.step;
        b.last = row.value;
        ++b.count;
    }
    std::vector<SeriesBucket> out;
    for (const auto &[key, bucket] : buckets)
        out.push_back(bucket);
    return out;
}

} // namespace

class TestMetricSeries : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void init()
    {
        QVERIFY(m_dir.isValid());
        m_store.emplace(test::dbPath(m_dir, QTest::currentTestFunction()));
        m_run = m_store->createRun({});
    }
    void cleanup() { m_store.reset(); }

    void downsamplingKeepsSpikesAndLastValue()
    {
        constexpr int kPoints = 100000;
        constexpr int kMaxPoints = 500;
        std::vector<MetricRow> rows;
        rows.reserve(kPoints);
        for (int i = 0; i < kPoints; ++i)
            rows.push_back({i, "loss/lm", 3.0 * std::exp(-i / 30000.0) + 0.01 * std::sin(i)});
        rows[54321].value = 1000.0; // a loss spike
        rows[77777].value = -1000.0; // and a dip
        rows.back().value = 0.123;
        m_store->appendMetrics(m_run, rows);
        QCOMPARE(m_store->metricCount(m_run), kPoints);

        // An explicit step range takes the per-row path: equal-width buckets, checked against
        // the naive reference below (the whole-series rollup path has its own test).
        const auto buckets = m_store->series(m_run, "loss/lm", kMaxPoints, {0, kPoints - 1});
        QVERIFY(buckets.size() <= std::size_t(kMaxPoints));
        QVERIFY(buckets.size() > std::size_t(kMaxPoints / 2));
        std::int64_t total = 0;
        for (const auto &b : buckets)
            total += b.count;
        QCOMPARE(total, kPoints);

        const auto spike = std::find_if(buckets.begin(), buckets.end(), [](const auto &b) {
            return b.firstStep <= 54321 && 54321 <= b.lastStep;
        });
        QVERIFY(spike != buckets.end());
        QCOMPARE(spike->max, 1000.0);
        const auto dip = std::find_if(buckets.begin(), buckets.end(), [](const auto &b) {
            return b.firstStep <= 77777 && 77777 <= b.lastStep;
        });
        QVERIFY(dip != buckets.end());
        QCOMPARE(dip->min, -1000.0);
        QCOMPARE(buckets.back().lastStep, kPoints - 1);
        QCOMPARE(buckets.back().last, 0.123);
        QCOMPARE(buckets.front().firstStep, 0);

        // Every bucket matches the naive reference exactly.
        const auto expected = naiveBuckets(rows, kMaxPoints);
        QCOMPARE(buckets.size(), expected.size());
        for (std::size_t i = 0; i < expected.size(); ++i) {
            QCOMPARE(buckets[i].firstStep, expected[i].firstStep);
            QCOMPARE(buckets[i].lastStep, expected[i].lastStep);
            QCOMPARE(buckets[i].min, expected[i].min);
            QCOMPARE(buckets[i].max, expected[i].max);
            QCOMPARE(buckets[i].last, expected[i].last);
            QCOMPARE(buckets[i].count, expected[i].count);
        }
    }

    // A long series is read from the 64-step rollups: every bucket must still hold the exact
    // min, max, last and count of the raw rows between its first and last step, and rewriting
    // a step must not leave its old value in the envelope.
    void longSeriesFromRollupsIsExactPerBucket()
    {
        constexpr int kPoints = 200000;
        constexpr int kMaxPoints = 200;
        std::vector<MetricRow> rows;
        for (int i = 0; i < kPoints; ++i)
            rows.push_back({i, "loss/lm", std::cos(i * 0.001) + 0.001 * (i % 7)});
        rows[123456].value = 50.0;
        for (int start = 0; start < kPoints; start += 10000) // as a recorder appends
            m_store->appendMetrics(m_run, {rows.begin() + start, rows.begin() + start + 10000});
        // Rewrite a step that was the spike (a resumed run logs it again) and add a new spike.
        m_store->appendMetrics(m_run, {{123456, "loss/lm", 0.5}, {150001, "loss/lm", -9.0}});
        rows[123456].value = 0.5;
        rows[150001].value = -9.0;

        const auto buckets = m_store->series(m_run, "loss/lm", kMaxPoints);
        QVERIFY(buckets.size() <= std::size_t(kMaxPoints));
        QVERIFY(buckets.size() > std::size_t(kMaxPoints / 2));
        std::int64_t expectedFirst = 0;
        for (const auto &b : buckets) {
            QCOMPARE(b.firstStep, expectedFirst); // consecutive, no gap, no overlap
            double lo = 1e300, hi = -1e300;
            for (std::int64_t s = b.firstStep; s <= b.lastStep; ++s) {
                lo = std::min(lo, rows[size_t(s)].value);
                hi = std::max(hi, rows[size_t(s)].value);
            }
            QCOMPARE(b.min, lo);
            QCOMPARE(b.max, hi);
            QCOMPARE(b.last, rows[size_t(b.lastStep)].value);
            QCOMPARE(b.count, b.lastStep - b.firstStep + 1);
            expectedFirst = b.lastStep + 1;
        }
        QCOMPARE(expectedFirst, std::int64_t(kPoints));
        // A step range (not the whole series) takes the exact per-row path.
        const auto ranged = m_store->series(m_run, "loss/lm", kMaxPoints, {1000, 2999});
        QCOMPARE(ranged.front().firstStep, 1000);
        QCOMPARE(ranged.back().lastStep, 2999);
    }

    // The recorder's batches are step-major (every metric of a step, then the next step) and
    // may repeat a step; the store sorts them into key order before inserting. Each metric's
    // rollups must still be exact, and of two rows for one step the later must win.
    void interleavedBatchWithRepeatedStepRollsUpExactly()
    {
        constexpr int kSteps = 10000;
        std::vector<MetricRow> batch;
        std::vector<double> a(kSteps), b(kSteps);
        for (int s = 0; s < kSteps; ++s) {
            a[size_t(s)] = std::sin(s * 0.01);
            b[size_t(s)] = 10.0 + std::cos(s * 0.02);
            batch.push_back({s, "a", s == 5000 ? 100.0 : a[size_t(s)]});
            batch.push_back({s, "b", b[size_t(s)]});
        }
        batch.push_back({5000, "a", -3.0}); // the same step again, later in the batch
        a[5000] = -3.0;
        m_store->appendMetrics(m_run, batch);
        for (const auto &[name, values] : {std::pair{"a", a}, std::pair{"b", b}}) {
            const auto buckets = m_store->series(m_run, name, 50);
            QVERIFY(buckets.size() <= 50u);
            std::int64_t expectedFirst = 0;
            for (const auto &bucket : buckets) {
                QCOMPARE(bucket.firstStep, expectedFirst);
                const auto first = values.begin() + bucket.firstStep;
                const auto last = values.begin() + bucket.lastStep + 1;
                QCOMPARE(bucket.min, *std::min_element(first, last));
                QCOMPARE(bucket.max, *std::max_element(first, last));
                QCOMPARE(bucket.last, values[size_t(bucket.lastStep)]);
                QCOMPARE(bucket.count, bucket.lastStep - bucket.firstStep + 1);
                expectedFirst = bucket.lastStep + 1;
            }
            QCOMPARE(expectedFirst, std::int64_t(kSteps));
        }
    }

    void unevenStepsAndStepRange()
    {
        // Dense logging early, sparse later: buckets follow steps, not row counts.
        std::vector<MetricRow> rows;
        for (int i = 0; i < 1000; ++i)
            rows.push_back({i, "lr", double(i)});
        for (int i = 1; i <= 9; ++i)
            rows.push_back({1000 * i + 999, "lr", 5000.0 + i});
        m_store->appendMetrics(m_run, rows);
        const auto buckets = m_store->series(m_run, "lr", 10);
        QCOMPARE(buckets.size(), std::size_t(10));
        QCOMPARE(buckets.front().count, 1000);
        QCOMPARE(buckets.front().last, 999.0);

        const auto zoomed = m_store->series(m_run, "lr", 100, StepRange {100, 199});
        QCOMPARE(zoomed.size(), std::size_t(100));
        QCOMPARE(zoomed.front().firstStep, 100);
        QCOMPARE(zoomed.back().lastStep, 199);
    }

    void shortSeriesIsReturnedWhole()
    {
        std::vector<MetricRow> rows {{10, "acc", 0.5}, {20, "acc", std::nan("")}, {30, "acc", 0.7}};
        m_store->appendMetrics(m_run, rows);
        const auto buckets = m_store->series(m_run, "acc", 3);
        QCOMPARE(buckets.size(), std::size_t(3));
        QCOMPARE(buckets[0].min, 0.5);
        QCOMPARE(buckets[0].max, 0.5);
        QVERIFY(std::isnan(buckets[1].last)); // a diverged loss stays visible as NaN
        QCOMPARE(buckets[2].last, 0.7);
        QVERIFY(m_store->series(m_run, "no such metric", 10).empty());
        QVERIFY_THROWS_EXCEPTION(StoreError, m_store->series(m_run, "acc", 0));
    }

    void repeatedStepReplacesAndNamesAreListed()
    {
        m_store->appendMetrics(m_run, {{1, "loss/lm", 2.0}, {1, "loss/aux", 0.1}});
        m_store->appendMetrics(m_run, {{1, "loss/lm", 1.5}, {2, "tokens_per_sec", 900.0}});
        QCOMPARE(m_store->metricCount(m_run), 3);
        QCOMPARE(m_store->series(m_run, "loss/lm", 10).front().last, 1.5);
        QCOMPARE(m_store->metricNames(m_run),
                 (std::vector<std::string> {"loss/aux", "loss/lm", "tokens_per_sec"}));
        const std::int64_t other = m_store->createRun({});
        m_store->appendMetrics(other, {{1, "grad_norm", 3.0}});
        QCOMPARE(m_store->metricNames(other), std::vector<std::string> {"grad_norm"});
    }

private:
    QTemporaryDir m_dir;
    std::optional<RunStore> m_store;
    std::int64_t m_run = 0;
};

QTEST_APPLESS_MAIN(TestMetricSeries)
#include "tst_metric_series.moc"
