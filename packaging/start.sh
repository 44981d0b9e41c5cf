#!/usr/bin/env bash
# Sets up, builds and starts SLIM Workbench on its built-in demo. Until the desktop window
# lands this is `slimctl demo`: build (or reuse) the base model, fine-tune all eight methods on
# the multi-dataset setting, print the comparison table. Results go to
# ~/.local/share/slim-workbench/runs.sqlite (see docs/store.md).
set -euo pipefail
cd "$(dirname "$0")/.."
bash packaging/build.sh
exec ./build/app/slimctl/slimctl demo "$@"
