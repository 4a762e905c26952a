#!/usr/bin/env bash
# certbound serve vs nginx (ssl_verify_client on), same certificates, same load tool (oha), same
# run, interleaved, loopback only:
#   1. full mTLS handshakes/s: no keep-alive, no resumption on either server, X25519, 16 conns,
#      one GET /healthz per connection;
#   2. keep-alive requests/s at 64 conns with the client certificate and a bearer header:
#      certbound GET /api/whoami with a valid bound token (signature, claims and binding checked
#      per request) vs nginx answering a static 200 for the same request.
# Server RSS (VmRSS; nginx: master + workers) is sampled every 0.5 s during each run.
#
# Needs: cargo build --release -p certbound; oha (cargo install oha --locked); nginx; curl; jq.
# Usage: benches/nginx/compare.sh      (SECS=10 ROUNDS=2 CONNS_HS=16 CONNS_KA=64 to change)
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/../.." && pwd)
CERTBOUND=${CERTBOUND:-$ROOT/target/release/certbound}
SECS=${SECS:-10}
ROUNDS=${ROUNDS:-2}
CONNS_HS=${CONNS_HS:-16}
CONNS_KA=${CONNS_KA:-64}
CB_PORT=${CB_PORT:-18443}
NGX_PORT=18444 # fixed in nginx.conf.in

for tool in oha nginx curl jq; do
    command -v "$tool" > /dev/null || { echo "compare.sh: $tool not found" >&2; exit 1; }
done
[ -x "$CERTBOUND" ] || { echo "compare.sh: $CERTBOUND missing: cargo build --release -p certbound" >&2; exit 1; }

WORK=$(mktemp -d)
CB_PID=
cleanup() {
    [ -n "$CB_PID" ] && kill "$CB_PID" 2> /dev/null || true
    [ -f "$WORK/nginx/nginx.pid" ] && kill "$(cat "$WORK/nginx/nginx.pid")" 2> /dev/null || true
    sleep 0.5
    rm -rf "$WORK"
}
trap cleanup EXIT
cd "$WORK"

# certbound: the dev PKI, full handshakes only (like nginx below), an hour-long token, no
# per-request access log (nginx: access_log off).
"$CERTBOUND" pki init certbound-dev > /dev/null
sed -i -e 's/^client_auth = "optional"$/client_auth = "optional"\nsession_resumption = false/' \
    -e 's/^lifetime_secs = 300$/lifetime_secs = 3600/' certbound-dev/certbound.toml
grep -q '^session_resumption = false$' certbound-dev/certbound.toml
CERTBOUND_LOG=warn "$CERTBOUND" serve --dev-dir certbound-dev --listen "127.0.0.1:$CB_PORT" > certbound.log 2>&1 &
CB_PID=$!

mkdir -p nginx/logs
sed "s|DIR|$WORK|g" "$ROOT/benches/nginx/nginx.conf.in" > nginx.conf
nginx -p "$WORK" -c "$WORK/nginx.conf"

TLS=(--cacert certbound-dev/ca.pem --cert certbound-dev/client.pem --key certbound-dev/client.key)
for _ in $(seq 50); do
    curl -fs "${TLS[@]}" "https://127.0.0.1:$CB_PORT/healthz" > /dev/null 2>&1 && break
    sleep 0.2
done
TOKEN=$(curl -fsS "${TLS[@]}" -d grant_type=client_credentials -d client_id=dev-pki-client \
    "https://127.0.0.1:$CB_PORT/oauth2/token" | jq -r .access_token)
AUTH="Authorization: Bearer $TOKEN"
[ "$(curl -s -o /dev/null -w '%{http_code}' "${TLS[@]}" -H "$AUTH" "https://127.0.0.1:$CB_PORT/api/whoami")" = 200 ]
[ "$(curl -s -o /dev/null -w '%{http_code}' "${TLS[@]}" -H "$AUTH" "https://127.0.0.1:$NGX_PORT/api/whoami")" = 200 ]
# Both servers must refuse a connection without a client certificate at /api/whoami.
[ "$(curl -s -o /dev/null -w '%{http_code}' --cacert certbound-dev/ca.pem -H "$AUTH" "https://127.0.0.1:$CB_PORT/api/whoami")" = 401 ]
[ "$(curl -s -o /dev/null -w '%{http_code}' --cacert certbound-dev/ca.pem -H "$AUTH" "https://127.0.0.1:$NGX_PORT/api/whoami")" = 400 ]

server_pids() { # certbound | nginx
    if [ "$1" = certbound ]; then echo "$CB_PID"; else
        local m; m=$(cat nginx/nginx.pid); echo "$m $(pgrep -P "$m" | tr '\n' ' ')"
    fi
}
rss_kib() { local t=0 p; for p in "$@"; do t=$((t + $(awk '/^VmRSS:/ {print $2}' "/proc/$p/status"))); done; echo $t; }

# run NAME SERVER URL CONNS [oha args...]
run() {
    local name=$1 server=$2 url=$3 conns=$4; shift 4
    local pids; pids=$(server_pids "$server")
    local before; before=$(rss_kib $pids)
    ( peak=0; while true; do r=$(rss_kib $pids); [ "$r" -gt "$peak" ] && peak=$r && echo $peak > rss.peak; sleep 0.5; done ) &
    local sampler=$!
    oha --no-tui --output-format json -z "${SECS}s" -c "$conns" "${TLS[@]}" "$@" "$url" > oha.json
    kill $sampler; wait $sampler 2> /dev/null || true
    local after; after=$(rss_kib $pids)
    jq -r --arg name "$name" --arg b "$before" --arg p "$(cat rss.peak)" --arg a "$after" '
        "\($name): \(.summary.requestsPerSec | floor)/s, status \(.statusCodeDistribution | tojson), errors \(.errorDistribution | tojson), p50 \(.latencyPercentiles.p50 * 1000 * 10 | floor / 10) ms, p99 \(.latencyPercentiles.p99 * 1000 * 10 | floor / 10) ms; server RSS \($b | tonumber / 1024 | floor) MiB before, \($p | tonumber / 1024 | floor) MiB peak, \($a | tonumber / 1024 | floor) MiB after"' oha.json
}

echo "# $(date -u +%Y-%m-%dT%H:%M:%SZ) on $(nproc) cores, load average $(cut -d' ' -f1-3 /proc/loadavg)"
echo "# $(oha --version); $(nginx -v 2>&1); $(openssl version 2>/dev/null || true); certbound $(git -C "$ROOT" rev-parse --short HEAD)"
echo "# ${SECS} s per run, ${ROUNDS} rounds interleaved; handshakes: ${CONNS_HS} conns, --disable-keepalive; keep-alive: ${CONNS_KA} conns"
for round in $(seq "$ROUNDS"); do
    run "round $round certbound full handshakes + GET /healthz" certbound "https://127.0.0.1:$CB_PORT/healthz" "$CONNS_HS" --disable-keepalive
    run "round $round nginx     full handshakes + GET /healthz" nginx "https://127.0.0.1:$NGX_PORT/healthz" "$CONNS_HS" --disable-keepalive
    run "round $round certbound keep-alive GET /api/whoami (bound token)" certbound "https://127.0.0.1:$CB_PORT/api/whoami" "$CONNS_KA" -H "$AUTH"
    run "round $round nginx     keep-alive GET /api/whoami (static 200)" nginx "https://127.0.0.1:$NGX_PORT/api/whoami" "$CONNS_KA" -H "$AUTH"
done
echo "# load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
echo "# certbound warnings and errors during the runs: $(grep -cE ' (WARN|ERROR) ' certbound.log || true)"
