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
  ["ROUTE_SCOPES prefix not canonical", { ROUTE_SCOPES: JSON.stringify({ "/%61dmin/": ["admin"] }) }],
  ["ROUTE_SCOPES prefix with an encoded slash", { ROUTE_SCOPES: JSON.stringify({ "/a%2Fb/": ["a"] }) }],
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

// URL variables are parsed by the runtime's WHATWG URL parser; the operator's log still says
// why a value is refused. Exact log lines.
const urlErrors = [
  [{ ORIGIN_URL: "origin" }, 'ORIGIN_URL: "origin" is not a URL: relative URL without a base'],
  [{ ORIGIN_URL: "https://" }, 'ORIGIN_URL: "https://" is not a URL: empty host'],
  [{ ORIGIN_URL: "https://origin.example:99999/" }, 'ORIGIN_URL: "https://origin.example:99999/" is not a URL: invalid port number'],
  [{ ORIGIN_URL: "https://origin.example:8x/" }, 'ORIGIN_URL: "https://origin.example:8x/" is not a URL: invalid port number'],
  [{ ORIGIN_URL: "https://ori gin.example/" }, 'ORIGIN_URL: "https://ori gin.example/" is not a URL: invalid international domain name'],
  [{ ORIGIN_URL: "https://[::1/" }, 'ORIGIN_URL: "https://[::1/" is not a URL: invalid IPv6 address'],
  [{ ORIGIN_URL: "https://10.0.0.256/" }, 'ORIGIN_URL: "https://10.0.0.256/" is not a URL: invalid IPv4 address'],
  [{ ORIGIN_URL: "https://xn--a.example/" }, 'ORIGIN_URL: "https://xn--a.example/" is not a URL: invalid international domain name'],
  [{ ORIGIN_URL: "ftp://origin.example" }, 'ORIGIN_URL: "ftp://origin.example": expected an https:// URL (http:// only to 127.0.0.1 or localhost)'],
  [{ ORIGIN_URL: "http://origin.example" }, 'ORIGIN_URL: "http://origin.example": expected an https:// URL (http:// only to 127.0.0.1 or localhost)'],
  [{ JWKS_JSON: undefined, JWKS_URI: "http://as.example/jwks" }, 'JWKS_URI: "http://as.example/jwks": expected an https:// URL (http:// only to 127.0.0.1 or localhost)'],
  [{ JWKS_JSON: undefined, JWKS_URI: "/jwks" }, 'JWKS_URI: "/jwks" is not a URL: relative URL without a base'],
];

describe("URL variables: the log says why a value is refused", () => {
  for (const [change, reason] of urlErrors) {
    it(JSON.stringify(change), async () => {
      const vars = baseVars(f, origin, change);
      for (const [k, v] of Object.entries(vars)) if (v === undefined) delete vars[k];
      const logs = [];
      const mf = rustWorker(vars, { logs });
      try {
        origin.reset();
        const res = await mf.dispatchFetch("https://api.certbound.test/items", {
          headers: { ...bearer(f.tokens.valid), "Cf-Client-Cert-Der-Base64": alice.der_b64 },
          cf: cfVerified(alice),
        });
        assert.equal(res.status, 500);
        await res.text();
        assert.equal(origin.requests.length, 0);
        assert.deepEqual(logs, [`certbound: configuration error: ${reason}`]);
      } finally {
        await mf.dispose();
      }
    });
  }

  // Accepted: loopback http (any spelling the parser normalizes to a loopback host), https with
  // an international domain name, a port, user info.
  const accepted = [
    "https://origin.example",
    "https://b\u00fccher.example:8443/x",
    "https://user:pw@origin.example/",
    "http://localhost:8080",
    "http://LOCALHOST/",
    "http://[::1]:9/",
  ];
  for (const url of accepted) {
    it(`ORIGIN_URL ${url} is accepted`, async () => {
      const logs = [];
      const mf = rustWorker(baseVars(f, origin, { ORIGIN_URL: url, TOKEN_ISSUER: "x" }), { logs });
      try {
        // A token for another issuer: refused (401) after the configuration was accepted.
        const res = await mf.dispatchFetch("https://api.certbound.test/items", {
          headers: { ...bearer(f.tokens.valid), "Cf-Client-Cert-Der-Base64": alice.der_b64 },
          cf: cfVerified(alice),
        });
        assert.equal(res.status, 401);
        await res.text();
        assert.ok(!logs.some((l) => l.includes("configuration error")), logs.join("\n"));
      } finally {
        await mf.dispose();
      }
    });
  }
});
