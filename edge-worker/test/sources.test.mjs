// Every certificate source with a valid bound token reaches the origin, which sees the identity
// headers and none of the certificate headers; client-sent identity and certificate headers
// never get through.
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { cfVerified, cfWith, loadFixtures, rustWorker, startOrigin } from "./harness.mjs";
import { ALL_CERT_HEADERS, CHALLENGE, SOURCE_HEADERS, baseVars, bearer, sourceHeaders } from "./common.mjs";

const f = loadFixtures();
const alice = f.certs.alice;
const bob = f.certs.bob;

/**
 * Every cert header of every other source, with garbage: a client spoofing them (or a proxy
 * passing them through) must not confuse the configured source, and none may reach the origin.
 */
function spoofedCertHeaders(source) {
  const own = new Set(SOURCE_HEADERS[source]);
  return Object.fromEntries(ALL_CERT_HEADERS.filter((h) => !own.has(h)).map((h) => [h, "spoofed"]));
}

const SPOOFED_IDENTITY = {
  "X-Client-Id": "admin",
  "X-Client-Cert-Thumbprint": "spoofed",
  "X-Subject": "root",
  // Cloudflare's "Add TLS client auth headers" Managed Transform headers.
  "Cf-Cert-Verified": "SUCCESS",
  "Cf-Cert-Fingerprint-Sha256": "00",
};

function assertForwardedAs(req, cert) {
  for (const h of ALL_CERT_HEADERS) assert.equal(req.headers[h], undefined, `${h} reached the origin`);
  for (const h of Object.keys(req.headers)) assert.ok(!h.startsWith("cf-cert-"), `${h} reached the origin`);
  assert.equal(req.headers["x-client-id"], "client-alice");
  assert.equal(req.headers["x-client-cert-thumbprint"], cert.x5t);
  assert.equal(req.headers["x-subject"], "user-42");
  assert.equal(req.headers.authorization, `Bearer ${f.tokens.valid}`);
  assert.equal(req.headers["x-custom"], "kept");
}

let origin;
before(async () => {
  origin = await startOrigin();
});
after(async () => {
  await origin.close();
});

describe("cloudflare source", () => {
  let mf;
  before(() => {
    mf = rustWorker(baseVars(f, origin));
  });
  after(() => mf.dispose());

  it("forwards with identity headers and cert headers stripped", async () => {
    origin.reset();
    const res = await mf.dispatchFetch("https://api.certbound.test/items", {
      method: "POST",
      body: "payload",
      headers: {
        ...bearer(f.tokens.valid),
        ...SPOOFED_IDENTITY,
        "Cf-Client-Cert-Der-Base64": alice.der_b64,
        "X-Custom": "kept",
      },
      cf: cfVerified(alice),
    });
    assert.equal(res.status, 200);
    assert.equal(origin.requests.length, 1);
    assert.equal(origin.requests[0].method, "POST");
    assert.equal(origin.requests[0].body, "payload");
    assertForwardedAs(origin.requests[0], alice);
  });

  it("ignores other sources' certificate headers: bob's rfc9440 header does not make bob", async () => {
    origin.reset();
    const res = await mf.dispatchFetch("https://api.certbound.test/items", {
      headers: {
        ...bearer(f.tokens.bob),
        ...sourceHeaders("rfc9440", bob),
        ...sourceHeaders("envoy", bob),
      },
      cf: cfWith({}),
    });
    assert.equal(res.status, 401);
    assert.equal(res.headers.get("www-authenticate"), CHALLENGE.certRequired);
    assert.equal(origin.requests.length, 0);
  });
});

for (const source of ["rfc9440", "envoy", "nginx", "aws-alb", "traefik", "haproxy", "azure"]) {
  describe(`${source} source`, () => {
    let mf;
    before(() => {
      mf = rustWorker(baseVars(f, origin, { CERT_SOURCE: source }));
    });
    after(() => mf.dispose());

    it("forwards a valid bound token with identity headers, cert headers stripped", async () => {
      origin.reset();
      const res = await mf.dispatchFetch("https://api.certbound.test/items", {
        headers: {
          ...spoofedCertHeaders(source),
          ...SPOOFED_IDENTITY,
          ...sourceHeaders(source, alice),
          ...bearer(f.tokens.valid),
          "X-Custom": "kept",
        },
      });
      assert.equal(res.status, 200, res.headers.get("www-authenticate") ?? "");
      assert.equal(origin.requests.length, 1);
      assertForwardedAs(origin.requests[0], alice);
    });

    it("refuses the token with another client's certificate", async () => {
      origin.reset();
      const res = await mf.dispatchFetch("https://api.certbound.test/items", {
        headers: { ...sourceHeaders(source, bob), ...bearer(f.tokens.valid) },
      });
      assert.equal(res.status, 401);
      assert.equal(res.headers.get("www-authenticate"), CHALLENGE.otherCert);
      assert.equal(origin.requests.length, 0);
    });

    it("refuses without a certificate header", async () => {
      origin.reset();
      const res = await mf.dispatchFetch("https://api.certbound.test/items", {
        headers: bearer(f.tokens.valid),
      });
      assert.equal(res.status, 401);
      assert.equal(res.headers.get("www-authenticate"), CHALLENGE.certRequired);
      assert.equal(origin.requests.length, 0);
    });

    it("refuses an oversized certificate header", async () => {
      origin.reset();
      const [name] = Object.keys(sourceHeaders(source, alice));
      const res = await mf.dispatchFetch("https://api.certbound.test/items", {
        headers: { [name]: "A".repeat(20 * 1024), ...bearer(f.tokens.valid) },
      });
      assert.equal(res.status, 401);
      assert.equal(res.headers.get("www-authenticate"), CHALLENGE.notValidated);
      assert.equal(origin.requests.length, 0);
    });
  });
}
