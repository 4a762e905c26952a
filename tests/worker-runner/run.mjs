// Runs corpus cases through the edge worker in workerd (Miniflare): one request to a protected
// resource per case — token cases with the case's token and an RFC 9440 Client-Cert header,
// refused forwarded cases with the proxy's headers.
// Which cases apply, the worker variables and each request are decided in Rust
// (certbound_tests::parity::adapters::worker_plan); this file starts workerd per configuration,
// sends the requests and records status and WWW-Authenticate.
// Usage: node tests/worker-runner/run.mjs <wasm-node pkg dir> <out.json>
// Needs edge-worker/build (edge-worker/build.sh) and edge-worker/node_modules (npm ci).
import { writeFileSync } from 'node:fs';
import { loadCorpus, loadWasm } from '../wasm-runner/load.mjs';
import { cfWith, rustWorker, startOrigin } from '../../edge-worker/test/harness.mjs';

const [pkgDir, out] = process.argv.slice(2);
if (!pkgDir || !out) {
  console.error('usage: node run.mjs <wasm-node pkg dir> <out.json>');
  process.exit(2);
}
const wasm = loadWasm(pkgDir);
const { casesJson, filesJson } = loadCorpus(wasm);
const plan = JSON.parse(wasm.workerPlan(casesJson, filesJson, Math.floor(Date.now() / 1000)));

// Accepted requests are forwarded: to a local origin, never the network.
const origin = await startOrigin();
const verdicts = {};
const notApplicable = {};
try {
  for (const [index, vars] of plan.configs.entries()) {
    const mf = rustWorker({ ...vars, ORIGIN_URL: origin.url });
    try {
      for (const r of plan.requests) {
        if (r.api !== 'resource' || r.config !== index) continue;
        // Header lines as the planner gave them; fetch's Headers joins repeated lines.
        const headers = new Headers(r.headers);
        const res = await mf.dispatchFetch('https://api.parity.example/resource', { headers, cf: cfWith({}) });
        await res.arrayBuffer();
        const challenge = res.headers.get('www-authenticate');
        const status = res.status;
        verdicts[r.id] = status < 400
          ? { ok: true, code: null, error: null, oauth: null, detail: null }
          : {
              ok: false, code: null, error: null, detail: null,
              oauth: { status, error: /error="([^"]*)"/.exec(challenge ?? '')?.[1] ?? null, www_authenticate: challenge ?? undefined },
            };
      }
    } finally {
      await mf.dispose();
    }
  }
} finally {
  await origin.close();
}
for (const r of plan.requests) if (r.api === 'not_applicable') notApplicable[r.id] = r.reason;
writeFileSync(out, JSON.stringify({
  runtime: 'worker', fields: ['ok', 'oauth'], kinds: ['forwarded', 'token'], verdicts, not_applicable: notApplicable,
}));
console.log(`worker: ${Object.keys(verdicts).length} requests through workerd (${plan.configs.length} configurations), ${Object.keys(notApplicable).length} cases not expressible`);
