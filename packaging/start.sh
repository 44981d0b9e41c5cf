#!/usr/bin/env bash
# Sets up, builds and starts SLIM Workbench: the desktop window, with the demo one click away
# ("Run the demo" on the welcome page, or `packaging/start.sh --demo` to queue it at once).
# Without a display it says so and runs the same demo headless (`slimctl demo`) instead.
# Runs go to ~/.local/share/slim-workbench/runs.sqlite (see docs/store.md).
set -euo pipefail
cd "$(dirname "$0")/.."
bash packaging/build.sh
if [[ -n "${DISPLAY:-}" || -n "${WAYLAND_DISPLAY:-}" ]]; then
    exec ./build/app/workbench/slim-workbench "$@"
fi
echo "start.sh: no display here (DISPLAY is not set), so the window cannot open." >&2
echo "start.sh: running the same demo headless instead: ./build/app/slimctl/slimctl demo" >&2
echo "start.sh: (to see the window on a machine without a screen: xvfb-run ./build/app/workbench/slim-workbench)" >&2
exec ./build/app/slimctl/slimctl demo
