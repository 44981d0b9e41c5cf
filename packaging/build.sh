#!/usr/bin/env bash
# Installs the Debian packages and fetches the benchmark data (if missing), configures and builds SLIM Workbench (Release) in
# ./build. Extra arguments go to the CMake configure step.
set -euo pipefail
cd "$(dirname "$0")/.."
bash packaging/install-deps.sh
bash packaging/fetch-data.sh
cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=Release "$@"
cmake --build build -j "${SLIM_BUILD_JOBS:-2}"
