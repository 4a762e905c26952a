// Runs corpus cases against real `certbound serve` processes with curl:
// - runtime `server`: client-authentication cases as `POST /oauth2/token` (client_credentials)
//   over mutual TLS with the case's client certificate and key; token and refused forwarded
//   cases as requests to the protected resource (`GET /api/whoami`) of a server configured with
//   `[resource]` (the worker's settings for the case) and `[proxy]` trusting loopback, the
//   certificate forwarded in headers exactly as the worker gets it;
// - runtime `server-mtls`: the token cases again, over real mutual TLS with the presented
//   certificate and its corpus key, to a server without `[proxy]`.
// Which cases apply, the configurations and each request are decided in Rust
// (certbound_tests::parity::adapters::server_plan); this file starts one server per
// configuration, sends the requests and records status, OAuth error and WWW-Authenticate.
// Usage: node tests/server-runner/run.mjs <wasm-node pkg dir> <certbound binary> <server.json> <server-mtls.json>
import { spawn, execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadCorpus, loadWasm } from '../wasm-runner/load.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const [pkgDir, bin, out, outMtls] = process.argv.slice(2);
if (!pkgDir || !bin || !out || !outMtls) {
  console.error('usage: node run.mjs <wasm-node pkg dir> <certbound binary> <server.json> <server-mtls.json>');
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
const cacert = join(dirs.corpus, 'pki', 'root.pem');

// Starts `certbound serve` with `toml`; resolves to { port, stop }.
async function startServer(toml, name) {
  const config = join(work, `${name}.toml`);
  writeFileSync(config, toml);
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
    server.on('exit', (code) => { clearTimeout(timer); fail(new Error(`server ${name} exited ${code}:\n${stderr}`)); });
  });
  return {
    port,
    stop: () => new Promise((ok) => {
      server.removeAllListeners('exit');
      server.on('exit', () => ok());
      server.kill('SIGTERM');
    }),
  };
}

// curl arguments for a client certificate and key, written to files.
function certArgs(certPem, keyPem) {
  if (!certPem) return [];
  writeFileSync(join(work, 'cert.pem'), certPem);
  writeFileSync(join(work, 'key.pem'), keyPem);
  return ['--cert', join(work, 'cert.pem'), '--key', join(work, 'key.pem')];
}

// One request with curl; returns { status, headers (lower-cased name → last value), body }.
function curl(args, url) {
  const headerFile = join(work, 'headers.txt');
  const body = execFileSync('curl', ['-s', '-o', '-', '-D', headerFile, '--cacert', cacert, ...args, url],
    { encoding: 'utf8', maxBuffer: 1 << 20 });
  // The last response's head (curl writes one per response).
  const heads = readFileSync(headerFile, 'utf8').split(/\r?\n\r?\n/).filter((h) => h.trim());
  const lines = (heads.at(-1) ?? '').split(/\r?\n/);
  const status = Number(/^HTTP\/[\d.]+ (\d{3})/.exec(lines[0] ?? '')?.[1] ?? 0);
  const headers = {};
  for (const line of lines.slice(1)) {
    const i = line.indexOf(':');
    if (i > 0) headers[line.slice(0, i).trim().toLowerCase()] = line.slice(i + 1).trim();
  }
  return { status, headers, body };
}

// Header lines as curl arguments: `Name: value`, or `Name;` for an empty value.
function headerArgs(headers) {
  return headers.flatMap(([name, value]) => ['-H', value === '' ? `${name};` : `${name}: ${value}`]);
}

function resourceVerdict({ status, headers }) {
  if (status === 0) throw new Error('no HTTP response');
  if (status < 400) return { ok: true, code: null, error: null, oauth: null, detail: null };
  const challenge = headers['www-authenticate'];
  return {
    ok: false, code: null, error: null, detail: null,
    oauth: { status, error: /error="([^"]*)"/.exec(challenge ?? '')?.[1] ?? null, www_authenticate: challenge ?? undefined },
  };
}

const verdicts = {};
const mtlsVerdicts = {};
const notApplicable = {};
const mtlsNotApplicable = {};
let servers = 0;
try {
  // The token endpoint.
  const as = await startServer(plan.config_toml, 'token-endpoint');
  servers += 1;
  try {
    for (const r of plan.requests) {
      if (r.api !== 'token_endpoint') continue;
      const args = ['-d', 'grant_type=client_credentials', '--data-urlencode', `client_id=${r.client_id}`,
        ...certArgs(r.cert_pem, r.key_pem)];
      const { status, body } = curl(args, `https://localhost:${as.port}/oauth2/token`);
      if (status === 0) throw new Error(`${r.id}: no HTTP response`);
      let json = {};
      try { json = JSON.parse(body); } catch { json = {}; }
      verdicts[r.id] = status === 200
        ? { ok: true, code: null, error: null, oauth: null, detail: null }
        : { ok: false, code: null, error: null, oauth: { status, error: json.error ?? null }, detail: null };
    }
  } finally {
    await as.stop();
  }
  // The protected resource, one server per configuration.
  for (const [index, toml] of plan.resource_configs.entries()) {
    const rs = await startServer(toml, `resource-${index}`);
    servers += 1;
    try {
      const url = `https://localhost:${rs.port}/api/whoami`;
      for (const r of plan.requests) {
        if (r.api !== 'resource' || r.config !== index) continue;
        verdicts[r.id] = resourceVerdict(curl(headerArgs(r.headers), url));
      }
      for (const r of plan.mtls_requests) {
        if (r.api !== 'resource_tls' || r.config !== index) continue;
        mtlsVerdicts[r.id] = resourceVerdict(curl([...headerArgs(r.headers), ...certArgs(r.cert_pem, r.key_pem)], url));
      }
    } finally {
      await rs.stop();
    }
  }
} finally {
  rmSync(work, { recursive: true, force: true });
}
for (const r of plan.requests) if (r.api === 'not_applicable') notApplicable[r.id] = r.reason;
for (const r of plan.mtls_requests) if (r.api === 'not_applicable') mtlsNotApplicable[r.id] = r.reason;
writeFileSync(out, JSON.stringify({
  runtime: 'server', fields: ['ok', 'oauth'], kinds: ['client', 'forwarded', 'token'], verdicts, not_applicable: notApplicable,
}));
writeFileSync(outMtls, JSON.stringify({
  runtime: 'server-mtls', fields: ['ok', 'oauth'], kinds: ['token'], verdicts: mtlsVerdicts, not_applicable: mtlsNotApplicable,
}));
const count = (api) => plan.requests.filter((r) => r.api === api).length;
console.log(`server: ${count('token_endpoint')} token-endpoint requests over mTLS, ${count('resource')} protected-resource requests `
  + `(certificate forwarded by a trusted proxy), ${Object.keys(notApplicable).length} cases not expressible; `
  + `server-mtls: ${Object.keys(mtlsVerdicts).length} protected-resource requests over mTLS, `
  + `${Object.keys(mtlsNotApplicable).length} not expressible; ${servers} servers (${plan.resource_configs.length} resource configurations)`);
