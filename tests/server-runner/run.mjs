// Runs the corpus's client-authentication cases against a real `certbound serve` over mutual
// TLS: one `POST /oauth2/token` (client_credentials) per case with curl and the case's client
// certificate and key. Which cases apply, the server configuration and each request are decided
// in Rust (certbound_tests::parity::adapters::server_plan); this file starts the server, sends
// the requests and records status and OAuth error code.
// Usage: node tests/server-runner/run.mjs <wasm-node pkg dir> <certbound binary> <out.json>
import { spawn, execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadCorpus, loadWasm } from '../wasm-runner/load.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const [pkgDir, bin, out] = process.argv.slice(2);
if (!pkgDir || !bin || !out) {
  console.error('usage: node run.mjs <wasm-node pkg dir> <certbound binary> <out.json>');
  process.exit(2);
}
const wasm = loadWasm(pkgDir);
const { casesJson, filesJson } = loadCorpus(wasm);
const work = mkdtempSync(join(tmpdir(), 'certbound-parity-server-'));
const dirs = {
  corpus: resolve(here, '..', 'corpus'),
  shared: resolve(here, '..', '..', '..', 'shared', 'conformance'),
  state: join(work, 'state'),
};
const plan = JSON.parse(wasm.serverPlan(casesJson, filesJson, JSON.stringify(dirs), Math.floor(Date.now() / 1000)));
const config = join(work, 'certbound.toml');
writeFileSync(config, plan.config_toml);

const server = spawn(resolve(bin), ['serve', '--config', config], { stdio: ['ignore', 'pipe', 'pipe'] });
let stderr = '';
server.stderr.on('data', (d) => { stderr += d; });
const port = await new Promise((ok, fail) => {
  let stdout = '';
  const timer = setTimeout(() => fail(new Error(`server did not start:\n${stdout}\n${stderr}`)), 15000);
  server.stdout.on('data', (d) => {
    stdout += d;
    const m = /^listening on https:\/\/[^\s]*:(\d+) /m.exec(stdout);
    if (m) { clearTimeout(timer); ok(Number(m[1])); }
  });
  server.on('exit', (code) => { clearTimeout(timer); fail(new Error(`server exited ${code}:\n${stderr}`)); });
});

const verdicts = {};
const notApplicable = {};
try {
  for (const r of plan.requests) {
    if (r.api === 'not_applicable') { notApplicable[r.id] = r.reason; continue; }
    const args = ['-s', '-o', '-', '-w', '\n%{http_code}', '--cacert', join(dirs.corpus, 'pki', 'root.pem'),
      '-d', 'grant_type=client_credentials', '--data-urlencode', `client_id=${r.client_id}`];
    if (r.cert_pem) {
      writeFileSync(join(work, 'cert.pem'), r.cert_pem);
      writeFileSync(join(work, 'key.pem'), r.key_pem);
      args.push('--cert', join(work, 'cert.pem'), '--key', join(work, 'key.pem'));
    }
    args.push(`https://localhost:${port}/oauth2/token`);
    const text = execFileSync('curl', args, { encoding: 'utf8' });
    const cut = text.lastIndexOf('\n');
    const status = Number(text.slice(cut + 1));
    let body = {};
    try { body = JSON.parse(text.slice(0, cut)); } catch { body = {}; }
    verdicts[r.id] = status === 200
      ? { ok: true, code: null, error: null, oauth: null, detail: null }
      : { ok: false, code: null, error: null, oauth: { status, error: body.error ?? null }, detail: null };
  }
} finally {
  server.kill('SIGTERM');
  rmSync(work, { recursive: true, force: true });
}
writeFileSync(out, JSON.stringify({
  runtime: 'server', fields: ['ok', 'oauth'], kinds: ['client'], verdicts, not_applicable: notApplicable,
}));
console.log(`server: ${Object.keys(verdicts).length} token-endpoint requests over mTLS, ${Object.keys(notApplicable).length} cases not expressible`);
