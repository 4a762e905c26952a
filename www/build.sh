#!/usr/bin/env bash
# Builds the browser page into www/dist/: certbound-www for wasm32 (profile `wasm`), wasm-bindgen
# (--target web), wasm-opt -Oz (npm binaryen), then the static files. Prints the wasm size.
# Needs the tools www/setup.sh installs. Usage: www/build.sh
set -euo pipefail
www="$(cd "$(dirname "$0")" && pwd)"
root="$(dirname "$www")"
cd "$root"

target_dir="$(cargo metadata --format-version 1 --no-deps | python3 -c 'import json,sys; print(json.load(sys.stdin)["target_directory"])')"
# opt-level "z" (the `wasm` profile says "s") saves ~6% of the gzip size here; the override
# applies to this build only.
CARGO_PROFILE_WASM_OPT_LEVEL=z cargo build -q -p certbound-www --target wasm32-unknown-unknown --profile wasm

dist="$www/dist"
rm -rf "$dist"
mkdir -p "$dist/pkg"
wasm-bindgen --target web --no-typescript --out-dir "$dist/pkg" \
    "$target_dir/wasm32-unknown-unknown/wasm/certbound_www.wasm"

wasm="$dist/pkg/certbound_www_bg.wasm"
before=$(stat -c %s "$wasm")
# wasm-bindgen output uses these post-MVP features (Rust ≥ 1.82 enables them by default).
"$www/node_modules/.bin/wasm-opt" -Oz --enable-bulk-memory --enable-nontrapping-float-to-int \
    --enable-sign-ext --enable-mutable-globals --enable-reference-types --enable-multivalue \
    --strip-debug --strip-producers -o "$wasm.opt" "$wasm"
mv "$wasm.opt" "$wasm"

cp "$www/index.html" "$www/app.js" "$www/style.css" "$dist/"

raw=$(stat -c %s "$wasm")
gz=$(gzip -9 -c "$wasm" | wc -c)
printf 'wasm: %s (%d bytes before wasm-opt)\n' "${wasm#"$root"/}" "$before"
printf "wasm size: %d bytes raw, %d bytes gzip (%s KiB; goal <= 150 KB gzip)\n" \
    "$raw" "$gz" "$(awk -v b="$gz" 'BEGIN { printf "%.1f", b / 1024 }')"
