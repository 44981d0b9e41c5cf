#pragma once
// Small real run stores and tiny real models for the services and ui tests.

#include "store/run_store.h"

#include <QString>

#include <cstdint>
#include <vector>

namespace slim::testing {

struct FixtureRun
{
    std::int64_t id = 0;
    std::string name, method;
    store::RunStatus status = store::RunStatus::Succeeded;
};

// Writes a database at `path` with four runs (ids in the returned order):
//   "slim fixture"  slim, succeeded, tags {demo, slim}, notes "best so far", with
//                   metrics loss/lm, loss/l1, lr over steps 1..100; routing rows (2 layers x
//                   (8 LoRA + 2 identity) experts, steps 50 and 100, probe train) and cluster
//                   rows (2 layers x 4 clusters x dim 6) at steps 50 and 100; probe evals at
//                   steps 50 and 100 and final evals (downstream sentiment, general capitals in
//                   loglikelihood mode) with the base model's scores cached; summary set.
//   "lora fixture"  lora, succeeded, tag {demo}; metrics and evals as above, no routing.
//   "mixlora fail"  mixlora, failed with message "out of memory".
//   "dora queued"   dora, queued.
std::vector<FixtureRun> writeFixtureStore(const std::string &path);

// Adds `count` succeeded runs named "bulk <i>" (method cycling through lora/slim/dora) with a
// summary only: a listing of thousands of runs.
void addBulkRuns(store::RunStore &db, int count);

// A tiny untrained Llama model (2 layers, d=32) written by the real `slimctl init-model` into
// `dir`; returns false (with the reason in `error`) when slimctl fails.
bool makeTinyModel(const QString &dir, QString *error = nullptr);

// A run spec for a few-second real run of `method` on the tiny model at `modelDir`.
std::string tinySpecJson(const QString &modelDir, const std::string &method, int steps);

} // namespace slim::testing
