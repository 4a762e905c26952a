// Optional knobs: DANGER_ALLOW_UNBOUND_TOKENS (bound tokens still checked), AUTH_REALM, and
// pass-through without ORIGIN_URL.
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { cfVerified, cfWith, loadFixtures, rustWorker, startOrigin } from "./harness.mjs";
import { CHALLENGE, baseVars, bearer } from "./common.mjs";

const f = loadFixtures();
const alice = f.certs.alice;

let origin;
before(async () => {
  origin = await startOrigin();
});
after(() => origin.close());

describe("DANGER_ALLOW_UNBOUND_TOKENS=true", () => {
  let mf;
  before(() => {
    mf = rustWorker(baseVars(f, origin, { DANGER_ALLOW_UNBOUND_TOKENS: "true" }));
  });
  after(() => mf.dispose());

  it("accepts an unbound token without a certificate; no thumbprint header reaches the origin", async () => {
    origin.reset();
    const res = await mf.dispatchFetch("https://api.certbound.test/items", {
      headers: { ...bearer(f.tokens.unbound), "X-Client-Cert-Thumbprint": "spoofed" },
      cf: cfWith({}),
    });
    assert.equal(res.status, 200);
    assert.equal(origin.requests.length, 1);
    assert.equal(origin.requests[0].headers["x-client-cert-thumbprint"], undefined);
    assert.equal(origin.requests[0].headers["x-client-id"], "client-alice");
  });

  it("still checks a bound token against the presented certificate", async () => {
    origin.reset();
    const res = await mf.dispatchFetch("https://api.certbound.test/items", {
      headers: { ...bearer(f.tokens.bob), "Cf-Client-Cert-Der-Base64": alice.der_b64 },
      cf: cfVerified(alice),
    });
    assert.equal(res.status, 401);
    assert.equal(res.headers.get("www-authenticate"), CHALLENGE.otherCert);
    assert.equal(origin.requests.length, 0);
  });

  it("still requires the certificate a bound token names", async () => {
    origin.reset();
    const res = await mf.dispatchFetch("https://api.certbound.test/items", {
      headers: bearer(f.tokens.valid),
      cf: cfWith({}),
    });
    assert.equal(res.status, 401);
    assert.equal(res.headers.get("www-authenticate"), CHALLENGE.certRequired);
  });
});

describe("AUTH_REALM", () => {
  let mf;
  before(() => {
    mf = rustWorker(baseVars(f, origin, { AUTH_REALM: 'api "v1"' }));
  });
  after(() => mf.dispose());

  it("is the challenge's realm, quoted-string escaped", async () => {
    const res = await mf.dispatchFetch("https://api.certbound.test/items", { cf: cfVerified(alice) });
    assert.equal(res.status, 401);
    assert.equal(res.headers.get("www-authenticate"), 'Bearer realm="api \\"v1\\""');
    const expired = await mf.dispatchFetch("https://api.certbound.test/items", {
      headers: { ...bearer(f.tokens.expired), "Cf-Client-Cert-Der-Base64": alice.der_b64 },
      cf: cfVerified(alice),
    });
    assert.equal(
      expired.headers.get("www-authenticate"),
      'Bearer realm="api \\"v1\\"", error="invalid_token", error_description="The access token expired"',
    );
  });
});

describe("no ORIGIN_URL: pass-through to the request's own URL", () => {
  let mf;
  before(() => {
    const vars = baseVars(f, origin);
    delete vars.ORIGIN_URL;
    mf = rustWorker(vars);
  });
  after(() => mf.dispose());

  it("forwards to the URL the client asked for", async () => {
    origin.reset();
    const res = await mf.dispatchFetch(`${origin.url}/direct?q=1`, {
      headers: { ...bearer(f.tokens.valid), "Cf-Client-Cert-Der-Base64": alice.der_b64 },
      cf: cfVerified(alice),
    });
    assert.equal(res.status, 200);
    assert.equal(origin.requests.length, 1);
    assert.equal(origin.requests[0].url, "/direct?q=1");
    assert.equal(origin.requests[0].headers["x-client-cert-thumbprint"], alice.x5t);
  });
});
