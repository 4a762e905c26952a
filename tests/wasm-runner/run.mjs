// Runs the parity corpus through core compiled to wasm, under node.
// Usage: node tests/wasm-runner/run.mjs <wasm-bindgen nodejs pkg dir> <out.json>
// Only loading is done here: case evaluation is certbound_tests::parity, in the wasm module.
import { writeFileSync } from 'node:fs';
import { loadCorpus, loadWasm } from './load.mjs';

const [pkgDir, out] = process.argv.slice(2);
if (!pkgDir || !out) {
  console.error('usage: node run.mjs <pkg dir> <out.json>');
  process.exit(2);
}
const wasm = loadWasm(pkgDir);
const { cases, casesJson, filesJson } = loadCorpus(wasm);
const started = process.hrtime.bigint();
const report = wasm.run('wasm-node', casesJson, filesJson);
const ms = Number(process.hrtime.bigint() - started) / 1e6;
writeFileSync(out, report);
console.log(`wasm-node: ${cases.length} cases evaluated in ${ms.toFixed(0)} ms`);
