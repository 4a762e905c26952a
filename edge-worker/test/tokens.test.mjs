// The token attack matrix through the worker in workerd: each case's status and exact
// WWW-Authenticate, and that the origin is never contacted. Signatures are verified with WebCrypto.
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { cfVerified, cfWith, loadFixtures, rustWorker, startOrigin } from "./harness.mjs";
import { CHALLENGE, baseVars, bearer } from "./common.mjs";

const f = loadFixtures();
const alice = f.certs.alice;
const withCert = (extra = {}) => ({
  headers: { "Cf-Client-Cert-Der-Base64": alice.der_b64, ...extra },
  cf: cfVerified(alice),
});

describe(`token matrix`, () => {
  let origin;
  let mf;
  before(async () => {
    origin = await startOrigin();
    mf = rustWorker(baseVars(f, origin, {}));
  });
  after(async () => {
    await mf.dispose();
    await origin.close();
  });

  async function expectDenied(path, init, status, challenge) {
    origin.reset();
    const res = await mf.dispatchFetch(`https://api.certbound.test${path}`, init);
    assert.equal(res.status, status, await res.text());
    assert.equal(res.headers.get("www-authenticate"), challenge);
    assert.equal(origin.requests.length, 0, "origin must not be contacted");
  }

  it("valid bound token is forwarded", async () => {
    origin.reset();
    const init = withCert(bearer(f.tokens.valid));
    const res = await mf.dispatchFetch("https://api.certbound.test/items?x=1", init);
    assert.equal(res.status, 200);
    assert.equal(await res.text(), "origin says hello");
    assert.equal(origin.requests.length, 1);
    assert.equal(origin.requests[0].url, "/items?x=1");
    assert.equal(origin.requests[0].headers["x-client-cert-thumbprint"], alice.x5t);
  });

  const cases = [
    ["no Authorization header", "/items", withCert(), 401, CHALLENGE.missing],
    ["Basic instead of Bearer", "/items", withCert({ Authorization: "Basic YTpi" }), 401, CHALLENGE.missing],
    ["two tokens in one header", "/items", withCert({ Authorization: `Bearer ${f.tokens.valid} x` }), 400, CHALLENGE.invalidRequest],
    ["expired", "/items", withCert(bearer(f.tokens.expired)), 401, CHALLENGE.expired],
    ["wrong audience", "/items", withCert(bearer(f.tokens.wrong_aud)), 401, CHALLENGE.notForUs],
    ["wrong issuer", "/items", withCert(bearer(f.tokens.wrong_iss)), 401, CHALLENGE.notForUs],
    ["alg none, empty signature", "/items", withCert(bearer(f.tokens.alg_none)), 401, CHALLENGE.malformed],
    ["alg none with a signature", "/items", withCert(bearer(f.tokens.alg_none_signed)), 401, CHALLENGE.untrustedKey],
    ["alg HS256 key confusion", "/items", withCert(bearer(f.tokens.alg_hs256)), 401, CHALLENGE.untrustedKey],
    ["unknown kid", "/items", withCert(bearer(f.tokens.unknown_kid)), 401, CHALLENGE.untrustedKey],
    ["signed by another key under the trusted kid", "/items", withCert(bearer(f.tokens.foreign_key_same_kid)), 401, CHALLENGE.badSignature],
    ["cnf for another certificate", "/items", withCert(bearer(f.tokens.bob)), 401, CHALLENGE.otherCert],
    ["unbound token", "/items", withCert(bearer(f.tokens.unbound)), 401, CHALLENGE.unbound],
    ["malformed token", "/items", withCert(bearer("not.a.jwt")), 401, CHALLENGE.malformed],
    ["oversized token", "/items", withCert(bearer("a".repeat(17 * 1024))), 401, CHALLENGE.tooLarge],
    ["missing scope for /admin/", "/admin/users", withCert(bearer(f.tokens.valid)), 403, CHALLENGE.adminScope],
    [
      "no client certificate",
      "/items",
      { headers: bearer(f.tokens.valid), cf: cfWith({}) },
      401,
      CHALLENGE.certRequired,
    ],
    [
      "access_token in the query string",
      `/items?access_token=${f.tokens.valid}`,
      withCert(),
      400,
      CHALLENGE.invalidRequest,
    ],
    [
      "access_token in the query string next to a header token",
      `/items?access_token=${f.tokens.valid}`,
      withCert(bearer(f.tokens.valid)),
      400,
      CHALLENGE.invalidRequest,
    ],
  ];
  for (const [name, path, init, status, challenge] of cases) {
    it(`${name} → ${status}`, () => expectDenied(path, init, status, challenge));
  }

  it("admin scope grants /admin/", async () => {
    origin.reset();
    const res = await mf.dispatchFetch(
      "https://api.certbound.test/admin/users",
      withCert(bearer(f.tokens.admin)),
    );
    assert.equal(res.status, 200);
    assert.equal(origin.requests.length, 1);
  });
});
