// The memory estimate of a training job against the peak LibTorch's CPU allocator reports
// while the real Trainer runs two steps on full-length examples (MemoryTracker): within 10 %
// for each method and base dtype on a small model.
#include "engine_test_support.h"

#include "adapters/adapter_set.h"
#include "model/model_io.h"
#include "tokenizer/builtin_tokenizer.h"
#include "train/fixed_length_source.h"
#include "train/memory_estimate.h"
#include "train/memory_tracker.h"

#include <QTemporaryDir>
#include <QtTest>

using namespace slim::engine;
using namespace slim::engine::test;

class TestMemoryEstimate : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void availableMemoryIsMeasuredOrUnknown()
    {
        QVERIFY(availableDeviceMemory("cpu") > 0);
        // The CUDA runtime's free memory where a GPU is; unknown (-1) where none is.
        if (torch::cuda::is_available())
            QVERIFY(availableDeviceMemory("cuda:0") > 0);
        else
            QCOMPARE(availableDeviceMemory("cuda:0"), int64_t(-1));
        QCOMPARE(availableDeviceMemory("cuda:x"), int64_t(-1));
        QCOMPARE(availableDeviceMemory("cuda:"), int64_t(-1));
    }

    void trackerSeesAllocations()
    {
        MemoryTracker tracker;
        const auto before = tracker.current();
        {
            auto t = torch::empty({1024, 256}); // 1 MiB
            QCOMPARE(tracker.current() - before, int64_t(1024 * 256 * 4));
        }
        QCOMPARE(tracker.current(), before);
        QVERIFY(tracker.peak() >= before + 1024 * 256 * 4);
    }

    void estimateIsWithinTenPercentOfTheMeasuredPeak_data()
    {
        QTest::addColumn<QString>("method");
        QTest::addColumn<QString>("dtype");
        QTest::addColumn<bool>("checkpointing");
        for (const char *method : {"lora", "dora", "slim", "mixlora", "loramoe", "full"}) {
            for (const char *dtype : {"float32", "bfloat16"}) {
                if (QString(method) == "full" && QString(dtype) == "bfloat16")
                    continue;
                QTest::newRow(qPrintable(QString("%1 %2").arg(method, dtype)))
                    << method << dtype << false;
            }
        }
        for (const char *method : {"lora", "slim", "full"})
            QTest::newRow(qPrintable(QString("%1 float32 checkpointed").arg(method)))
                << method << "float32" << true;
    }

    void estimateIsWithinTenPercentOfTheMeasuredPeak()
    {
        QFETCH(QString, method);
        QFETCH(QString, dtype);
        QFETCH(bool, checkpointing);
        auto config = tinyConfig();
        config.vocab_size = 300;
        config.hidden_size = 64;
        config.intermediate_size = 160;
        config.num_attention_heads = 4;
        config.num_key_value_heads = 2;
        config.max_position_embeddings = 128;
        auto adapter = AdapterConfig::defaultsFor(methodFromName(method.toStdString()));
        adapter.lora_rank = 8;
        TrainOptions options;
        options.steps = 2;
        options.batch_size = 4;
        options.max_length = 96;
        options.gradient_checkpointing = checkpointing;
        adapter.aux_loss_coef = checkpointing ? 0.0 : adapter.aux_loss_coef;
        const auto estimate = estimateTrainingMemory(config, adapter, options, dtype.toStdString());
        QTemporaryDir dir;
        int64_t peak = 0;
        {
            MemoryTracker tracker;
            torch::manual_seed(1);
            ParameterInit init;
            init.options = torch::TensorOptions().dtype(dtypeFromName(dtype.toStdString()));
            CausalLm model(config, init);
            AdapterSet adapters(model, adapter);
            FixedLengthSource source(options.max_length);
            RunObserver quiet;
            Trainer trainer(adapters, options, source, slim::tok::builtinTokenizer(), quiet, dir.path().toStdString());
            trainer.run(std::stop_source().get_token());
            peak = tracker.peak();
        }
        const double ratio = double(estimate.total()) / double(peak);
        QVERIFY2(ratio > 0.9 && ratio < 1.1,
                 qPrintable(QString("estimate %1, measured %2 (ratio %3)")
                                .arg(estimate.total()).arg(peak).arg(ratio)));
    }
};

QTEST_APPLESS_MAIN(TestMemoryEstimate)
#include "tst_memory_estimate.moc"
