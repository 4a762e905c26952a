// The Miniflare (workerd) side of tests/webcrypto-runner/run.mjs: a modules worker that
// instantiates the runner's wasm (wasm-bindgen --target web) and answers every request with the
// Wycheproof report of certbound_webcrypto_runner::run. run.mjs copies it beside the package.
import wasm from './certbound_webcrypto_runner_bg.wasm';
import { initSync, run } from './certbound_webcrypto_runner.js';

initSync({ module: wasm });

export default {
  async fetch() {
    return new Response(await run('workerd'), { headers: { 'content-type': 'application/json' } });
  },
};
