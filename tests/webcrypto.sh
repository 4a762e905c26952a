#!/usr/bin/env bash
# Wycheproof through the WebCrypto provider (provider-webcrypto) in node and in workerd: the
# runner crate (tests/webcrypto-runner) compiled to wasm32, run by node directly (OpenSSL's
# WebCrypto) and inside workerd via Miniflare (BoringSSL's), every verdict compared with
# RustCrypto's in the same runtime and between the runtimes (tests/webcrypto-runner/run.mjs).
# Installs what it needs idempotently (edge-worker/toolchain.sh: wasm32 target, wasm-bindgen-cli,
# npm packages with miniflare). Exit 1 on any wrong verdict or disagreement.
#
#   tests/webcrypto.sh        reports in target/webcrypto/{node,workerd}.json
set -euo pipefail
cd "$(dirname "$0")/.."
start=$SECONDS
out=target/webcrypto
mkdir -p "$out"
rm -f "$out"/*.json

edge-worker/toolchain.sh >"$out/toolchain.log" 2>&1 || {
    tail -n 20 "$out/toolchain.log" >&2
    echo "webcrypto: edge-worker/toolchain.sh failed (log: $out/toolchain.log)" >&2
    exit 1
}
cargo build -q -p certbound-webcrypto-runner --target wasm32-unknown-unknown --release
wasm-bindgen --target web --out-dir "$out/pkg" \
    target/wasm32-unknown-unknown/release/certbound_webcrypto_runner.wasm
node tests/webcrypto-runner/run.mjs "$out/pkg" "$out"
echo "webcrypto step wall time: $((SECONDS - start)) s"
