// JWKS_URI: in-isolate caching, refresh on an unknown kid with a minimum interval (a flood of
// random kids does not amplify into fetches), and fail-closed 503 on fetch failure or a
// malformed set.
import assert from "node:assert/strict";
import { setTimeout as sleep } from "node:timers/promises";
import { after, before, beforeEach, describe, it } from "node:test";
import { cfVerified, loadFixtures, rustWorker, startOrigin } from "./harness.mjs";
import { CHALLENGE, baseVars, bearer } from "./common.mjs";

const f = loadFixtures();
const alice = f.certs.alice;
const init = (token) => ({
  headers: { ...bearer(token), "Cf-Client-Cert-Der-Base64": alice.der_b64 },
  cf: cfVerified(alice),
});

let origin;
before(async () => {
  origin = await startOrigin();
});
after(() => origin.close());

function remoteVars(extra = {}) {
  const vars = baseVars(f, origin, {
    JWKS_URI: `${origin.url}/jwks.json`,
    // Long enough that the flood below finishes inside one interval on a loaded machine.
    JWKS_MIN_REFRESH_SECONDS: "3",
    ...extra,
  });
  delete vars.JWKS_JSON;
  return vars;
}

describe("JWKS_URI caching and rotation", () => {
  let mf;
  before(() => {
    origin.jwks = f.jwks;
    mf = rustWorker(remoteVars());
  });
  after(() => mf.dispose());

  it("fetches once and caches; concurrent cold requests share one fetch", async () => {
    origin.reset();
    const results = await Promise.all(
      Array.from({ length: 8 }, () => mf.dispatchFetch("https://api.certbound.test/a", init(f.tokens.valid))),
    );
    for (const r of results) assert.equal(r.status, 200);
    const again = await mf.dispatchFetch("https://api.certbound.test/b", init(f.tokens.valid));
    assert.equal(again.status, 200);
    assert.equal(origin.jwksFetches, 1);
  });

  it("an unknown kid refetches at most once per JWKS_MIN_REFRESH_SECONDS, then finds a rotated key", async () => {
    await sleep(3100);
    origin.reset();
    origin.jwks = f.jwks_rotated;
    // A flood of tokens with a kid the cached set lacks.
    const flood = await Promise.all(
      Array.from({ length: 20 }, () => mf.dispatchFetch("https://api.certbound.test/c", init(f.tokens.unknown_kid))),
    );
    for (const r of flood) {
      assert.equal(r.status, 401);
      assert.equal(r.headers.get("www-authenticate"), CHALLENGE.untrustedKey);
    }
    assert.equal(origin.jwksFetches, 1, "the flood caused exactly one refetch");
    // The refetch brought the rotated key: its token now validates without another fetch.
    const rotated = await mf.dispatchFetch("https://api.certbound.test/d", init(f.tokens.rotated));
    assert.equal(rotated.status, 200);
    assert.equal(origin.jwksFetches, 1);
    // More unknown kids right away: no fetch at all.
    for (let i = 0; i < 5; i++) {
      const r = await mf.dispatchFetch("https://api.certbound.test/e", init(f.tokens.unknown_kid));
      assert.equal(r.status, 401);
    }
    assert.equal(origin.jwksFetches, 1);
  });
});

describe("JWKS_URI failures fail closed with 503", () => {
  let mf;
  beforeEach(() => {
    origin.reset();
  });
  after(() => mf?.dispose());

  it("fetch failure → 503, no retry before JWKS_MIN_REFRESH_SECONDS", async () => {
    origin.jwks = null; // the JWKS endpoint answers 500
    mf = rustWorker(remoteVars({ JWKS_MIN_REFRESH_SECONDS: "60" }));
    const first = await mf.dispatchFetch("https://api.certbound.test/a", init(f.tokens.valid));
    assert.equal(first.status, 503);
    assert.equal(first.headers.get("retry-after"), "30");
    const second = await mf.dispatchFetch("https://api.certbound.test/a", init(f.tokens.valid));
    assert.equal(second.status, 503);
    assert.equal(origin.jwksFetches, 1);
    assert.equal(origin.requests.length, 0);
    await mf.dispose();
    mf = undefined;
  });

  it("unreachable JWKS host → 503", async () => {
    const vars = remoteVars({ JWKS_URI: "http://127.0.0.1:9/jwks.json" });
    mf = rustWorker(vars);
    const res = await mf.dispatchFetch("https://api.certbound.test/a", init(f.tokens.valid));
    assert.equal(res.status, 503);
    assert.equal(origin.requests.length, 0);
    await mf.dispose();
    mf = undefined;
  });

  for (const [name, body] of [
    ["not JSON", "{not json"],
    ["no keys array", JSON.stringify({ kees: [] })],
    ["empty key set", JSON.stringify({ keys: [] })],
    ["a malformed EC key", JSON.stringify({ keys: [{ kty: "EC", crv: "P-256", x: "AAAA", y: "BBBB" }] })],
  ]) {
    it(`malformed JWKS (${name}) → 503`, async () => {
      origin.jwks = body;
      mf = rustWorker(remoteVars());
      const res = await mf.dispatchFetch("https://api.certbound.test/a", init(f.tokens.valid));
      assert.equal(res.status, 503);
      assert.equal(origin.jwksFetches, 1);
      assert.equal(origin.requests.length, 0);
      await mf.dispose();
      mf = undefined;
    });
  }
});
