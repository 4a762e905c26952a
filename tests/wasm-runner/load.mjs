// Loads the parity corpus for the node-side runners: the cases (tests/corpus/cases/*.json in
// file-name order) and every file they name, as the JSON strings the wasm entry points take.
import { readFileSync, readdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const corpus = join(here, '..', 'corpus');
const shared = join(here, '..', '..', '..', 'shared', 'conformance');

/** The wasm-bindgen (nodejs) module of certbound-parity-wasm in `pkgDir`. */
export function loadWasm(pkgDir) {
  return createRequire(import.meta.url)(resolve(pkgDir, 'certbound_parity_wasm.js'));
}

/** `{cases, casesJson, filesJson}`; `wasm` lists the files the cases refer to. */
export function loadCorpus(wasm) {
  const names = readdirSync(join(corpus, 'cases')).filter((f) => f.endsWith('.json')).sort();
  const cases = names.flatMap((f) => JSON.parse(readFileSync(join(corpus, 'cases', f), 'utf8')));
  const casesJson = JSON.stringify(cases);
  const files = {};
  // Every corpus PKI file (the server runner also needs the private keys), and whatever else
  // the cases name.
  const pki = readdirSync(join(corpus, 'pki')).map((f) => `pki/${f}`);
  for (const name of new Set([...pki, ...wasm.fileRefs(casesJson)])) {
    const path = name.startsWith('shared:') ? join(shared, name.slice('shared:'.length)) : join(corpus, name);
    files[name] = readFileSync(path).toString('base64');
  }
  return { cases, casesJson, filesJson: JSON.stringify(files) };
}
