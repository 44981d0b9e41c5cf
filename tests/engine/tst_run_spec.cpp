// The run spec: schema, validation errors by field path, presets, JSON round trips.
#include "pipeline/run_spec.h"

#include <nlohmann/json.hpp>
#include <QtTest>

#include <map>
#include <set>

using namespace slim::engine;

namespace {

bool hasError(const std::vector<slim::spec::SpecError> &errors, const std::string &path,
              const std::string &fragment)
{
    for (const auto &e : errors) {
        if (e.path == path && e.message.find(fragment) != std::string::npos)
            return true;
    }
    return false;
}

} // namespace

class TestRunSpec : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void minimalSpecTakesDefaults()
    {
        auto spec = runSpecFromJson({{"adapter", {{"method", "lora"}}}});
        QCOMPARE(spec.adapter.method, AdapterMethod::Lora);
        QCOMPARE(spec.adapter.lora_rank, int64_t(128)); // the method's paper default
        QCOMPARE(spec.schedule.steps, TrainOptions().steps);
        QCOMPARE(spec.data.setting, std::string("mds"));
    }

    void errorsNameTheFieldPathAndReason()
    {
        nlohmann::json json = {
            {"adapter", {{"method", "slim"}, {"drop_rate", 1.5}, {"merge", "fastest"}}},
            {"schedule", {{"lr", "fast"}, {"steps", 2.5}, {"lrr", 1}}},
            {"data", {{"tasks", {"name_gender", 3}}}},
            {"colour", "blue"},
        };
        auto errors = validateRunSpec(json);
        QVERIFY(hasError(errors, "adapter.drop_rate", "outside [0, 0.99]"));
        QVERIFY(hasError(errors, "adapter.merge", "not one of fast, naive, off"));
        QVERIFY(hasError(errors, "schedule.lr", "expected number, got string"));
        QVERIFY(hasError(errors, "schedule.steps", "expected integer"));
        QVERIFY(hasError(errors, "schedule.lrr", "unknown field"));
        QVERIFY(hasError(errors, "data.tasks[1]", "expected string"));
        QVERIFY(hasError(errors, "colour", "unknown field"));
        QCOMPARE(errors.size(), size_t(7));
        try {
            runSpecFromJson(json);
            QFAIL("expected an error");
        } catch (const std::invalid_argument &e) {
            QVERIFY(std::string(e.what()).find("schedule.lrr: unknown field") != std::string::npos);
        }
    }

    void fieldsOfOtherMethodsAreRejected()
    {
        auto errors = validateRunSpec({{"adapter", {{"method", "lora"}, {"drop_rate", 0.3}}}});
        QVERIFY(hasError(errors, "adapter.drop_rate", "does not apply to method lora"));
        // A setting that would do nothing is refused, not ignored: LoRAMoE's dense router
        // selects every expert, so the load-balancing loss has no gradient there.
        QVERIFY(hasError(validateRunSpec({{"adapter", {{"method", "loramoe"},
                                                       {"aux_loss_coef", 0.01}}}}),
                         "adapter.aux_loss_coef", "does not apply to method loramoe"));
        // LoRAMoE's balancing constraint is LoRAMoE's alone.
        QVERIFY(hasError(validateRunSpec({{"adapter", {{"method", "mixlora"},
                                                       {"blc_weight", 0.1}}}}),
                         "adapter.blc_weight", "does not apply to method mixlora"));
        QVERIFY(hasError(validateRunSpec({{"name", "x"}}), "adapter.method", "missing"));
        QVERIFY(hasError(validateRunSpec({{"adapter", {{"method", "slim"}}},
                                          {"schedule", {{"batch_size", 10}, {"grad_accum", 3}}}}),
                         "schedule.grad_accum", "multiple"));
        QVERIFY(hasError(validateRunSpec({{"adapter", {{"method", "slim"}}},
                                          {"data", {{"setting", "sds"},
                                                    {"tasks", {"a", "b"}}}}}),
                         "data.tasks", "exactly one"));
    }

    void usersDataAndSuitesAreChecked()
    {
        nlohmann::json json = {
            {"adapter", {{"method", "lora"}}},
            {"data", {{"tasks", {"data/boolq.jsonl", "piqa.jsonl"}}, {"proportions", {2, 1}},
                      {"prompt_format", "chat"}}},
            {"schedule", {{"packing", true}}},
            {"eval", {{"suites", {"mmlu=test.jsonl;fewshot=dev.jsonl;shots=5"}},
                      {"downstream_suites", {"boolq=boolq_val.jsonl"}}}}};
        QVERIFY(validateRunSpec(json).empty());
        auto spec = runSpecFromJson(json);
        QCOMPARE(spec.data.proportions, (std::vector<double>{2, 1}));
        QVERIFY(spec.schedule.packing);
        QCOMPARE(runSpecFromJson(spec.toJson()).toJson(), spec.toJson());
        json["data"]["proportions"] = {1, 0, 3};
        json["eval"]["suites"] = {"mmlu=test.jsonl;shots=five", "boolq"};
        auto errors = validateRunSpec(json);
        QVERIFY(hasError(errors, "data.proportions", "3 weights for 2 tasks"));
        QVERIFY(hasError(errors, "data.proportions[1]", "must be positive"));
        QVERIFY(hasError(errors, "eval.suites[0]", "shots must be an integer"));
        QVERIFY(hasError(errors, "eval.suites[1]", "is not TASK=FILE"));
        QVERIFY(hasError(validateRunSpec({{"adapter", {{"method", "lora"}}},
                                          {"data", {{"prompt_format", "fancy"}}}}),
                         "data.prompt_format", "not one of auto, chat, alpaca, plain"));
        // Answers carry the loss unless asked otherwise.
        QVERIFY(runSpecFromJson({{"adapter", {{"method", "lora"}}}}).schedule.answer_only_loss);
    }

    void everyPresetIsValidAndRoundTrips()
    {
        QCOMPARE(presetNames().size(), size_t(24)); // 2 x (8 methods + 4 SLIM ablations)
        for (const auto &name : presetNames()) {
            auto spec = preset(name);
            auto json = spec.toJson();
            auto errors = validateRunSpec(json);
            QVERIFY2(errors.empty(), (name + ": " + (errors.empty() ? "" : errors[0].text())).c_str());
            QCOMPARE(runSpecFromJson(json).toJson().dump(), json.dump());
        }
        QCOMPARE(preset("paper-lora").adapter.lora_rank, int64_t(128));
        QCOMPARE(preset("paper-slim").adapter.num_identity_experts, int64_t(2));
        QCOMPARE(preset("paper-slim").schedule.lr, 2e-4);
        QVERIFY_THROWS_EXCEPTION(std::invalid_argument, preset("builtin-magic"));
    }

    void ablationsRemoveOnePartOfSlim()
    {
        // Each ablation differs from SLIM's preset in exactly its part (and its name).
        const std::map<std::string, std::set<std::string>> changed = {
            {"no-identity", {"num_identity_experts", "weight_yielding"}},
            {"no-yielding", {"weight_yielding"}},
            {"no-merging", {"merge"}},
            {"no-l1", {"l1_lambda"}},
        };
        for (const std::string prefix : {"builtin-", "paper-"}) {
            const auto slim = preset(prefix + "slim").toJson();
            for (const auto &[suffix, fields] : changed) {
                const auto name = prefix + "slim-" + suffix;
                auto ablation = preset(name).toJson();
                QCOMPARE(ablation["name"].get<std::string>(), name);
                std::set<std::string> differing;
                for (auto &[key, value] : slim["adapter"].items())
                    if (ablation["adapter"][key] != value)
                        differing.insert(key);
                QVERIFY2(differing == fields, name.c_str());
                ablation["name"] = slim["name"];
                ablation["adapter"] = slim["adapter"];
                QCOMPARE(ablation.dump(), slim.dump()); // nothing else changed
            }
        }
        QCOMPARE(preset("builtin-slim-no-l1").adapter.l1_lambda, 0.0);
        QCOMPARE(preset("builtin-slim-no-merging").adapter.merge, std::string("off"));
    }

    void schemaDescribesEveryField()
    {
        auto schema = runSpecSchemaJson();
        std::set<std::string> paths;
        for (const auto &f : schema["fields"]) {
            paths.insert(f["path"].get<std::string>());
            QVERIFY2(!f["help"].get<std::string>().empty(), f["path"].dump().c_str());
        }
        for (const char *p : {"schedule.lr", "adapter.drop_rate", "adapter.method", "eval.choice_mode",
                              "data.tasks", "adapter.experts_per_layer"})
            QVERIFY2(paths.count(p), p);
        QCOMPARE(schema["method_defaults"]["lora"]["lora_rank"].get<int>(), 128);
        // Every field of a full spec is described (no undocumented field).
        auto json = preset("builtin-slim").toJson();
        for (auto &[group, value] : json.items()) {
            if (!value.is_object()) {
                QVERIFY2(paths.count(group), group.c_str());
                continue;
            }
            for (auto &[key, v] : value.items())
                QVERIFY2(paths.count(group + "." + key), (group + "." + key).c_str());
        }
    }
};

QTEST_APPLESS_MAIN(TestRunSpec)
#include "tst_run_spec.moc"
