#!/usr/bin/env bash
# Builds the worker if its sources changed, writes fresh fixtures, bundles the JS comparison
# worker, and runs the workerd tests (node --test). Exit code is node's: non-zero on any failure.
# Usage: edge-worker/test.sh [--bench]   (--bench also runs bench/bench.mjs afterwards)
set -euo pipefail
cd "$(dirname "$0")"

./toolchain.sh

# Rebuild when the worker, core or the lock file is newer than the built module.
wasm=build/index_bg.wasm
if [ ! -f "$wasm" ] || [ -n "$(find src ../core/src ../provider-webcrypto build.sh Cargo.toml ../Cargo.toml ../Cargo.lock -newer "$wasm" -print -quit)" ]; then
    ./build.sh
else
    echo "worker build is up to date ($wasm)"
fi

# Tokens carry iat/exp of now: regenerate on every run (git-ignored).
cargo run -q -p certbound-edge-worker --example fixtures

node_modules/@esbuild/linux-x64/bin/esbuild bench/js-worker.mjs --bundle --format=esm \
    --platform=neutral --main-fields=module,main --outfile=bench/build/js-worker.mjs --log-level=warning

node --test --test-reporter=spec test/
if [ "${1:-}" = "--bench" ]; then
    node bench/bench.mjs
fi
