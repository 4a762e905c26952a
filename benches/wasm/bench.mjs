// scripts/bench's node side: certbound in wasm (wasm-bindgen --target nodejs build of this crate)
// next to the JavaScript anchors, all on the same fixtures. Prints one JSON object per line:
// {"op", "impl", "median_us", "batches", "per_batch"}.
// Usage: node bench.mjs FIXTURES.json WASM_PKG_DIR [BUDGET_MS]
// @peculiar/x509 needs the Reflect metadata polyfill loaded first.
import "reflect-metadata";
import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import { createRequire } from "node:module";
import { X509Certificate as NodeX509 } from "node:crypto";
import * as jose from "jose";
import * as x509 from "@peculiar/x509";
import * as pkijs from "pkijs";

const [fixturesPath, pkgDir, budgetArg] = process.argv.slice(2);
const budgetMs = Number(budgetArg ?? 1500);
const f = JSON.parse(readFileSync(fixturesPath, "utf8"));
const require = createRequire(import.meta.url);
const wasm = require(resolve(pkgDir, "certbound_bench_wasm.js"));

const b64 = (s) => new Uint8Array(Buffer.from(s, "base64"));
const leafDer = b64(f.leaf_der);
const chain = f.chain.map(b64); // root, intermediate, leaf
const now = Math.floor(Date.now() / 1000);

// Runs `batch(n)` (n operations, sync or async) until each batch takes >= 10 ms, warms up,
// then times batches for `budgetMs`: the median per-operation time of the batches, in µs.
async function measure(batch) {
  let n = 1;
  for (;;) {
    const t0 = performance.now();
    await batch(n);
    if (performance.now() - t0 >= 10 || n >= 1 << 20) break;
    n *= 2;
  }
  const warm = performance.now() + 300;
  while (performance.now() < warm) await batch(n);
  const samples = [];
  const end = performance.now() + budgetMs;
  while (samples.length < 7 || (performance.now() < end && samples.length < 500)) {
    const t0 = performance.now();
    await batch(n);
    samples.push(((performance.now() - t0) * 1000) / n);
  }
  samples.sort((a, b) => a - b);
  return { median_us: samples[samples.length >> 1], batches: samples.length, per_batch: n };
}

async function report(op, impl, batch) {
  const r = await measure(batch);
  console.log(JSON.stringify({ op, impl, ...r }));
}

// --- certbound in wasm (RustCrypto) -------------------------------------------------------
const bench = new wasm.Bench(JSON.stringify(f), now + 5);
for (const op of ["parse", "sha256", "token-ES256", "token-RS256", "token-EdDSA", "chain-P256"]) {
  await report(op, "wasm", (n) => bench.run(op, n));
}

// --- JavaScript anchors -------------------------------------------------------------------
const webcrypto = globalThis.crypto;
pkijs.setEngine("node", new pkijs.CryptoEngine({ name: "node", crypto: webcrypto }));

// Parse a leaf.
await report("parse", "@peculiar/x509", (n) => {
  for (let i = 0; i < n; i++) if (!new x509.X509Certificate(leafDer).subject) throw new Error("parse");
});
await report("parse", "pkijs", (n) => {
  for (let i = 0; i < n; i++) if (!pkijs.Certificate.fromBER(leafDer).subject) throw new Error("parse");
});

// SHA-256 of the leaf DER (awaited, as a JS caller must).
await report("sha256", "webcrypto", async (n) => {
  for (let i = 0; i < n; i++) await webcrypto.subtle.digest("SHA-256", leafDer);
});

// Full bound-token check: signature, iss, aud, exp (60 s leeway), typ, then cnf.x5t#S256.
for (const [alg, kty] of [["ES256", "EC"], ["RS256", "RSA"], ["EdDSA", "OKP"]]) {
  const jwk = f.jwks.keys.find((k) => k.kty === kty);
  const key = await jose.importJWK(jwk, alg);
  const token = f.tokens[alg];
  const options = {
    issuer: f.issuer, audience: f.audience, algorithms: [alg], typ: "at+jwt",
    clockTolerance: 60, requiredClaims: ["exp", "iat"],
  };
  const check = async () => {
    const { payload } = await jose.jwtVerify(token, key, options);
    if (payload.cnf?.["x5t#S256"] !== f.thumbprint) throw new Error(`${alg}: binding`);
  };
  await check();
  await report(`token-${alg}`, "jose+webcrypto", async (n) => {
    for (let i = 0; i < n; i++) await check();
  });
}

// 3-certificate P-256 chain from DER.
const [rootDer, icaDer, leafChainDer] = chain;
const pkijsChain = async () => {
  const engine = new pkijs.CertificateChainValidationEngine({
    trustedCerts: [pkijs.Certificate.fromBER(rootDer)],
    certs: [pkijs.Certificate.fromBER(icaDer), pkijs.Certificate.fromBER(leafChainDer)],
    checkDate: new Date(),
  });
  const r = await engine.verify();
  if (!r.result) throw new Error(`pkijs chain: ${r.resultMessage}`);
};
await pkijsChain();
await report("chain-P256", "pkijs", async (n) => {
  for (let i = 0; i < n; i++) await pkijsChain();
});
// node:crypto (OpenSSL): parse three certificates, two issuer checks and signature
// verifications, validity at now; not a full RFC 5280 path validation.
const nodeChain = () => {
  const [root, ica, leaf] = [rootDer, icaDer, leafChainDer].map((d) => new NodeX509(d));
  const t = Date.now();
  const ok =
    leaf.checkIssued(ica) && leaf.verify(ica.publicKey) &&
    ica.checkIssued(root) && ica.verify(root.publicKey) && ica.ca && root.ca &&
    [root, ica, leaf].every((c) => Date.parse(c.validFrom) <= t && t <= Date.parse(c.validTo));
  if (!ok) throw new Error("node:crypto chain");
};
nodeChain();
await report("chain-P256", "node:crypto", (n) => {
  for (let i = 0; i < n; i++) nodeChain();
});
