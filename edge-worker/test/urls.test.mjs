// The request URL: which query strings carry an `access_token` (refused, RFC 6750 §2.3 is not
// supported) and the exact path and query the origin receives, with and without a path, query
// or fragment in ORIGIN_URL and without ORIGIN_URL.
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { cfVerified, loadFixtures, rustWorker, startOrigin } from "./harness.mjs";
import { CHALLENGE, baseVars, bearer } from "./common.mjs";

const f = loadFixtures();
const alice = f.certs.alice;
const init = () => ({
  headers: { ...bearer(f.tokens.valid), "Cf-Client-Cert-Der-Base64": alice.der_b64 },
  cf: cfVerified(alice),
});

let origin;
before(async () => {
  origin = await startOrigin();
});
after(() => origin.close());

describe("access_token in the query", () => {
  let mf;
  before(() => {
    mf = rustWorker(baseVars(f, origin));
  });
  after(() => mf.dispose());

  // Keys are compared after form decoding (`+` is a space, %XX a byte), as a server would read
  // them.
  const refused = [
    "?access_token",
    "?access_token=",
    "?a=1&access_token=x",
    "?access%5Ftoken=x",
    "?%61ccess_token=x",
    "?access%5ftoken=x&b=2",
    "?&&access_token=x&&",
  ];
  for (const query of refused) {
    it(`${query} → 400`, async () => {
      origin.reset();
      const res = await mf.dispatchFetch(`https://api.certbound.test/items${query}`, init());
      assert.equal(res.status, 400, await res.text());
      assert.equal(res.headers.get("www-authenticate"), CHALLENGE.invalidRequest);
      assert.equal(origin.requests.length, 0);
    });
  }

  const forwarded = [
    "?access_tokens=x",
    "?x=access_token",
    "?access+token=x",
    "?access_token%3D=x",
    "?access%20token=x",
    "?access_token%00=x",
    "?my_access_token=x",
  ];
  for (const query of forwarded) {
    it(`${query} is forwarded`, async () => {
      origin.reset();
      const res = await mf.dispatchFetch(`https://api.certbound.test/items${query}`, init());
      assert.equal(res.status, 200, await res.text());
      assert.equal(origin.requests.length, 1);
      assert.equal(origin.requests[0].url, `/items${query}`);
    });
  }
});

// [request path and query, what the origin receives]: the canonical path (core's
// `canonical_path`: unreserved escapes decoded, hex upper-cased, dot segments removed, `//`
// merged), the query as sent.
const paths = [
  ["/items", "/items"],
  ["/", "/"],
  ["/items?", "/items?"],
  ["/items?x=1&y=%20z+w", "/items?x=1&y=%20z+w"],
  ["/a%3Fb/c%23?q=%23", "/a%3Fb/c%23?q=%23"],
  ["/caf\u00e9?\u00e9=\u00fc", "/caf%C3%A9?%C3%A9=%C3%BC"],
  ["/a b?c d", "/a%20b?c%20d"],
  ["/x?y=1#frag", "/x?y=1"],
  ["/x#frag?y", "/x"],
  ["/a/./b/../c", "/a/c"],
  ["/%61dmin%2d2//users/./x/..?q=%61", "/admin-2/users/?q=%61"],
  ["/a%7e%2e/%2E%2E/b", "/b"],
  ["/x%3by%c3%a9", "/x%3By%C3%A9"],
];

for (const [name, suffix] of [
  ["ORIGIN_URL without a path", ""],
  ["ORIGIN_URL with a path, query and fragment (all replaced)", "/base/path/?z=9#top"],
]) {
  describe(`${name}: the origin gets the request's path and query`, () => {
    let mf;
    before(() => {
      mf = rustWorker(baseVars(f, origin, { ORIGIN_URL: origin.url + suffix }));
    });
    after(() => mf.dispose());
    for (const [path, expected] of paths) {
      it(`${path} → ${expected}`, async () => {
        origin.reset();
        const res = await mf.dispatchFetch(`https://api.certbound.test${path}`, init());
        assert.equal(res.status, 200, await res.text());
        assert.equal(origin.requests.length, 1);
        assert.equal(origin.requests[0].url, expected);
      });
    }
  });
}

