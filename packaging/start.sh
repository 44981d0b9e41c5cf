#!/usr/bin/env bash
# Sets up, builds and starts SLIM Workbench on its built-in demo.
set -euo pipefail
cd "$(dirname "$0")/.."
bash packaging/build.sh
demo="${SLIM_DEMO_DIR:-$HOME/.local/share/slim-workbench/demo-model}"
if [ ! -f "$demo/config.json" ]; then
    ./build/app/slimctl/slimctl init-model --out "$demo"
fi
./build/app/slimctl/slimctl info
echo "--- scoring a sentence with the demo model ($demo) ---"
./build/app/slimctl/slimctl score --model "$demo" "The capital of France is Paris."
echo "--- generating from it ---"
./build/app/slimctl/slimctl generate --model "$demo" --max-new-tokens 24 "The capital of France is"
