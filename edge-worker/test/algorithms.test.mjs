// Every key family through WebCrypto: ES256, ES384, EdDSA, RS256 and PS256 (the RSA key
// is RFC 7520's, its PKCS#1 key wrapped into SPKI for WebCrypto), each accepted when allowed,
// refused when tampered with or not in TOKEN_ALGORITHMS.
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { cfVerified, loadFixtures, rustWorker, startOrigin } from "./harness.mjs";
import { CHALLENGE, baseVars, bearer } from "./common.mjs";

const f = loadFixtures();
const alice = f.certs.alice;
const init = (token) => ({
  headers: { ...bearer(token), "Cf-Client-Cert-Der-Base64": alice.der_b64 },
  cf: cfVerified(alice),
});

/** The token with one signature character changed (still canonical base64url). */
function tampered(token) {
  const [h, p, s] = token.split(".");
  const i = Math.floor(s.length / 2);
  const c = s[i] === "A" ? "B" : "A";
  return `${h}.${p}.${s.slice(0, i)}${c}${s.slice(i + 1)}`;
}

let origin;
before(async () => {
  origin = await startOrigin();
});
after(() => origin.close());

describe(`algorithms`, () => {
  let mf;
  let es256Only;
  before(() => {
    const all = {
      JWKS_JSON: JSON.stringify(f.jwks_all),
      TOKEN_ALGORITHMS: "ES256,ES384,EdDSA,RS256,PS256",
    };
    mf = rustWorker(baseVars(f, origin, all));
    es256Only = rustWorker(baseVars(f, origin, { ...all, TOKEN_ALGORITHMS: "ES256" }));
  });
  after(async () => {
    await mf.dispose();
    await es256Only.dispose();
  });

  for (const name of ["valid", "es384", "eddsa", "rs256", "ps256"]) {
    it(`${name}: accepted, tampered refused`, async () => {
      origin.reset();
      const ok = await mf.dispatchFetch("https://api.certbound.test/items", init(f.tokens[name]));
      assert.equal(ok.status, 200, ok.headers.get("www-authenticate") ?? "");
      assert.equal(origin.requests.length, 1);
      const bad = await mf.dispatchFetch("https://api.certbound.test/items", init(tampered(f.tokens[name])));
      assert.equal(bad.status, 401);
      assert.equal(bad.headers.get("www-authenticate"), CHALLENGE.badSignature);
      assert.equal(origin.requests.length, 1);
    });
  }

  for (const name of ["es384", "eddsa", "rs256", "ps256"]) {
    it(`${name}: refused when TOKEN_ALGORITHMS=ES256`, async () => {
      origin.reset();
      const res = await es256Only.dispatchFetch("https://api.certbound.test/items", init(f.tokens[name]));
      assert.equal(res.status, 401);
      assert.equal(res.headers.get("www-authenticate"), CHALLENGE.untrustedKey);
      assert.equal(origin.requests.length, 0);
    });
  }
});
