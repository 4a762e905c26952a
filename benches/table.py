#!/usr/bin/env python3
"""scripts/bench's table: criterion medians (native) and node medians (wasm, JS) in one view.

Usage: table.py CRITERION_DIR NODE_JSONL. Prints Markdown to stdout.
"""
import json
import sys
from pathlib import Path

criterion_dir, node_jsonl = Path(sys.argv[1]), Path(sys.argv[2])

# (operation key, label, native fast provider id or None, native anchors, JS anchors, issue's anchors)
ROWS = [
    ("parse", "parse a leaf", None, ["x509-cert"], ["@peculiar/x509", "pkijs"],
     "x509-cert 2.9; wasm 5; @peculiar/x509 1,400; pkijs 1,100"),
    ("sha256", "SHA-256 of the leaf DER", None, ["ring", "aws-lc-rs"], ["webcrypto"],
     "RustCrypto 0.47; ring 0.47; wasm 2.4; WebCrypto 34–40"),
    ("token-ES256", "ES256 JWT, full check", "certbound-aws-lc-rs", ["jsonwebtoken-aws-lc-rs"],
     ["jose+webcrypto"], "RustCrypto 189; jsonwebtoken+aws-lc-rs 51; wasm 530; jose 130–160"),
    ("token-RS256", "RS256 JWT, full check", "certbound-aws-lc-rs", ["jsonwebtoken-aws-lc-rs"],
     ["jose+webcrypto"], "RustCrypto 53; jsonwebtoken+aws-lc-rs 18; wasm 300; jose 74–96"),
    ("token-EdDSA", "EdDSA JWT, full check", "certbound-aws-lc-rs", ["jsonwebtoken-aws-lc-rs"],
     ["jose+webcrypto"], "RustCrypto 30; aws-lc-rs 32; wasm 83; jose 134–142"),
    ("chain-P256", "3-certificate P-256 chain", "certbound-aws-lc-rs",
     ["webpki-ring", "webpki-aws-lc-rs"], ["pkijs", "node:crypto"],
     "webpki+RustCrypto 370; webpki+ring 102; webpki+aws-lc-rs 97; wasm 1,050; OpenSSL 340"),
]


def criterion_us(group, function):
    path = criterion_dir / group / function / "new" / "estimates.json"
    try:
        return json.loads(path.read_text())["median"]["point_estimate"] / 1000.0
    except FileNotFoundError:
        return None


node = {}
for line in node_jsonl.read_text().splitlines():
    if line.strip():
        r = json.loads(line)
        node[(r["op"], r["impl"])] = r["median_us"]


def fmt(us):
    if us is None:
        return "—"
    if us < 10:
        return f"{us:.2f}"
    if us < 100:
        return f"{us:.1f}"
    return f"{us:,.0f}"


def named(pairs):
    return "; ".join(f"{name} {fmt(us)}" for name, us in pairs) or "—"


def ratio(a, b):
    return "—" if a is None or b is None else f"{a / b:.2f}×"


print("Median µs per operation (lower is better). Anchors measured in the same run; the "
      "issue's column is for reference.\n")
print("| operation | ours native, RustCrypto | ours native, aws-lc-rs | ours wasm (node) "
      "| native anchors | JS anchors (node) | ours best native ÷ fastest native anchor "
      "| ours wasm ÷ fastest JS anchor | issue's anchors |")
print("|---|---|---|---|---|---|---|---|---|")
for op, label, fast_id, native_ids, js_ids, issue in ROWS:
    rc = criterion_us(op, "certbound" if fast_id is None else "certbound-rustcrypto")
    fast = criterion_us(op, fast_id) if fast_id else None
    wasm = node.get((op, "wasm"))
    natives = [(n, criterion_us(op, n)) for n in native_ids]
    jss = [(n, node.get((op, n))) for n in js_ids]
    best_ours = min([x for x in (rc, fast) if x is not None], default=None)
    best_native = min([x for _, x in natives if x is not None], default=None)
    best_js = min([x for _, x in jss if x is not None], default=None)
    print(f"| {label} | {fmt(rc)} | {fmt(fast) if fast_id else 'n/a (not behind the seam)'} "
          f"| {fmt(wasm)} | {named(natives)} | {named(jss)} | {ratio(best_ours, best_native)} "
          f"| {ratio(wasm, best_js)} | {issue} |")
