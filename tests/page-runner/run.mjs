// Runs the corpus cases the page can express through the www page's public wasm API
// (Inspected.fromBundle / Inspected.fromHeader, then view()) in headless Chromium.
// Usage: node tests/page-runner/run.mjs <wasm-node pkg dir> <out.json>
// Needs www/dist (www/build.sh) and www/node_modules (www/setup.sh). Which cases apply and with
// what input is decided in Rust (certbound_tests::parity::adapters::page_requests); this file
// only calls the page and records what it answered.
import { writeFileSync } from 'node:fs';
import { loadCorpus, loadWasm } from '../wasm-runner/load.mjs';
import { launch, openPage, serveDist } from '../../www/test/harness.mjs';

const [pkgDir, out] = process.argv.slice(2);
if (!pkgDir || !out) {
  console.error('usage: node run.mjs <wasm-node pkg dir> <out.json>');
  process.exit(2);
}
const wasm = loadWasm(pkgDir);
const { casesJson, filesJson } = loadCorpus(wasm);
const requests = JSON.parse(wasm.pageRequests(casesJson, filesJson));
const applicable = requests.filter((r) => r.api !== 'not_applicable');

const server = await serveDist();
const browser = await launch();
let answers;
try {
  const { page, problems } = await openPage(browser.context, server.origin);
  answers = await page.evaluate(async (reqs) => {
    const m = await import('/pkg/certbound_www.js');
    await m.default();
    const bytes = (b64) => Uint8Array.from(atob(b64), (c) => c.charCodeAt(0));
    const out = {};
    for (const r of reqs) {
      let inspected;
      try {
        inspected = r.api === 'bundle'
          ? m.Inspected.fromBundle(bytes(r.bundle_b64))
          : m.Inspected.fromHeader(r.source, r.value, r.chain_value ?? undefined);
        const certs = inspected.view(r.time).certificates;
        const detail = r.api === 'bundle'
          ? certs.map((c) => ({ summary: c.summary, valid_at_time: c.validity.status === 'valid' }))
          : { present: true, leaf: certs[0].summary['x5t#S256'], chain: certs.slice(1).map((c) => c.summary['x5t#S256']) };
        out[r.id] = { ok: true, code: null, error: null, oauth: null, detail };
      } catch (e) {
        out[r.id] = { ok: false, code: null, error: String(e?.message ?? e), oauth: null, detail: null };
      } finally {
        inspected?.free();
      }
    }
    return out;
  }, applicable);
  if (problems.length) console.error(`page reported problems: ${problems.join('; ')}`);
} finally {
  await browser.close();
  await server.close();
}

const notApplicable = Object.fromEntries(
  requests.filter((r) => r.api === 'not_applicable').map((r) => [r.id, r.reason]),
);
writeFileSync(out, JSON.stringify({
  runtime: 'page',
  fields: ['ok', 'error', 'detail'],
  kinds: ['forwarded', 'inspect'],
  verdicts: answers,
  not_applicable: notApplicable,
}));
console.log(`page: ${Object.keys(answers).length} cases through Chromium, ${Object.keys(notApplicable).length} not expressible`);
