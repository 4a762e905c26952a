// Cloudflare's own mTLS: request.cf.tlsClientAuth policies, the first-request-only certificate
// header, injected headers, revocation, and chain validation in the worker.
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { cfVerified, cfWith, loadFixtures, rustWorker, startOrigin } from "./harness.mjs";
import { CHALLENGE, baseVars, bearer } from "./common.mjs";

const f = loadFixtures();
const alice = f.certs.alice;
const bob = f.certs.bob;

let origin;
before(async () => {
  origin = await startOrigin();
});
after(() => origin.close());

async function call(mf, init, path = "/items") {
  origin.reset();
  const res = await mf.dispatchFetch(`https://api.certbound.test${path}`, init);
  return { res, reached: origin.requests.length };
}

describe("cloudflare defaults (CF_REQUIRE_VERIFIED, fingerprint-only allowed)", () => {
  let mf;
  before(() => {
    mf = rustWorker(baseVars(f, origin));
  });
  after(() => mf.dispose());

  it("later request of a connection (no Cf-Client-Cert-Der-Base64): bound via certFingerprintSHA256", async () => {
    const { res, reached } = await call(mf, { headers: bearer(f.tokens.valid), cf: cfVerified(alice) });
    assert.equal(res.status, 200);
    assert.equal(reached, 1);
    assert.equal(origin.requests[0].headers["x-client-cert-thumbprint"], alice.x5t);
  });

  it("fingerprint-only still catches a token bound to another certificate", async () => {
    const { res, reached } = await call(mf, { headers: bearer(f.tokens.bob), cf: cfVerified(alice) });
    assert.equal(res.status, 401);
    assert.equal(res.headers.get("www-authenticate"), CHALLENGE.otherCert);
    assert.equal(reached, 0);
  });

  it("an injected Cf-Client-Cert-Der-Base64 not matching the TLS fingerprint is refused", async () => {
    const { res, reached } = await call(mf, {
      headers: { ...bearer(f.tokens.bob), "Cf-Client-Cert-Der-Base64": bob.der_b64 },
      cf: cfVerified(alice),
    });
    assert.equal(res.status, 401);
    assert.equal(res.headers.get("www-authenticate"), CHALLENGE.notValidated);
    assert.equal(reached, 0);
  });

  // Decoded headers are kept per isolate: a header seen before is still checked against each
  // request's own tlsClientAuth.
  it("a certificate header decoded before is checked against each request's TLS fingerprint", async () => {
    const header = { "Cf-Client-Cert-Der-Base64": alice.der_b64 };
    for (const [token, cf, status, challenge] of [
      [f.tokens.valid, cfVerified(alice), 200, null],
      [f.tokens.bob, cfVerified(bob), 401, CHALLENGE.notValidated],
      [f.tokens.valid, cfVerified(bob), 401, CHALLENGE.notValidated],
      [f.tokens.valid, cfVerified(alice, { certVerified: "FAILED:self signed certificate" }), 401, CHALLENGE.certRequired],
      [f.tokens.valid, cfWith({}), 401, CHALLENGE.certRequired],
      [f.tokens.bob, cfVerified(alice), 401, CHALLENGE.otherCert],
      [f.tokens.valid, cfVerified(alice), 200, null],
    ]) {
      const { res, reached } = await call(mf, { headers: { ...bearer(token), ...header }, cf });
      assert.equal(res.status, status);
      assert.equal(res.headers.get("www-authenticate"), challenge);
      assert.equal(reached, status === 200 ? 1 : 0);
    }
  });

  it("a Cf-Client-Cert-Der-Base64 without a TLS client certificate is ignored", async () => {
    const { res, reached } = await call(mf, {
      headers: { ...bearer(f.tokens.valid), "Cf-Client-Cert-Der-Base64": alice.der_b64 },
      cf: cfWith({}),
    });
    assert.equal(res.status, 401);
    assert.equal(res.headers.get("www-authenticate"), CHALLENGE.certRequired);
    assert.equal(reached, 0);
  });

  it("a presented certificate without certFingerprintSHA256 fails closed", async () => {
    const cf = cfVerified(alice);
    delete cf.tlsClientAuth.certFingerprintSHA256;
    const { res, reached } = await call(mf, {
      headers: { ...bearer(f.tokens.valid), "Cf-Client-Cert-Der-Base64": alice.der_b64 },
      cf,
    });
    assert.equal(res.status, 401);
    assert.equal(res.headers.get("www-authenticate"), CHALLENGE.certRequired);
    assert.equal(reached, 0);
  });

  it("an empty certFingerprintSHA256 matches no certificate", async () => {
    for (const headers of [
      { ...bearer(f.tokens.valid), "Cf-Client-Cert-Der-Base64": alice.der_b64 },
      bearer(f.tokens.valid),
    ]) {
      const { res, reached } = await call(mf, {
        headers,
        cf: cfVerified(alice, { certFingerprintSHA256: "" }),
      });
      assert.equal(res.status, 401);
      assert.equal(reached, 0);
    }
  });

  it("certVerified FAILED is refused", async () => {
    const { res, reached } = await call(mf, {
      headers: { ...bearer(f.tokens.valid), "Cf-Client-Cert-Der-Base64": alice.der_b64 },
      cf: cfVerified(alice, { certVerified: "FAILED:self signed certificate" }),
    });
    assert.equal(res.status, 401);
    assert.equal(res.headers.get("www-authenticate"), CHALLENGE.certRequired);
    assert.equal(reached, 0);
  });

  it("certRevoked is honoured", async () => {
    const { res, reached } = await call(mf, {
      headers: { ...bearer(f.tokens.valid), "Cf-Client-Cert-Der-Base64": alice.der_b64 },
      cf: cfVerified(alice, { certRevoked: "1" }),
    });
    assert.equal(res.status, 401);
    assert.equal(res.headers.get("www-authenticate"), CHALLENGE.certRequired);
    assert.equal(reached, 0);
  });

  it("an oversized Cf-Client-Cert-Der-Base64 is refused", async () => {
    const { res, reached } = await call(mf, {
      headers: { ...bearer(f.tokens.valid), "Cf-Client-Cert-Der-Base64": "A".repeat(20 * 1024) },
      cf: cfVerified(alice),
    });
    assert.equal(res.status, 401);
    assert.equal(res.headers.get("www-authenticate"), CHALLENGE.notValidated);
    assert.equal(reached, 0);
  });
});

