#!/usr/bin/env bash
# The cross-target parity suite: the corpus in tests/corpus/ through every available runtime,
# each verdict compared with the expectation and with the other runtimes.
#
#   tests/parity.sh            run every wired runtime, compare, exit 1 on any disagreement
#
# Runtimes and their output (target/parity/<runtime>.json):
#   native     core on this machine           cargo test -p certbound-tests --test parity
#   native-aws-lc-rs  the same, signatures verified by the aws-lc-rs provider (same cargo test)
#   wasm-node  core as wasm32 under node      wasm-bindgen --target nodejs + tests/wasm-runner/run.mjs
#   page       the www page in Chromium      www/setup.sh + www/build.sh + tests/page-runner/run.mjs
#              (every kind, through Inspected, verifyChain, matchRegistration and checkToken,
#              for the cases its public wasm API can express)
#   server     `certbound serve` with curl    client cases: POST /oauth2/token over mutual TLS; token and
#              refused forwarded cases: the protected resource (`[resource]` = the worker's settings),
#              the certificate forwarded by a trusted proxy (`[proxy]`) as the worker gets it
#   server-mtls the same servers              token cases over real mutual TLS with the presented
#              certificate and its corpus key (tests/server-runner)
#   worker     the edge worker in workerd    edge-worker/toolchain.sh + build.sh, Miniflare (tests/worker-runner)
#              (token cases whose verdict is the same at the real clock: workerd has no test clock;
#              refused forwarded cases, whose answer comes before any token check)
# Each runtime reports the cases its API cannot express; those are listed, never counted as agreeing.
# A wired runtime that fails to produce its verdicts fails the suite.
set -uo pipefail
cd "$(dirname "$0")/.."
out=target/parity
mkdir -p "$out"
rm -f "$out"/*.json
start=$SECONDS
status=0

step() { printf '\n== parity: %s\n' "$*"; }

step "native runner (cargo test -p certbound-tests --test parity)"
if ! PARITY_OUT="$PWD/$out" cargo test -q -p certbound-tests --test parity 2>&1 | tail -n 30; then
    echo "native runner FAILED" >&2
fi

step "wasm-node runner (core compiled to wasm32-unknown-unknown, run by node)"
wasm_ok=1
if ! command -v node >/dev/null; then
    echo "RUNTIME wasm-node CANNOT RUN: node is not installed" >&2
    wasm_ok=0
fi
if [ $wasm_ok = 1 ] && ! command -v wasm-bindgen >/dev/null; then
    # Pinned to the workspace's wasm-bindgen (TOOLCHAIN.md); installed only when missing.
    flock /tmp/wasm-bindgen-install.lock cargo install wasm-bindgen-cli --version 0.2.130 || wasm_ok=0
fi
if [ $wasm_ok = 1 ]; then
    rustup target list --installed | grep -qx wasm32-unknown-unknown || rustup target add wasm32-unknown-unknown
    if cargo build -q -p certbound-parity-wasm --target wasm32-unknown-unknown --release \
        && wasm-bindgen --target nodejs --out-dir "$out/wasm-pkg" \
            target/wasm32-unknown-unknown/release/certbound_parity_wasm.wasm \
        && node tests/wasm-runner/run.mjs "$out/wasm-pkg" "$out/wasm-node.json"; then
        :
    else
        echo "wasm-node runner FAILED" >&2
    fi
fi

step "page runner (the www page's wasm API in headless Chromium)"
if [ $wasm_ok = 1 ] && www/setup.sh >"$out/page-setup.log" 2>&1; then
    stamp=www/dist/pkg/certbound_www_bg.wasm
    if [ ! -f "$stamp" ] || [ -n "$(find core/src core/Cargo.toml provider-webcrypto www/src www/Cargo.toml Cargo.toml \
        Cargo.lock www/index.html www/app.js www/style.css www/build.sh -newer "$stamp" -print -quit)" ]; then
        www/build.sh || echo "page build FAILED" >&2
    fi
    node tests/page-runner/run.mjs "$out/wasm-pkg" "$out/page.json" || echo "page runner FAILED" >&2
else
    echo "RUNTIME page CANNOT RUN: www/setup.sh failed (see $out/page-setup.log) or wasm-node unavailable" >&2
fi

step "server runner (certbound serve with curl: token endpoint and protected resource, over mutual TLS)"
if [ $wasm_ok = 1 ] && command -v curl >/dev/null && cargo build -q -p certbound --bin certbound; then
    node tests/server-runner/run.mjs "$out/wasm-pkg" target/debug/certbound "$out/server.json" \
        "$out/server-mtls.json" || echo "server runner FAILED" >&2
else
    echo "RUNTIME server CANNOT RUN: curl, node or the certbound build is missing" >&2
fi

step "worker runner (the edge worker in workerd via Miniflare)"
if [ $wasm_ok = 1 ] && (cd edge-worker && ./toolchain.sh && { [ -d node_modules/miniflare ] || npm ci --no-audit --no-fund; }) \
    >"$out/worker-setup.log" 2>&1; then
    wasm=edge-worker/build/index_bg.wasm
    if [ ! -f "$wasm" ] || [ -n "$(find edge-worker/src core/src provider-webcrypto edge-worker/build.sh edge-worker/Cargo.toml \
        Cargo.toml Cargo.lock -newer "$wasm" -print -quit)" ]; then
        edge-worker/build.sh || echo "worker build FAILED" >&2
    fi
    # workerd's console (every refusal the worker logs) goes to a file.
    if node tests/worker-runner/run.mjs "$out/wasm-pkg" "$out/worker.json" >"$out/worker-run.log" 2>&1; then
        tail -n 1 "$out/worker-run.log"
    else
        tail -n 20 "$out/worker-run.log" >&2
        echo "worker runner FAILED (log: $out/worker-run.log)" >&2
    fi
else
    echo "RUNTIME worker CANNOT RUN: edge-worker toolchain or npm install failed (see $out/worker-setup.log)" >&2
fi

step "comparison"
cargo run -q -p certbound-tests --bin parity-compare -- "$out" native native-aws-lc-rs wasm-node page server server-mtls worker \
    --table "$out/table.txt" \
    || status=1
echo
echo "parity suite wall time: $((SECONDS - start)) s"
exit $status
