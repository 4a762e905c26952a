#!/usr/bin/env bash
# Builds every fuzz target once, then runs each for SECONDS (default 30) on its corpus.
# Exits non-zero if any target crashes, times out or runs out of memory; the failing input is
# left in fuzz/artifacts/<target>/. Prints executions, coverage and corpus size per target.
#
#   fuzz/run.sh [SECONDS]            all targets
#   TARGETS="cert_der xfcc" fuzz/run.sh 60
#   FUZZ_SANITIZER=address fuzz/run.sh   (default: none — core is #![forbid(unsafe_code)])
set -euo pipefail

budget=${1:-30}
cd "$(dirname "$0")"
all="cert_der forwarded xfcc jws_parse token_validate jwks_parse registration_json dn_parse path_verify time_parse request_path"
targets=${TARGETS:-$all}
sanitizer=${FUZZ_SANITIZER:-none}

cargo +nightly fuzz build -O -a -s "$sanitizer"
bin=target/x86_64-unknown-linux-gnu/release

# Seeds are generated, not committed: create them on first use.
for t in $targets; do
    if [ -z "$(ls -A "corpus/$t" 2>/dev/null)" ]; then
        ./seed.sh
        break
    fi
done

failed=()
printf '%-18s %12s %8s %8s %7s  %s\n' target execs exec/s cov corpus result
for t in $targets; do
    mkdir -p "corpus/$t" "artifacts/$t" logs
    log="logs/$t.log"
    max_len=4096
    case $t in forwarded | xfcc | path_verify | registration_json | cert_der) max_len=20000 ;; esac
    set +e
    "$bin/$t" "corpus/$t" \
        -artifact_prefix="artifacts/$t/" \
        -max_total_time="$budget" \
        -rss_limit_mb=2048 \
        -timeout=10 \
        -max_len="$max_len" \
        -print_final_stats=1 >"$log" 2>&1
    rc=$?
    set -e
    execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
    rate=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log" | tail -1)
    cov=$(sed -n 's/.* cov: \([0-9]*\) .*/\1/p' "$log" | tail -1)
    corp=$(sed -n 's/.* corp: \([0-9]*\)\/.*/\1/p' "$log" | tail -1)
    if [ "$rc" -eq 0 ]; then
        result=ok
    else
        result="FAILED (exit $rc, see fuzz/$log)"
        failed+=("$t")
    fi
    printf '%-18s %12s %8s %8s %7s  %s\n' "$t" "${execs:-?}" "${rate:-?}" "${cov:-?}" "${corp:-?}" "$result"
done

if [ ${#failed[@]} -gt 0 ]; then
    echo "fuzz: ${#failed[@]} target(s) failed: ${failed[*]}" >&2
    for t in "${failed[@]}"; do
        grep -m1 -B2 -A12 -E 'panicked|ERROR: libFuzzer|SUMMARY' "logs/$t.log" >&2 || true
    done
    exit 1
fi
