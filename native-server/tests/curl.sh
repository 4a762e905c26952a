#!/usr/bin/env bash
# The README quickstart, run with curl --cert against a real `certbound serve`:
# the dev setup is generated, then the exact commands the server prints are executed.
# Usage: tests/curl.sh PATH/TO/certbound   (run by tests/e2e.rs `curl_quickstart`)
set -euo pipefail
BIN=${1:?usage: curl.sh PATH/TO/certbound}
WORK=$(mktemp -d)
cd "$WORK"
"$BIN" serve --listen 127.0.0.1:0 >out.txt 2>err.txt &
PID=$!
cleanup() { kill -TERM "$PID" 2>/dev/null || true; wait "$PID" 2>/dev/null || true; rm -rf "$WORK"; }
trap cleanup EXIT
for _ in $(seq 300); do
  grep -q '^listening on ' out.txt && break
  sleep 0.1
done
grep -q '^listening on ' out.txt || { echo "server did not start"; cat err.txt; exit 1; }
# The printed quickstart lines (two-space indented), in order: token, whoami, discovery.
mapfile -t CMDS < <(grep '^  ' out.txt | sed 's/^  //')
[ "${#CMDS[@]}" -eq 3 ] || { echo "expected 3 quickstart commands"; cat out.txt; exit 1; }
eval "${CMDS[0]}"
[ -n "$TOKEN" ] && [ "${TOKEN#*.}" != "$TOKEN" ] || { echo "no token: $TOKEN"; cat err.txt; exit 1; }
WHOAMI=$(eval "${CMDS[1]}")
echo "whoami: $WHOAMI"
echo "$WHOAMI" | grep -q '"client_id":"dev-pki-client"' || { echo "whoami failed"; cat err.txt; exit 1; }
DISCOVERY=$(eval "${CMDS[2]}")
echo "$DISCOVERY" | grep -q '"tls_client_certificate_bound_access_tokens":true' || { echo "discovery failed"; exit 1; }
# Without the certificate the bound token is refused (RFC 8705 §3 / RFC 6750 invalid_token).
PORT=$(sed -nE 's/^listening on https:\/\/[^ ]*:([0-9]+) .*/\1/p' out.txt)
CODE=$(curl -s -o /dev/null -w '%{http_code}' --cacert certbound-dev/ca.pem \
  -H "Authorization: Bearer $TOKEN" "https://localhost:$PORT/api/whoami")
[ "$CODE" = 401 ] || { echo "token without certificate: HTTP $CODE"; exit 1; }
echo "curl quickstart: ok"
