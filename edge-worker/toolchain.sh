#!/usr/bin/env bash
# Installs what the edge worker build and tests need, skipping whatever is already present.
# Idempotent; safe to run concurrently with other helpers (wasm-bindgen-cli install is locked).
# Usage: edge-worker/toolchain.sh
set -euo pipefail
cd "$(dirname "$0")"

# Exactly the wasm-bindgen the workspace pins (Cargo.toml `wasm-bindgen = "=X"`): the CLI must match
# the library byte-for-byte in its schema version.
WASM_BINDGEN_VERSION=0.2.130
# Same release line as the `worker` crate in Cargo.lock.
WORKER_BUILD_VERSION=0.8.7

rustup target list --installed | grep -qx wasm32-unknown-unknown || rustup target add wasm32-unknown-unknown

if [ "$(wasm-bindgen --version 2>/dev/null || true)" != "wasm-bindgen $WASM_BINDGEN_VERSION" ]; then
    # TOOLCHAIN.md: no --locked for wasm-bindgen-cli (it fails to resolve).
    flock /tmp/wasm-bindgen-install.lock sh -c \
        "[ \"\$(wasm-bindgen --version 2>/dev/null)\" = 'wasm-bindgen $WASM_BINDGEN_VERSION' ] || cargo install wasm-bindgen-cli --version $WASM_BINDGEN_VERSION"
fi

# `worker-build --version` prints the bare version ("0.8.7").
has_worker_build() { worker-build --version 2>/dev/null | grep -qE "(^| )$WORKER_BUILD_VERSION\$"; }
if ! has_worker_build; then
    flock /tmp/worker-build-install.lock sh -c \
        "worker-build --version 2>/dev/null | grep -qE '(^| )$WORKER_BUILD_VERSION\$' || cargo install worker-build --version $WORKER_BUILD_VERSION --locked"
fi

# npm: exact pins from package-lock.json (wrangler/miniflare last releases that run on Node 20,
# binaryen for wasm-opt, esbuild for worker-build's shim bundling, jose for the JS bench worker).
if [ ! -x node_modules/.bin/wasm-opt ] || [ ! -d node_modules/miniflare ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
    npm ci --no-audit --no-fund
fi
