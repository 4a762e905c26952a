#!/bin/sh
# Writes the seed corpora to fuzz/corpus/<target>/ (or the directory given): certificates
# generated with rcgen, and the shared RFC 9440 / RFC 8705 / JOSE cookbook examples read in
# place from ../../shared/conformance. Existing corpus files are kept; seeds are overwritten.
set -eu
cd "$(dirname "$0")"
cargo run --quiet --example seedgen -- "${1:-corpus}"
