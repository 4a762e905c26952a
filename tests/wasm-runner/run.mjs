// Runs the parity corpus through core compiled to wasm, under node.
// Usage: node tests/wasm-runner/run.mjs <wasm-bindgen nodejs pkg dir> <out.json>
// Only loading is done here: case evaluation is certbound_tests::parity, in the wasm module.
import { readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const corpus = join(here, '..', 'corpus');
const shared = join(here, '..', '..', '..', 'shared', 'conformance');
const [pkgDir, out] = process.argv.slice(2);
if (!pkgDir || !out) {
  console.error('usage: node run.mjs <pkg dir> <out.json>');
  process.exit(2);
}
const wasm = createRequire(import.meta.url)(resolve(pkgDir, 'certbound_parity_wasm.js'));

const caseFiles = readdirSync(join(corpus, 'cases')).filter((f) => f.endsWith('.json')).sort();
const cases = caseFiles.flatMap((f) => JSON.parse(readFileSync(join(corpus, 'cases', f), 'utf8')));
const casesJson = JSON.stringify(cases);
const files = {};
for (const name of wasm.fileRefs(casesJson)) {
  const path = name.startsWith('shared:') ? join(shared, name.slice('shared:'.length)) : join(corpus, name);
  files[name] = readFileSync(path).toString('base64');
}
const started = process.hrtime.bigint();
const report = wasm.run('wasm-node', casesJson, JSON.stringify(files));
const ms = Number(process.hrtime.bigint() - started) / 1e6;
writeFileSync(out, report);
console.log(`wasm-node: ${cases.length} cases evaluated in ${ms.toFixed(0)} ms`);
