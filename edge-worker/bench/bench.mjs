// Per-request time in workerd for the full check (Cloudflare source with the certificate header:
// DER parse + thumbprint, ES256 token, binding, scope, forward to the origin), measured inside
// workerd: a driver worker calls the worker under test over a service binding in batches and
// times each batch with Date.now() (which workerd advances on I/O), so node and its HTTP hop are
// not in the numbers. The origin is another worker (outboundService), answering "ok".
//
// Workers measured: the Rust worker with the WebCrypto and with the RustCrypto provider, the
// plain JS worker (npm jose + WebCrypto), and a pass-through worker that only forwards; its time
// is the service-binding + forwarding overhead, subtracted to get the cost of the check itself.
//
// Run with: edge-worker/test.sh --bench   (or node bench/bench.mjs after test.sh built everything)
import { readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import { Miniflare } from "miniflare";
import { cfVerified, loadFixtures, workerDir } from "../test/harness.mjs";
import { baseVars, bearer } from "../test/common.mjs";

const N = Number(process.env.BENCH_N ?? 2000);
const BATCH = 50;

const f = loadFixtures();
const alice = f.certs.alice;
const vars = baseVars(f, { url: "https://origin.certbound.test" });

const driver = `export default { async fetch(req, env) {
  const { n, batch, headers, cf } = await req.json();
  const perRequest = [];
  for (let b = 0; b < n / batch; b++) {
    const t0 = Date.now();
    for (let i = 0; i < batch; i++) {
      const r = await env.TARGET.fetch("https://api.certbound.test/items", { headers, cf });
      const body = await r.text();
      if (r.status !== 200 || body !== "ok") {
        return new Response("status " + r.status + " " + r.headers.get("www-authenticate"), { status: 500 });
      }
    }
    perRequest.push((Date.now() - t0) / batch);
  }
  return Response.json(perRequest);
} };`;

const passthrough = `export default { fetch(req, env) {
  const u = new URL(req.url);
  return fetch(new URL(u.pathname + u.search, env.ORIGIN_URL), { headers: req.headers });
} };`;

const targets = {
  "pass-through (overhead)": { script: passthrough },
  "rust + WebCrypto": {
    scriptPath: join(workerDir, "build/index.js"),
    modulesRules: [{ type: "CompiledWasm", include: ["**/*.wasm"] }],
    bindings: { ...vars, CRYPTO_PROVIDER: "webcrypto" },
  },
  "rust + RustCrypto": {
    scriptPath: join(workerDir, "build/index.js"),
    modulesRules: [{ type: "CompiledWasm", include: ["**/*.wasm"] }],
    bindings: { ...vars, CRYPTO_PROVIDER: "rustcrypto" },
  },
  "js jose + WebCrypto": { scriptPath: join(workerDir, "bench/build/js-worker.mjs") },
};

function median(xs) {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

const results = {};
for (const [name, target] of Object.entries(targets)) {
  const mf = new Miniflare({
    workers: [
      { name: "driver", modules: true, script: driver, compatibilityDate: "2025-09-01", serviceBindings: { TARGET: "target" } },
      { name: "target", modules: true, compatibilityDate: "2025-09-01", bindings: vars, outboundService: "origin", ...target },
      { name: "origin", modules: true, compatibilityDate: "2025-09-01", script: `export default { fetch() { return new Response("ok"); } };` },
    ],
  });
  const body = JSON.stringify({ n: N, batch: BATCH, headers: init().headers, cf: init().cf });
  // Warm-up run (JIT, key import caches), then the measured run.
  for (const n of [BATCH * 4, N]) {
    const res = await mf.dispatchFetch("https://driver.test/", {
      method: "POST",
      body: n === N ? body : JSON.stringify({ ...JSON.parse(body), n }),
    });
    if (res.status !== 200) throw new Error(`${name}: ${await res.text()}`);
    const perRequest = await res.json();
    if (n === N) results[name] = median(perRequest);
  }
  await mf.dispose();
}

function init() {
  // BENCH_LATER_REQUEST=1: a later request of the connection (no certificate header, binding
  // against certFingerprintSHA256), which skips the DER parse.
  const later = process.env.BENCH_LATER_REQUEST === "1";
  return {
    headers: { ...bearer(f.tokens.valid), ...(later ? {} : { "Cf-Client-Cert-Der-Base64": alice.der_b64 }) },
    cf: cfVerified(alice),
  };
}

const overhead = results["pass-through (overhead)"];
console.log(`per-request time in workerd, median of ${N / BATCH} batches of ${BATCH} (ms); check = time - pass-through`);
for (const [name, m] of Object.entries(results)) {
  const check = name.startsWith("pass") ? "" : `   check ≈ ${(m - overhead).toFixed(3)} ms`;
  console.log(`  ${name.padEnd(24)} ${m.toFixed(3)} ms${check}`);
}
const js = results["js jose + WebCrypto"] - overhead;
for (const name of ["rust + WebCrypto", "rust + RustCrypto"]) {
  console.log(`  ratio (${name}) / (js jose) check: ${((results[name] - overhead) / js).toFixed(2)}`);
}
const wasm = join(workerDir, "build/index_bg.wasm");
const raw = statSync(wasm).size;
const gz = gzipSync(readFileSync(wasm), { level: 9 }).length;
console.log(`wasm size: ${raw} bytes raw, ${gz} bytes gzip`);
