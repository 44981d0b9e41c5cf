// The base model: config, forward pass (causality, padding, grouped KV), KV-cache generation,
// log-probabilities, tokenizer, and Hugging Face folder save/load.
#include "engine_test_support.h"

#include "model/generation.h"
#include "model/model_io.h"
#include "model/safetensors.h"

#include <nlohmann/json.hpp>
#include <QTemporaryDir>
#include <QtTest>

#include <fstream>

using namespace slim::engine;
using namespace slim::engine::test;

class TestLlamaModel : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void configRoundTripsThroughHuggingFaceJson()
    {
        auto c = tinyConfig();
        c.rope_theta = 500000.0;
        auto back = LlamaConfig::fromJson(c.toJson());
        QCOMPARE(back.toJson().dump(), c.toJson().dump());
        QCOMPARE(c.toJson()["architectures"][0].get<std::string>(), std::string("LlamaForCausalLM"));
    }

    void configErrorsNameTheField()
    {
        auto json = tinyConfig().toJson();
        json["hidden_size"] = "wide";
        try {
            LlamaConfig::fromJson(json);
            QFAIL("expected an error");
        } catch (const std::invalid_argument &e) {
            QVERIFY(std::string(e.what()).find("hidden_size") != std::string::npos);
        }
        json = tinyConfig().toJson();
        json["num_key_value_heads"] = 3;
        QVERIFY_THROWS_EXCEPTION(std::invalid_argument, LlamaConfig::fromJson(json));
    }

    void forwardGivesLogitsPerPosition()
    {
        auto model = tinyModel();
        auto logits = model->forward(randomTokens(3, 10));
        QCOMPARE(logits.sizes().vec(), (std::vector<int64_t>{3, 10, 259}));
        QVERIFY(torch::isfinite(logits).all().item<bool>());
    }

    void futureTokensDoNotChangeEarlierLogits()
    {
        auto model = tinyModel();
        auto a = randomTokens(1, 12);
        auto b = a.clone();
        b[0][8] = (b[0][8].item<int64_t>() + 1) % 256;
        auto la = model->forward(a), lb = model->forward(b);
        QVERIFY(maxAbsDiff(la.slice(1, 0, 8), lb.slice(1, 0, 8)) < 1e-6);
        QVERIFY(maxAbsDiff(la.slice(1, 8), lb.slice(1, 8)) > 1e-4);
    }

    void leftPaddingDoesNotChangeRealTokens()
    {
        auto model = tinyModel();
        auto seq = randomTokens(1, 9);
        auto padded = torch::cat({torch::full({1, 4}, 258, torch::kLong), seq}, 1);
        auto mask = torch::cat({torch::zeros({1, 4}, torch::kLong), torch::ones({1, 9}, torch::kLong)}, 1);
        auto plain = model->forward(seq);
        auto withPad = model->forward(padded, mask).slice(1, 4);
        QVERIFY(maxAbsDiff(plain, withPad) < 1e-5);
    }

    void packedRowsEqualSeparateExamples()
    {
        // A row packing three examples (mask 1, 1, 2, 2, 2, 3, ...) and right padding gives each
        // example the logits it gets alone: positions restart, attention stays inside.
        auto model = tinyModel();
        const std::vector<int64_t> lengths {5, 7, 4};
        std::vector<torch::Tensor> parts, numbers;
        for (size_t i = 0; i < lengths.size(); ++i) {
            parts.push_back(randomTokens(1, lengths[i]));
            numbers.push_back(torch::full({1, lengths[i]}, int64_t(i + 1), torch::kLong));
        }
        parts.push_back(torch::full({1, 3}, 258, torch::kLong));
        numbers.push_back(torch::zeros({1, 3}, torch::kLong));
        auto packed = model->forward(torch::cat(parts, 1), torch::cat(numbers, 1));
        int64_t offset = 0;
        for (size_t i = 0; i < lengths.size(); ++i) {
            auto alone = model->forward(parts[i]);
            QVERIFY(maxAbsDiff(alone, packed.slice(1, offset, offset + lengths[i])) < 1e-5);
            offset += lengths[i];
        }
    }

    void longBatchesAttendInChunksWithTheSameNumbers()
    {
        // 4 heads x 1100 x 1100 float scores are 19 MB a sequence: without gradients the layers
        // attend one sequence at a time (llama_layers.cpp's attendInChunks); with gradients the
        // batch at once. Left padding included (each sequence keeps its own mask), the two give
        // the same logits.
        auto config = tinyConfig();
        config.max_position_embeddings = 2048;
        auto model = tinyModel(1, config);
        auto ids = randomTokens(3, 1100);
        auto mask = torch::ones({3, 1100}, torch::kLong);
        mask[1].slice(0, 0, 400).fill_(0);
        torch::Tensor whole, chunked;
        {
            torch::GradMode::set_enabled(true);
            whole = model->forward(ids, mask).detach();
        }
        {
            torch::NoGradGuard noGrad;
            chunked = model->forward(ids, mask);
        }
        const auto real = mask.to(torch::kBool).unsqueeze(-1);
        QCOMPARE(maxAbsDiff(whole.masked_fill(real.logical_not(), 0),
                            chunked.masked_fill(real.logical_not(), 0)),
                 0.0);
    }

    void kvCacheMatchesFullForward()
    {
        auto model = tinyModel();
        auto ids = randomTokens(2, 11);
        auto full = model->forward(ids);
        KvCache cache;
        auto first = model->forward(ids.slice(1, 0, 6), {}, &cache);
        std::vector<torch::Tensor> steps{first};
        for (int64_t t = 6; t < 11; ++t)
            steps.push_back(model->forward(ids.slice(1, t, t + 1), torch::ones({2, t + 1}), &cache));
        QCOMPARE(cache.length(), int64_t(11));
        QVERIFY(maxAbsDiff(full, torch::cat(steps, 1)) < 1e-4);
    }

    void greedyGenerationEqualsArgmaxLoop()
    {
        auto model = tinyModel(3);
        std::vector<int64_t> prompt = {256, 72, 105};
        GenerationOptions opts;
        opts.max_new_tokens = 8;
        auto generated = generate(model, {prompt}, opts).front();
        QCOMPARE(generated.size(), size_t(8));
        auto ids = prompt;
        for (int i = 0; i < 8; ++i) {
            auto logits = model->forward(torch::tensor(ids, torch::kLong).unsqueeze(0));
            ids.push_back(logits[0][-1].argmax().item<int64_t>());
        }
        QCOMPARE(generated, std::vector<int64_t>(ids.begin() + 3, ids.end()));
    }

    void batchedGenerationMatchesSinglePrompts()
    {
        auto model = tinyModel(3);
        std::vector<int64_t> a = {256, 72, 105, 33, 10}, b = {256, 65};
        GenerationOptions opts;
        opts.max_new_tokens = 6;
        auto both = generate(model, {a, b}, opts);
        QCOMPARE(both[0], generate(model, {a}, opts).front());
        QCOMPARE(both[1], generate(model, {b}, opts).front());
    }

    void samplingIsSeededAndStopsAtStopToken()
    {
        auto model = tinyModel(4);
        GenerationOptions opts;
        opts.do_sample = true;
        opts.max_new_tokens = 20;
        opts.top_k = 50;
        opts.top_p = 0.9;
        opts.seed = 11;
        auto x = generate(model, {{256, 1, 2}}, opts).front();
        QCOMPARE(generate(model, {{256, 1, 2}}, opts).front(), x);
        opts.seed = 12;
        QVERIFY(generate(model, {{256, 1, 2}}, opts).front() != x);
        // Every token is a stop token: generation ends after one.
        GenerationOptions stop;
        stop.max_new_tokens = 5;
        for (int64_t i = 0; i < 259; ++i)
            stop.stop_token_ids.push_back(i);
        QCOMPARE(generate(model, {{256, 1}}, stop).front().size(), size_t(1));
    }

    void tokenLogProbsArePerTokenConditionals()
    {
        auto model = tinyModel();
        auto ids = randomTokens(1, 6);
        auto lp = tokenLogProbs(model, ids);
        QVERIFY(std::isnan(lp[0][0].item<double>()));
        auto logits = model->forward(ids);
        for (int64_t i = 1; i < 6; ++i) {
            auto expected = torch::log_softmax(logits[0][i - 1], -1)[ids[0][i].item<int64_t>()];
            QVERIFY(std::abs(lp[0][i].item<double>() - expected.item<double>()) < 1e-5);
            QVERIFY(lp[0][i].item<double>() < 0);
        }
    }

    void saveLoadGivesIdenticalLogits()
    {
        auto model = tinyModel(5);
        QTemporaryDir dir;
        const auto path = dir.path().toStdString();
        saveModel(model, path);
        QVERIFY(std::filesystem::exists(path + "/config.json"));
        auto loaded = loadModel(path);
        loaded->eval();
        auto ids = randomTokens(2, 8);
        QCOMPARE(maxAbsDiff(model->forward(ids), loaded->forward(ids)), 0.0);
    }

    void halfPrecisionCheckpointsLoadRight()
    {
        for (auto dtype : {torch::kHalf, torch::kBFloat16}) {
            auto model = tinyModel(6);
            QTemporaryDir dir;
            const auto path = dir.path().toStdString();
            saveModel(model, path, dtype);
            auto file = readSafetensors(path + "/model.safetensors");
            QCOMPARE(file.tensors.begin()->second.scalar_type(), dtype);
            auto loaded = loadModel(path);
            // The loaded weights are exactly the originals rounded to the storage type.
            {
                torch::NoGradGuard g;
                for (auto &p : model->parameters())
                    p.copy_(p.to(dtype).to(torch::kFloat));
            }
            auto ids = randomTokens(1, 8);
            QCOMPARE(maxAbsDiff(model->forward(ids), loaded->forward(ids)), 0.0);
        }
    }

    void tiedEmbeddingsSaveWithoutLmHead()
    {
        auto config = tinyConfig();
        config.tie_word_embeddings = true;
        auto model = tinyModel(2, config);
        QTemporaryDir dir;
        saveModel(model, dir.path().toStdString());
        auto file = readSafetensors(dir.path().toStdString() + "/model.safetensors");
        QVERIFY(!file.tensors.count("lm_head.weight"));
        QVERIFY(file.tensors.count("model.layers.1.mlp.gate_proj.weight"));
        auto loaded = loadModel(dir.path().toStdString());
        auto ids = randomTokens(1, 5);
        QCOMPARE(maxAbsDiff(model->forward(ids), loaded->forward(ids)), 0.0);
    }

    void shardedCheckpointsLoad()
    {
        auto model = tinyModel(8);
        QTemporaryDir dir;
        const std::string path = dir.path().toStdString();
        saveModel(model, path);
        // Re-split the weights into two shards with an index, as large HF checkpoints are.
        auto file = readSafetensors(path + "/model.safetensors");
        std::map<std::string, torch::Tensor> first, second;
        nlohmann::json index = {{"metadata", {{"total_size", 0}}}, {"weight_map", nlohmann::json::object()}};
        size_t i = 0;
        for (const auto &[name, tensor] : file.tensors) {
            const bool one = i++ % 2 == 0;
            (one ? first : second)[name] = tensor;
            index["weight_map"][name] = one ? "model-00001-of-00002.safetensors"
                                            : "model-00002-of-00002.safetensors";
        }
        std::filesystem::remove(path + "/model.safetensors");
        writeSafetensors(path + "/model-00001-of-00002.safetensors", first);
        writeSafetensors(path + "/model-00002-of-00002.safetensors", second);
        std::ofstream(path + "/model.safetensors.index.json") << index.dump();
        auto loaded = loadModel(path);
        auto ids = randomTokens(1, 6);
        QCOMPARE(maxAbsDiff(model->forward(ids), loaded->forward(ids)), 0.0);
        // A shard missing from disk is named in the error.
        std::filesystem::remove(path + "/model-00002-of-00002.safetensors");
        try {
            loadModel(path);
            QFAIL("expected ModelLoadError");
        } catch (const ModelLoadError &e) {
            QVERIFY(std::string(e.what()).find("model-00002-of-00002") != std::string::npos);
        }
    }

    void loadErrorsNameFileAndTensor()
    {
        auto model = tinyModel();
        QTemporaryDir dir;
        const auto path = dir.path().toStdString();
        saveModel(model, path);
        auto file = readSafetensors(path + "/model.safetensors");

        auto expectError = [&](const char *needle) {
            try {
                loadModel(path);
                QFAIL("expected ModelLoadError");
            } catch (const ModelLoadError &e) {
                const std::string what = e.what();
                QVERIFY2(what.find(needle) != std::string::npos, what.c_str());
            }
        };
        auto missing = file.tensors;
        missing.erase("model.layers.1.self_attn.k_proj.weight");
        writeSafetensors(path + "/model.safetensors", missing);
        expectError("model.layers.1.self_attn.k_proj.weight");

        auto misShaped = file.tensors;
        misShaped["model.norm.weight"] = torch::ones({31});
        writeSafetensors(path + "/model.safetensors", misShaped);
        expectError("model.norm.weight");

        // Found by fuzzing (tests/fuzz): a number beyond a double's range, and a count written
        // as a float that is no integer, are named errors, not a crash.
        auto config = tinyConfig().toJson().dump();
        std::ofstream(path + "/config.json") << config.substr(0, config.size() - 1)
                                             << ", \"rope_theta\": 1e999}";
        expectError("config.json: not valid JSON");
        auto json = tinyConfig().toJson();
        json["hidden_size"] = 2.5e111;
        std::ofstream(path + "/config.json") << json.dump();
        expectError("'hidden_size' must be an integer");
        json["hidden_size"] = 32.0; // a whole float reads as the count
        QCOMPARE(LlamaConfig::fromJson(json).hidden_size, int64_t(32));

        std::filesystem::remove(path + "/config.json");
        expectError("config.json");
    }
};

QTEST_APPLESS_MAIN(TestLlamaModel)
#include "tst_llama_model.moc"
