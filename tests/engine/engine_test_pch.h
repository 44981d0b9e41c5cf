// Precompiled header shared by the engine tests.
#pragma once
#include <torch/torch.h>

#include <QtTest>
