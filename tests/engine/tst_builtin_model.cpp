// The built-in base model's recipe and the copy shipped in resources/base-model: a model is
// current only when it was written under the code's recipe; the shipped copy must be the recipe
// exactly, and it is installed in place of a missing or stale model, never over a current one.
#include "jobs/run_jobs.h"
#include "pipeline/pretraining.h"

#include <QTemporaryDir>
#include <QtTest>

#include <nlohmann/json.hpp>

#include <cstdlib>
#include <fstream>

using namespace slim;
namespace fs = std::filesystem;

namespace {

// A model folder as runPretraining writes it (weights replaced by a marker: nothing loads them).
void writeModel(const fs::path &dir, const nlohmann::json &plan, const std::string &recipe,
                const std::string &marker)
{
    fs::create_directories(dir);
    std::ofstream(dir / "config.json") << "{}";
    std::ofstream(dir / "model.safetensors") << marker;
    std::ofstream(dir / "slim_pretrain.json")
        << nlohmann::json{{"plan", plan}, {"recipe_sha256", recipe}}.dump();
}

std::string markerOf(const fs::path &dir)
{
    std::ifstream in(dir / "model.safetensors");
    return std::string(std::istreambuf_iterator<char>(in), {});
}

} // namespace

class TestBuiltinModel : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void currentMeansWrittenUnderTheRecipe()
    {
        QTemporaryDir tmp;
        const fs::path root = tmp.path().toStdString();
        const auto plan = engine::PretrainPlan::builtin().toJson();
        const auto recipe = engine::builtinRecipeSha256();
        QCOMPARE(recipe.size(), std::size_t(64));

        writeModel(root / "exact", plan, recipe, "a");
        QVERIFY(engine::isCurrentBuiltinModel(root / "exact"));
        QVERIFY(engine::isCurrentBuiltinModel(root / "exact", true));

        auto fewerSteps = plan;
        fewerSteps["schedule"]["steps"] = 3; // slimctl pretrain --steps 3
        writeModel(root / "override", fewerSteps, recipe, "b");
        QVERIFY(engine::isCurrentBuiltinModel(root / "override"));
        QVERIFY(!engine::isCurrentBuiltinModel(root / "override", true));

        writeModel(root / "old", plan, std::string(64, '0'), "c"); // an older recipe
        QVERIFY(!engine::isCurrentBuiltinModel(root / "old"));
        fs::remove(root / "exact" / "config.json");
        QVERIFY(!engine::isCurrentBuiltinModel(root / "exact"));
    }

    void theRepositorysShippedModelIsTheCurrentRecipe()
    {
        // Changing PretrainPlan::builtin() without rebuilding resources/base-model fails here.
        const fs::path shipped = fs::path(SLIM_TEST_DATA_DIR) / ".." / ".." / "resources" / "base-model";
        QVERIFY2(engine::isCurrentBuiltinModel(shipped, true),
                 "resources/base-model was not built by the current recipe: rebuild it with "
                 "slimctl pretrain --out resources/base-model --force");
    }

    void shippedCopyReplacesOnlyAMissingOrStaleModel()
    {
        QTemporaryDir tmp;
        const fs::path root = tmp.path().toStdString();
        const auto plan = engine::PretrainPlan::builtin().toJson();
        const auto recipe = engine::builtinRecipeSha256();
        qputenv("SLIM_RESOURCES_DIR", QByteArray::fromStdString((root / "resources").string()));
        jobs::WorkbenchPaths paths;
        paths.builtin_model = root / "home" / "models" / "builtin-v1";

        QVERIFY(!jobs::builtinModelReady(paths)); // nothing shipped, nothing built
        QVERIFY(!fs::exists(paths.builtin_model));

        auto fewerSteps = plan;
        fewerSteps["schedule"]["steps"] = 3;
        writeModel(root / "resources" / "base-model", fewerSteps, recipe, "tiny");
        QVERIFY(!jobs::builtinModelReady(paths)); // a shipped copy must be the exact recipe
        QVERIFY(!fs::exists(paths.builtin_model));

        writeModel(root / "resources" / "base-model", plan, recipe, "shipped");
        QVERIFY(jobs::builtinModelReady(paths)); // missing: installed
        QCOMPARE(markerOf(paths.builtin_model), std::string("shipped"));
        QVERIFY(!fs::exists(paths.builtin_model.string() + ".installing"));

        writeModel(paths.builtin_model, fewerSteps, recipe, "built here");
        QVERIFY(jobs::builtinModelReady(paths)); // current (a steps override): kept
        QCOMPARE(markerOf(paths.builtin_model), std::string("built here"));

        writeModel(paths.builtin_model, plan, std::string(64, '0'), "stale");
        QVERIFY(jobs::builtinModelReady(paths)); // an older recipe: replaced
        QCOMPARE(markerOf(paths.builtin_model), std::string("shipped"));
        qunsetenv("SLIM_RESOURCES_DIR");
    }
};

QTEST_APPLESS_MAIN(TestBuiltinModel)
#include "tst_builtin_model.moc"