describe("no ORIGIN_URL: the origin gets the request's own path and query", () => {
  let mf;
  before(() => {
    const vars = baseVars(f, origin);
    delete vars.ORIGIN_URL;
    mf = rustWorker(vars);
  });
  after(() => mf.dispose());
  for (const [path, expected] of paths) {
    it(`${path} → ${expected}`, async () => {
      origin.reset();
      const res = await mf.dispatchFetch(`${origin.url}${path}`, init());
      assert.equal(res.status, 200, await res.text());
      assert.equal(origin.requests.length, 1);
      assert.equal(origin.requests[0].url, expected);
    });
  }
});

describe("the origin request: method, body, redirects", () => {
  let mf;
  before(() => {
    mf = rustWorker(baseVars(f, origin));
  });
  after(() => mf.dispose());

  // An origin's redirect goes back to the client; the worker does not follow it.
  it("a redirect from the origin is returned, not followed", async () => {
    origin.reset();
    const res = await mf.dispatchFetch("https://api.certbound.test/redirect-me", {
      ...init(),
      redirect: "manual",
    });
    assert.equal(res.status, 302);
    assert.equal(res.headers.get("location"), "/landed");
    assert.equal(origin.requests.length, 1);
    assert.equal(origin.requests[0].url, "/redirect-me");
  });

  // [method the client sends, method and body the origin receives]: the runtime's method string
  // is forwarded, also one workers-rs' `Method` does not know, with its body.
  for (const [method, expected, body] of [
    ["PUT", "PUT", "payload"],
    ["PATCH", "PATCH", "payload"],
    ["DELETE", "DELETE", "payload"],
    ["PROPFIND", "PROPFIND", "payload"],
    ["MKCOL", "MKCOL", "payload"],
  ]) {
    it(`${method} → ${expected}`, async () => {
      origin.reset();
      const res = await mf.dispatchFetch("https://api.certbound.test/items", {
        ...init(),
        method,
        body: "payload",
      });
      assert.equal(res.status, 200, await res.text());
      assert.equal(origin.requests.length, 1);
      assert.equal(origin.requests[0].method, expected);
      assert.equal(origin.requests[0].body, body);
    });
  }
});

// Route scopes are matched on the canonical path (ROUTE_SCOPES: /admin/ needs "admin", which the
// valid token lacks), so another spelling of /admin/ needs the scope too; a path an origin could
// decode into structure the worker did not check is refused before anything else.
describe("route scopes on the canonical path", () => {
  let mf;
  before(() => {
    mf = rustWorker(baseVars(f, origin));
  });
  after(() => mf.dispose());

  for (const path of ["/admin/users", "/%61dmin/users", "//admin/users", "/x/%2e%2E/admin/users"]) {
    it(`${path} → 403 insufficient_scope`, async () => {
      origin.reset();
      const res = await mf.dispatchFetch(`https://api.certbound.test${path}`, init());
      assert.equal(res.status, 403, await res.text());
      assert.equal(res.headers.get("www-authenticate"), CHALLENGE.adminScope);
      assert.equal(origin.requests.length, 0);
    });
  }

  for (const path of ["/admin%2Fusers", "/a%5Cb", "/a%00b", "/a%0Ab", "/a%zz", "/a%4"]) {
    it(`${path} → 400 invalid_request`, async () => {
      origin.reset();
      const res = await mf.dispatchFetch(`https://api.certbound.test${path}`, init());
      assert.equal(res.status, 400, await res.text());
      assert.equal(res.headers.get("www-authenticate"), CHALLENGE.badPath);
      assert.equal(origin.requests.length, 0);
    });
  }
});
