#pragma once
// What the run form shows before a run starts (std-only, for the window's services): the base
// model folder's description and the run's memory estimate against the device, from the same
// engine checks the experiment applies (pipeline/run_preflight.h).

#include "jobs/workbench_paths.h"

#include <string>

namespace slim::jobs {

struct Preflight
{
    bool ok = false;   // false: `text` is the error (a folder that is no model, a bad spec)
    bool fits = true;  // memory only: false when the device has less than the estimate
    std::string text;
};

// "Qwen2ForCausalLM, 494.03 M parameters, bfloat16, 2 files, 942.30 MiB"; "builtin" describes
// the built-in model (built or not).
Preflight describeBaseModel(const std::string &baseModel, const WorkbenchPaths &paths);

// The memory estimate of the run `specJson` on `device` ("" = CUDA when available, else CPU).
Preflight checkRunMemory(const std::string &specJson, const WorkbenchPaths &paths,
                         const std::string &device = {});

} // namespace slim::jobs
