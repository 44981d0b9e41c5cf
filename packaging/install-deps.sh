#!/usr/bin/env bash
# Installs every Debian package SLIM Workbench needs to build, test and run on Debian 12.
# Idempotent: re-running it installs nothing new. Needs root (or sudo).
set -euo pipefail

packages=(
    build-essential cmake ninja-build ccache git pkg-config ca-certificates xz-utils
    qt6-base-dev libqt6sql6-sqlite qt6-svg-dev libqcustomplot-dev
    libtorch-dev libopenblas0-openmp
    libsqlite3-dev sqlite3
    nlohmann-json3-dev libcli11-dev zlib1g-dev
    libpcre2-dev libutf8proc-dev
    xvfb xauth imagemagick fonts-dejavu-core libxkbcommon-x11-0 libxcb-cursor0
    python3-torch
    clang-format
    clang libclang-rt-14-dev   # the fuzz build: libFuzzer, ASan, UBSan (packaging/fuzz.sh)
    util-linux mount e2fsprogs # the fault tests: unshare, mount, prlimit, findmnt, mkfs.ext4, e2fsck
    bindfs                     # ... and a FUSE file system (a database on a network file system)
    slurm-wlm munge            # the sweep tests start a one-node Slurm cluster (tests/sweeps)
)

# Node.js runs the tokenizer tests' reference (Hugging Face's tokenizers.js and Jinja renderer):
# Debian's nodejs and npm, unless a Node.js is installed already (NodeSource's ships npm).
if ! command -v node >/dev/null || ! command -v npm >/dev/null; then
    packages+=(nodejs npm)
fi

missing=()
for p in "${packages[@]}"; do
    if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
        missing+=("$p")
    fi
done

if [ ${#missing[@]} -gt 0 ]; then
    SUDO=""
    [ "$(id -u)" -eq 0 ] || SUDO="sudo"
    echo "install-deps: installing ${missing[*]}"
    $SUDO apt-get update -q
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -q --no-install-recommends "${missing[@]}"
else
    echo "install-deps: all packages present"
fi

# LibTorch is only fast with OpenBLAS's OpenMP flavour; the pthread flavour fights OpenMP.
if dpkg-query -W -f='${Status}' libopenblas0-pthread 2>/dev/null | grep -q "install ok installed"; then
    echo "install-deps: warning: libopenblas0-pthread is installed; LibTorch may pick it and run 2-3x slower." >&2
fi
