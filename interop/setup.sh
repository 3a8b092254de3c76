#!/usr/bin/env bash
# Install the peer clients into .interop/ (gitignored), once: a venv with fast_bitrix24,
# b24pysdk, cryptography (the TLS front's certificate) and this project (the emulator),
# and node_modules with the official JS SDK. Re-running only checks they are there.
set -euo pipefail
cd "$(dirname "$0")/.."
PYTHON="${PYTHON:-python3}"
if [ ! -x .interop/venv/bin/python ]; then
    "$PYTHON" -m venv .interop/venv
fi
if ! .interop/venv/bin/python -c "import fast_bitrix24, b24pysdk, cryptography, yaml, b24client.emulator" 2>/dev/null; then
    .interop/venv/bin/python -m pip install --quiet fast-bitrix24 b24pysdk cryptography pyyaml
    .interop/venv/bin/python -m pip install --quiet --no-deps -e .
fi
if [ ! -d .interop/node/node_modules/@bitrix24/b24jssdk ]; then
    mkdir -p .interop/node
    (cd .interop/node && { [ -f package.json ] || npm init -y >/dev/null; } && npm install --silent @bitrix24/b24jssdk)
fi
