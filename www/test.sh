#!/usr/bin/env bash
# Browser tests of the page: installs what is missing (setup.sh), rebuilds www/dist when any
# input is newer than it (build.sh), then runs test/*.test.mjs with node --test against Chromium.
# Exit code is node's: non-zero if any test fails. Screenshots land in www/test-artifacts/.
# Usage: www/test.sh [extra node --test arguments]
set -euo pipefail
www="$(cd "$(dirname "$0")" && pwd)"
root="$(dirname "$www")"

"$www/setup.sh"

stamp="$www/dist/pkg/certbound_www_bg.wasm"
if [ ! -f "$stamp" ] || [ -n "$(find "$root/core/src" "$root/core/Cargo.toml" "$root/provider-webcrypto" "$www/src" \
    "$www/Cargo.toml" "$root/Cargo.toml" "$root/Cargo.lock" "$www/index.html" "$www/app.js" \
    "$www/style.css" "$www/build.sh" -newer "$stamp" -print -quit)" ]; then
    "$www/build.sh"
fi

cd "$www"
exec node --test --test-concurrency=1 "$@" test/*.test.mjs
