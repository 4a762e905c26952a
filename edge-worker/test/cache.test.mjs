// The per-isolate token cache (core's TokenCache, TOKEN_CACHE_ENTRIES) in workerd: a repeated
// request is answered without a signature verification, and the cache never changes a verdict
// (another certificate, no certificate, another route's scopes, the token's expiry).
// test-workers/cache-entry.mjs wraps the built worker to count WebCrypto verifications and set the clock.
import assert from "node:assert/strict";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { Miniflare } from "miniflare";
import { cfVerified, cfWith, loadFixtures, startOrigin, workerDir } from "./harness.mjs";
import { CHALLENGE, baseVars, bearer } from "./common.mjs";

const f = loadFixtures();
const { alice, bob } = f.certs;
const exp = JSON.parse(Buffer.from(f.tokens.valid.split(".")[1], "base64url")).exp;
const LEEWAY = 60;

function countingWorker(bindings) {
  return new Miniflare({
    modules: true,
    modulesRoot: workerDir,
    scriptPath: join(workerDir, "test-workers/cache-entry.mjs"),
    modulesRules: [
      { type: "ESModule", include: ["**/*.js"] },
      { type: "CompiledWasm", include: ["**/*.wasm"] },
    ],
    compatibilityDate: "2025-09-01",
    bindings,
  });
}

const as = (cert, token, extra = {}) => ({
  headers: { "Cf-Client-Cert-Der-Base64": cert.der_b64, ...bearer(token), ...extra },
  cf: cfVerified(cert),
});

describe("token cache", () => {
  let origin;
  let mf;
  before(async () => {
    origin = await startOrigin();
    mf = countingWorker(baseVars(f, origin, { TOKEN_LEEWAY_SECONDS: String(LEEWAY) }));
  });
  after(async () => {
    await mf.dispose();
    await origin.close();
  });

  async function send(path, init) {
    const res = await mf.dispatchFetch(`https://api.certbound.test${path}`, init);
    await res.text();
    return { status: res.status, verifies: Number(res.headers.get("x-test-verifies")), www: res.headers.get("www-authenticate") };
  }

  it("a repeated request is answered from the cache, and forwarded as before", async () => {
    origin.reset();
    assert.deepEqual(await send("/items", as(alice, f.tokens.valid)), { status: 200, verifies: 1, www: null });
    assert.deepEqual(await send("/items", as(alice, f.tokens.valid)), { status: 200, verifies: 0, www: null });
    assert.equal(origin.requests.length, 2);
    for (const r of origin.requests) {
      assert.equal(r.headers["x-client-cert-thumbprint"], alice.x5t);
      assert.equal(r.headers["x-client-id"], "client-alice");
    }
  });

  it("the cached token is refused with another certificate or none", async () => {
    await send("/items", as(alice, f.tokens.valid));
    origin.reset();
    const other = await send("/items", as(bob, f.tokens.valid));
    assert.deepEqual([other.status, other.www], [401, CHALLENGE.otherCert]);
    const none = await send("/items", { headers: bearer(f.tokens.valid), cf: cfWith({}) });
    assert.deepEqual([none.status, none.www], [401, CHALLENGE.certRequired]);
    assert.equal(origin.requests.length, 0);
  });

  it("a token bound to another certificate is refused every time", async () => {
    for (let i = 0; i < 2; i++) {
      const r = await send("/items", as(alice, f.tokens.bob));
      assert.deepEqual([r.status, r.www], [401, CHALLENGE.otherCert]);
    }
  });

  it("another route's scopes are checked, not the cached verdict", async () => {
    await send("/items", as(alice, f.tokens.valid));
    const r = await send("/admin/users", as(alice, f.tokens.valid));
    assert.deepEqual([r.status, r.www], [403, CHALLENGE.adminScope]);
  });

  it("a cached token is served until exp + leeway, and refused as expired from then on", async () => {
    await send("/items", as(alice, f.tokens.valid));
    const last = await send("/items", as(alice, f.tokens.valid, { "x-test-now": String(exp + LEEWAY - 1) }));
    assert.deepEqual(last, { status: 200, verifies: 0, www: null });
    origin.reset();
    const expired = await send("/items", as(alice, f.tokens.valid, { "x-test-now": String(exp + LEEWAY) }));
    assert.deepEqual([expired.status, expired.www], [401, CHALLENGE.expired]);
    assert.equal(origin.requests.length, 0);
  });

  it("an expired token is refused every time", async () => {
    for (let i = 0; i < 2; i++) {
      const r = await send("/items", as(alice, f.tokens.expired));
      assert.deepEqual([r.status, r.www], [401, CHALLENGE.expired]);
    }
  });

  it("a signature that fails is checked again on every request", async () => {
    for (let i = 0; i < 2; i++) {
      const r = await send("/items", as(alice, f.tokens.foreign_key_same_kid));
      assert.deepEqual([r.status, r.www, r.verifies], [401, CHALLENGE.badSignature, 1]);
    }
  });
});

describe("token cache off (TOKEN_CACHE_ENTRIES=0)", () => {
  it("verifies the signature on every request", async () => {
    const origin = await startOrigin();
    const mf = countingWorker(baseVars(f, origin, { TOKEN_CACHE_ENTRIES: "0" }));
    try {
      for (let i = 0; i < 3; i++) {
        const res = await mf.dispatchFetch("https://api.certbound.test/items", as(alice, f.tokens.valid));
        assert.equal(res.status, 200, await res.text());
        assert.equal(res.headers.get("x-test-verifies"), "1");
      }
    } finally {
      await mf.dispose();
      await origin.close();
    }
  });
});
