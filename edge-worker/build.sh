#!/usr/bin/env bash
# Builds the worker into edge-worker/build/ (index.js + index_bg.wasm) with local tools only, then
# prints the wasm size raw and gzipped. Run edge-worker/toolchain.sh first (test.sh does).
# Usage: edge-worker/build.sh
set -euo pipefail
cd "$(dirname "$0")"
here=$PWD

# worker-build would otherwise download these from GitHub (unreachable here): TOOLCHAIN.md.
export WASM_BINDGEN_BIN="${WASM_BINDGEN_BIN:-$(command -v wasm-bindgen || echo "$HOME/.cargo/bin/wasm-bindgen")}"
export WASM_OPT_BIN="$here/node_modules/.bin/wasm-opt"
export ESBUILD_BIN="$here/node_modules/@esbuild/linux-x64/bin/esbuild"
# Size-optimised (opt-level "z"), whole-program release build for wasm32 only. Signatures are
# verified by WebCrypto, so no hot loop is left in the module: "z" gives the smallest module
# (and the fastest compile at cold start) for no measurable per-request cost (README, "wasm
# size"). CARGO_PROFILE_RELEASE_OPT_LEVEL=3 ./build.sh builds the speed-optimised variant. Native
# release builds of the workspace keep their own settings: these variables apply to this cargo
# invocation only.
export CARGO_PROFILE_RELEASE_OPT_LEVEL="${CARGO_PROFILE_RELEASE_OPT_LEVEL:-z}"
export CARGO_PROFILE_RELEASE_LTO=fat
export CARGO_PROFILE_RELEASE_CODEGEN_UNITS=1

worker-build --release

wasm=build/index_bg.wasm
# worker-build keeps the name section (function and data names: ~110 KB raw, ~31 KB gzip, 8 % of
# the module) that only makes wasm stack traces readable. Strip it (and the producers section);
# KEEP_WASM_NAMES=1 ./build.sh keeps it for debugging. Code and data are untouched (no -O pass).
if [ "${KEEP_WASM_NAMES:-0}" != 1 ]; then
    "$WASM_OPT_BIN" "$wasm" --enable-reference-types --enable-bulk-memory --enable-exception-handling \
        --enable-nontrapping-float-to-int --enable-sign-ext --enable-mutable-globals --enable-multivalue \
        --strip-debug --strip-producers -o "$wasm"
fi
raw=$(stat -c %s "$wasm")
gz=$(gzip -9 -c "$wasm" | wc -c)
printf 'wasm size: %s bytes raw, %s bytes gzip (%s)\n' "$raw" "$gz" "$wasm"
