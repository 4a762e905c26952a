// Wrong configuration is a 500 page for the operator (the reason goes to the log, not the
// client) and never lets a request through.
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { cfVerified, loadFixtures, rustWorker, startOrigin } from "./harness.mjs";
import { baseVars, bearer } from "./common.mjs";

const f = loadFixtures();
const alice = f.certs.alice;

let origin;
before(async () => {
  origin = await startOrigin();
});
after(() => origin.close());

const broken = [
  ["CERT_SOURCE missing", { CERT_SOURCE: undefined }],
  ["CERT_SOURCE unknown", { CERT_SOURCE: "apache" }],
  ["TOKEN_ISSUER missing", { TOKEN_ISSUER: undefined }],
  ["TOKEN_AUDIENCE missing", { TOKEN_AUDIENCE: undefined }],
  ["TOKEN_ALGORITHMS with none", { TOKEN_ALGORITHMS: "ES256,none" }],
  ["TOKEN_ALGORITHMS with HS256", { TOKEN_ALGORITHMS: "HS256" }],
  ["TOKEN_LEEWAY_SECONDS too large", { TOKEN_LEEWAY_SECONDS: "3600" }],
  ["TOKEN_LEEWAY_SECONDS not a number", { TOKEN_LEEWAY_SECONDS: "1m" }],
  ["JWKS_JSON malformed", { JWKS_JSON: "{" }],
  ["JWKS_JSON and JWKS_URI both set", { JWKS_URI: "https://as.example/jwks" }],
  ["no JWKS at all", { JWKS_JSON: undefined }],
  ["JWKS_URI plain http to a public host", { JWKS_JSON: undefined, JWKS_URI: "http://as.example/jwks" }],
  ["ROUTE_SCOPES not JSON", { ROUTE_SCOPES: "/admin=admin" }],
  ["ROUTE_SCOPES prefix without /", { ROUTE_SCOPES: JSON.stringify({ admin: ["admin"] }) }],
  ["ROUTE_SCOPES scope with a space", { ROUTE_SCOPES: JSON.stringify({ "/a": ["a b"] }) }],
  ["CF_REQUIRE_VERIFIED not a boolean", { CF_REQUIRE_VERIFIED: "yes" }],
  ["CRYPTO_PROVIDER unknown", { CRYPTO_PROVIDER: "openssl" }],
  ["TRUST_ANCHORS_PEM not PEM", { TRUST_ANCHORS_PEM: "hello" }],
  ["ORIGIN_URL not a URL", { ORIGIN_URL: "origin" }],
];

describe("configuration errors → 500, origin untouched", () => {
  for (const [name, change] of broken) {
    it(name, async () => {
      const vars = baseVars(f, origin, change);
      for (const [k, v] of Object.entries(vars)) if (v === undefined) delete vars[k];
      const mf = rustWorker(vars);
      try {
        origin.reset();
        const res = await mf.dispatchFetch("https://api.certbound.test/items", {
          headers: { ...bearer(f.tokens.valid), "Cf-Client-Cert-Der-Base64": alice.der_b64 },
          cf: cfVerified(alice),
        });
        assert.equal(res.status, 500);
        const body = await res.text();
        assert.match(body, /misconfigured/);
        assert.equal(origin.requests.length, 0);
      } finally {
        await mf.dispose();
      }
    });
  }
});
