// Runs the corpus cases the page can express through the www page's public wasm API
// (Inspected.fromBundle / fromHeader + view(), verifyChain, matchRegistration, checkToken) in
// headless Chromium. verifyChain, matchRegistration and checkToken are async (WebCrypto).
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
    const text = (b64) => new TextDecoder().decode(bytes(b64));
    const refuse = (error) => ({ ok: false, code: null, error, oauth: null, detail: null });
    const accept = (detail) => ({ ok: true, code: null, error: null, oauth: null, detail });
    // RFC 9068 claims as core's ValidToken reads them (aud always a list).
    const tokenDetail = (h, c) => ({
      alg: h.alg, kid: h.kid ?? null, iss: c.iss,
      aud: Array.isArray(c.aud) ? c.aud : [c.aud],
      sub: c.sub ?? null, client_id: c.client_id ?? null, scope: c.scope ?? null,
      jti: c.jti ?? null, exp: c.exp, 'x5t#S256': c.cnf?.['x5t#S256'] ?? null,
    });
    for (const r of reqs) {
      let inspected;
      try {
        if (r.api === 'bundle' || r.api === 'header') {
          inspected = r.api === 'bundle'
            ? m.Inspected.fromBundle(bytes(r.bundle_b64))
            : m.Inspected.fromHeader(r.source, r.value, r.chain_value ?? undefined);
          const certs = inspected.view(r.time).certificates;
          out[r.id] = accept(r.api === 'bundle'
            ? certs.map((c) => ({ summary: c.summary, valid_at_time: c.validity.status === 'valid' }))
            : { present: true, leaf: certs[0].summary['x5t#S256'], chain: certs.slice(1).map((c) => c.summary['x5t#S256']) });
        } else if (r.api === 'chain') {
          inspected = m.Inspected.fromBundle(bytes(r.leaf_b64));
          const v = await m.verifyChain(inspected, new TextEncoder().encode(r.intermediates_pem),
            bytes(r.anchors_b64), r.purpose, r.time);
          out[r.id] = v.valid
            ? accept({ chain: v.path.map((l) => l['x5t#S256']), anchor_subject: v.path[v.path.length - 1].subject })
            : refuse(v.error);
        } else if (r.api === 'registration') {
          inspected = m.Inspected.fromBundle(new TextEncoder().encode(r.certs_pem));
          const v = await m.matchRegistration(inspected, r.registrations_json, r.client_id, bytes(r.anchors_b64), r.time);
          out[r.id] = v.authenticated
            ? accept({ client_id: v.client_id, method: v.method, 'x5t#S256': v['x5t#S256'], bound_tokens: v.bound_tokens })
            : refuse(v.error);
        } else if (r.api === 'token') {
          const v = await m.checkToken(r.token, r.jwks, r.issuer, r.audience, r.algorithms,
            r.allow_unbound, r.allow_untyped, r.presented_x5t ?? undefined, r.time,
            r.leeway_seconds ?? undefined, r.required_scopes);
          out[r.id] = v.valid ? accept(tokenDetail(v.header, v.claims)) : refuse(v.error);
        } else {
          out[r.id] = refuse(`page runner: unknown request ${r.api}`);
        }
      } catch (e) {
        out[r.id] = refuse(String(e?.message ?? e));
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
  kinds: ['client', 'forwarded', 'inspect', 'path', 'token'],
  verdicts: answers,
  not_applicable: notApplicable,
}));
console.log(`page: ${Object.keys(answers).length} cases through Chromium, ${Object.keys(notApplicable).length} not expressible`);