describe("cloudflare with CF_REQUIRE_VERIFIED=false (RFC 8705 self-signed clients)", () => {
  let mf;
  before(() => {
    mf = rustWorker(baseVars(f, origin, { CF_REQUIRE_VERIFIED: "false" }));
  });
  after(() => mf.dispose());

  it("an unverified certificate still binds", async () => {
    const { res, reached } = await call(mf, {
      headers: { ...bearer(f.tokens.valid), "Cf-Client-Cert-Der-Base64": alice.der_b64 },
      cf: cfVerified(alice, { certVerified: "FAILED:unable to verify the first certificate" }),
    });
    assert.equal(res.status, 200);
    assert.equal(reached, 1);
  });
});

describe("cloudflare with CF_ALLOW_FINGERPRINT_ONLY=false", () => {
  let mf;
  before(() => {
    mf = rustWorker(baseVars(f, origin, { CF_ALLOW_FINGERPRINT_ONLY: "false" }));
  });
  after(() => mf.dispose());

  it("a request without the certificate header fails closed", async () => {
    const { res, reached } = await call(mf, { headers: bearer(f.tokens.valid), cf: cfVerified(alice) });
    assert.equal(res.status, 401);
    assert.equal(res.headers.get("www-authenticate"), CHALLENGE.certRequired);
    assert.equal(reached, 0);
  });
});

describe("cloudflare with TRUST_ANCHORS_PEM (chain validated in the worker)", () => {
  let mf;
  before(() => {
    mf = rustWorker(baseVars(f, origin, { TRUST_ANCHORS_PEM: f.ca_pem }));
  });
  after(() => mf.dispose());

  it("a certificate issued by the anchor passes", async () => {
    const { res, reached } = await call(mf, {
      headers: { ...bearer(f.tokens.valid), "Cf-Client-Cert-Der-Base64": alice.der_b64 },
      cf: cfVerified(alice),
    });
    assert.equal(res.status, 200);
    assert.equal(reached, 1);
  });

  // Twice: the second request finds the header decoded, and the chain is validated again.
  it("a certificate from another CA is refused even with a token bound to it, every time", async () => {
    const stranger = f.certs.stranger;
    for (let i = 0; i < 2; i++) {
      const { res, reached } = await call(mf, {
        headers: { ...bearer(f.tokens.stranger), "Cf-Client-Cert-Der-Base64": stranger.der_b64 },
        cf: cfVerified(stranger),
      });
      assert.equal(res.status, 401);
      assert.equal(res.headers.get("www-authenticate"), CHALLENGE.notValidated);
      assert.equal(reached, 0);
    }
  });

  it("a certificate under the anchor's name but signed by another key is refused", async () => {
    const impostor = f.certs.impostor;
    assert.equal(impostor.issuer_rfc2253, alice.issuer_rfc2253);
    const { res, reached } = await call(mf, {
      headers: { ...bearer(f.tokens.impostor), "Cf-Client-Cert-Der-Base64": impostor.der_b64 },
      cf: cfVerified(impostor),
    });
    assert.equal(res.status, 401);
    assert.equal(res.headers.get("www-authenticate"), CHALLENGE.notValidated);
    assert.equal(reached, 0);
  });

  it("without the certificate header the chain cannot be checked: fails closed", async () => {
    const { res, reached } = await call(mf, { headers: bearer(f.tokens.valid), cf: cfVerified(alice) });
    assert.equal(res.status, 401);
    assert.equal(res.headers.get("www-authenticate"), CHALLENGE.certRequired);
    assert.equal(reached, 0);
  });
});
