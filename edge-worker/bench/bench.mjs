// Per-request time in workerd for the full check (Cloudflare source with the certificate header:
// DER parse + thumbprint, ES256 token, binding, scope, forward to the origin), measured inside
// workerd: a driver worker calls the worker under test over a service binding in batches and
// times each batch with Date.now() (which workerd advances on I/O), so node and its HTTP hop are
// not in the numbers. The origin is another worker (outboundService), answering "ok".
//
// Workers measured, all in the same run: the Rust worker (signatures by WebCrypto), cold
// (TOKEN_CACHE_ENTRIES=0: every request parses and verifies the token) and warm (the token cache on, the same token repeated: every measured request is a
// hit); the plain JS worker (npm jose + WebCrypto, no cache); and a pass-through worker that
// only forwards: its time is the service-binding + forwarding overhead, subtracted to get the
// cost of the check itself.
//
// Cold start: for each of the pass-through, Rust and JS workers, BENCH_COLD_RUNS times (default
// 7): a fresh Miniflare/workerd with the module, time to `ready` (workerd started, modules
// compiled) and from then to the first response of a valid request (instantiation work left to
// the first request, and the request itself). Medians; the pass-through's are the floor.
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
const COLD_RUNS = Number(process.env.BENCH_COLD_RUNS ?? 7);
// The built worker to measure (a directory of edge-worker/, default build/): size experiments
// build elsewhere and compare.
const BUILD = process.env.BENCH_BUILD ?? "build";

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

const rust = (extra) => ({
  scriptPath: join(workerDir, BUILD, "index.js"),
  modulesRules: [{ type: "CompiledWasm", include: ["**/*.wasm"] }],
  bindings: { ...vars, ...extra },
});
const PASS = "pass-through (overhead)";
const JS = "js jose + WebCrypto";
const targets = {
  [PASS]: { script: passthrough },
  "rust + WebCrypto, cold": rust({ TOKEN_CACHE_ENTRIES: "0" }),
  "rust + WebCrypto, warm": rust({}),
  [JS]: { scriptPath: join(workerDir, "bench/build/js-worker.mjs") },
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

const overhead = results[PASS];
const js = results[JS];
console.log(`per-request time in workerd, median of ${N / BATCH} batches of ${BATCH} (ms); check = time - pass-through`);
for (const [name, m] of Object.entries(results)) {
  const check = name === PASS ? "" : `   check ≈ ${(m - overhead).toFixed(3)} ms`;
  console.log(`  ${name.padEnd(26)} ${m.toFixed(3)} ms${check}`);
}
for (const name of Object.keys(results).filter((n) => n.startsWith("rust"))) {
  const perRequest = results[name] / js;
  const check = (results[name] - overhead) / (js - overhead);
  console.log(`  ratio ${name.padEnd(26)} / js: per request ${perRequest.toFixed(2)}, check ${check.toFixed(2)}`);
}
const wasm = join(workerDir, BUILD, "index_bg.wasm");
const raw = statSync(wasm).size;
const gz = gzipSync(readFileSync(wasm), { level: 9 }).length;
console.log(`wasm size: ${raw} bytes raw, ${gz} bytes gzip`);

// Cold start.
const coldTargets = {
  [PASS]: targets[PASS],
  "rust + WebCrypto": rust({ CRYPTO_PROVIDER: "webcrypto" }),
  [JS]: targets[JS],
};
const cold = {};
for (let run = 0; run < COLD_RUNS; run++) {
  // Interleaved, so that machine load drifts hit every worker alike.
  for (const [name, target] of Object.entries(coldTargets)) {
    const t0 = performance.now();
    const mf = new Miniflare({
      workers: [
        { name: "target", modules: true, compatibilityDate: "2025-09-01", bindings: vars, outboundService: "origin", ...target },
        { name: "origin", modules: true, compatibilityDate: "2025-09-01", script: `export default { fetch() { return new Response("ok"); } };` },
      ],
    });
    await mf.ready;
    const t1 = performance.now();
    const res = await mf.dispatchFetch("https://api.certbound.test/items", init());
    const body = await res.text();
    const t2 = performance.now();
    await mf.dispose();
    if (res.status !== 200 || body !== "ok") throw new Error(`${name} cold start: ${res.status} ${body}`);
    (cold[name] ??= []).push([t1 - t0, t2 - t1, t2 - t0]);
  }
}
console.log(`cold start, median of ${COLD_RUNS} fresh workerd instances (ms): ready (workerd + module compile), first request, total; "over floor" = total - pass-through total`);
const coldFloor = median(cold[PASS].map((r) => r[2]));
for (const [name, runs] of Object.entries(cold)) {
  const [ready, first, total] = [0, 1, 2].map((i) => median(runs.map((r) => r[i])));
  const over = name === PASS ? "" : `   over floor ${(total - coldFloor).toFixed(1)}`;
  console.log(`  ${name.padEnd(26)} ready ${ready.toFixed(1)}   first request ${first.toFixed(1)}   total ${total.toFixed(1)}${over}`);
}
