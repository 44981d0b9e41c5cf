#!/usr/bin/env bash
# Sets up, builds and runs the whole test suite (every label: unit and slow; gpu tests skip
# themselves without a GPU), then the fuzz targets' bounded run (tests/fuzz) and the sanitizer
# runs of the tests that build without LibTorch (packaging/sanitize.sh ... --std-only; the whole
# suite instrumented: `bash packaging/sanitize.sh asan`, `... tsan`).
set -euo pipefail
cd "$(dirname "$0")/.."
bash packaging/build.sh
bash packaging/fetch-reference.sh
(cd build && ctest --output-on-failure --timeout 1800 "$@")
bash packaging/fuzz.sh --runs 20000
bash packaging/sanitize.sh asan --std-only
bash packaging/sanitize.sh tsan --std-only
