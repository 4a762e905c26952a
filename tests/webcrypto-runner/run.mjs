// Wycheproof through certbound's WebCrypto provider in node (OpenSSL's WebCrypto) and in workerd
// (Miniflare), then compared: WebCrypto with RustCrypto in the same runtime (the wasm module
// runs both), and the runtimes with each other. Every vector, `acceptable` ones included, must
// get the same verdict everywhere, and no `valid` vector may be refused nor `invalid` accepted.
// Vectors, verdicts and counts come from the wasm module (certbound_webcrypto_runner::run); this
// file only hosts it and compares.
// Usage: node tests/webcrypto-runner/run.mjs <wasm-bindgen --target web pkg dir> <out dir>
// Needs edge-worker/node_modules (miniflare).
import { copyFileSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
// Miniflare as pinned in edge-worker/package.json (installed by edge-worker/toolchain.sh).
const { Miniflare } = await import(
  pathToFileURL(createRequire(join(here, '../../edge-worker/package.json')).resolve('miniflare')).href
);
const [pkgArg, outArg] = process.argv.slice(2);
if (!pkgArg || !outArg) {
  console.error('usage: node run.mjs <pkg dir> <out dir>');
  process.exit(2);
}
const pkgDir = resolve(pkgArg);
const outDir = resolve(outArg);

// wasm-bindgen --target web writes ES modules with a .js suffix: say so to node.
writeFileSync(join(pkgDir, 'package.json'), '{"type":"module"}\n');

async function inNode() {
  const glue = await import(join(pkgDir, 'certbound_webcrypto_runner.js'));
  glue.initSync({ module: readFileSync(join(pkgDir, 'certbound_webcrypto_runner_bg.wasm')) });
  return glue.run('node');
}

async function inWorkerd() {
  copyFileSync(join(here, 'worker.mjs'), join(pkgDir, 'worker.mjs'));
  const mf = new Miniflare({
    modules: true,
    scriptPath: join(pkgDir, 'worker.mjs'),
    modulesRules: [
      { type: 'ESModule', include: ['**/*.js', '**/*.mjs'] },
      { type: 'CompiledWasm', include: ['**/*.wasm'] },
    ],
    compatibilityDate: '2025-09-01',
  });
  try {
    const res = await mf.dispatchFetch('http://runner.test/');
    const body = await res.text();
    if (res.status !== 200) throw new Error(`workerd answered ${res.status}: ${body.slice(0, 500)}`);
    return body;
  } finally {
    await mf.dispose();
  }
}

const failures = [];
const reports = {};
for (const [runtime, go] of [['node', inNode], ['workerd', inWorkerd]]) {
  const started = process.hrtime.bigint();
  let json;
  try {
    json = await go();
  } catch (e) {
    failures.push(`${runtime}: the runner did not complete: ${e?.stack ?? e}`);
    continue;
  }
  const ms = Number(process.hrtime.bigint() - started) / 1e6;
  writeFileSync(join(outDir, `${runtime}.json`), json);
  const report = JSON.parse(json);
  reports[runtime] = report;
  const summary = (s) =>
    `${s.valid_ok} valid accepted, ${s.invalid_ok} invalid rejected, acceptable ${s.acceptable_accepted} accepted / ${s.acceptable_rejected} rejected, ${s.wrong.length} wrong`;
  for (const f of report.families) {
    console.log(`Wycheproof ${f.family} [WebCrypto in ${runtime}]: ${summary(f.webcrypto)}`);
    console.log(`Wycheproof ${f.family} [RustCrypto in ${runtime}]: ${summary(f.rustcrypto)}`);
    if (f.webcrypto.valid_ok === 0 || f.webcrypto.invalid_ok === 0) failures.push(`${runtime} ${f.family}: no vectors ran`);
    for (const w of f.webcrypto.wrong) failures.push(`${runtime} WRONG [WebCrypto] ${w}`);
    for (const w of f.rustcrypto.wrong) failures.push(`${runtime} WRONG [RustCrypto] ${w}`);
    for (const d of f.differences) failures.push(`${runtime} ${f.family} ${d}`);
    const acc = f.acceptable.map(([id, web, rust]) => `${id} web=${web} rust=${rust}`);
    if (acc.length) console.log(`  acceptable (WebCrypto / RustCrypto accepted): ${acc.join('; ')}`);
  }
  console.log(`webcrypto runner: ${runtime} done in ${ms.toFixed(0)} ms`);
}

// The runtimes against each other, vector by vector.
if (reports.node && reports.workerd) {
  const verdicts = (r) => new Map(r.families.flatMap((f) => f.webcrypto.verdicts));
  const node = verdicts(reports.node);
  const workerd = verdicts(reports.workerd);
  let compared = 0;
  for (const [id, a] of node) {
    if (!workerd.has(id)) failures.push(`${id}: not run in workerd`);
    else if (workerd.get(id) !== a) failures.push(`${id}: node accepted=${a}, workerd accepted=${workerd.get(id)}`);
    else compared += 1;
  }
  console.log(`webcrypto runner: node and workerd agree on ${compared} of ${node.size} vectors`);
}

if (failures.length) {
  console.error(`${failures.length} failures:`);
  for (const f of failures) console.error(`  ${f}`);
  process.exit(1);
}
console.log('webcrypto runner: 0 wrong, 0 differences');
