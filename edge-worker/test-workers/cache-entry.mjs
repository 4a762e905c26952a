// Test-only entry module around the built worker, for test/cache.test.mjs (never deployed):
// counts the WebCrypto signature verifications each request makes and lets a request set the
// worker's clock (`x-test-now`, UNIX seconds), so a test can see whether a request was answered
// from the token cache and what happens at a token's expiry. Reports the count in
// `x-test-verifies` on the response.
import { WorkerEntrypoint } from "cloudflare:workers";
import Worker from "../build/index.js";

let verifies = 0;
const subtle = crypto.subtle;
const verify = subtle.verify.bind(subtle);
subtle.verify = (...args) => {
  verifies += 1;
  return verify(...args);
};
const realNow = Date.now;

// worker-build exports a WorkerEntrypoint class: this entry is one too, delegating to it.
export default class extends WorkerEntrypoint {
  async fetch(request) {
    const at = request.headers.get("x-test-now");
    if (at !== null) Date.now = () => Number(at) * 1000;
    const before = verifies;
    try {
      const response = await new Worker(this.ctx, this.env).fetch(request);
      const out = new Response(response.body, response);
      out.headers.set("x-test-verifies", String(verifies - before));
      return out;
    } finally {
      Date.now = realNow;
    }
  }
}
