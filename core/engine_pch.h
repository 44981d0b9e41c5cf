// Precompiled header of the torch-heavy engine targets (slim_engine and its tests).
#pragma once
#include <torch/torch.h>

#include <nlohmann/json.hpp>

#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <vector>
