#!/usr/bin/env bash
# Installs what the page build and its browser tests need, skipping whatever is already present
# (idempotent; safe to run while other helpers install the same tools). Usage: www/setup.sh
set -euo pipefail
cd "$(dirname "$0")"

WASM_BINDGEN_VERSION=0.2.130 # must equal the `wasm-bindgen = "=…"` pin in the root Cargo.toml

if ! rustup target list --installed | grep -qx wasm32-unknown-unknown; then
    rustup target add wasm32-unknown-unknown
fi

# wasm-bindgen-cli must match the library version exactly. `--locked` does not resolve here
# (TOOLCHAIN.md). The flock serialises concurrent installs; the check is repeated inside it.
if [ "$(wasm-bindgen --version 2>/dev/null)" != "wasm-bindgen $WASM_BINDGEN_VERSION" ]; then
    flock /tmp/wasm-bindgen-install.lock sh -c \
        "[ \"\$(wasm-bindgen --version 2>/dev/null)\" = 'wasm-bindgen $WASM_BINDGEN_VERSION' ] \
         || cargo install wasm-bindgen-cli --version $WASM_BINDGEN_VERSION"
fi

# npm: playwright-core (drives Chromium) and binaryen (wasm-opt; Debian's is too old).
if [ ! -x node_modules/.bin/wasm-opt ] || [ ! -d node_modules/playwright-core ] \
    || [ package-lock.json -nt node_modules/.package-lock.json ]; then
    npm ci --no-audit --no-fund
fi

# Chromium from Debian (`npx playwright install` cannot download here).
if [ ! -x /usr/bin/chromium ]; then
    sudo=""
    [ "$(id -u)" -eq 0 ] || sudo=sudo
    flock /tmp/chromium-install.lock sh -c \
        "[ -x /usr/bin/chromium ] || { $sudo apt-get update -q && \
         DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -q -o DPkg::Lock::Timeout=600 chromium; }"
fi
