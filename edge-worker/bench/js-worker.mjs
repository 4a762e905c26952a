// The comparison worker: the same check as the Rust worker (Cloudflare certificate source,
// inline JWKS, ES256, iss/aud/exp, cnf.x5t#S256 binding, scopes, forward with identity headers)
// written the way a JavaScript shop would, with npm `jose` over WebCrypto. Used by the bench
// only; bundled with esbuild by test.sh into bench/build/js-worker.mjs.
import { createLocalJWKSet, jwtVerify } from "jose";

let keySet;

function b64url(bytes) {
  let s = "";
  for (const b of bytes) s += String.fromCharCode(b);
  return btoa(s).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
}

function hex(bytes) {
  return Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
}

function deny(status, challenge) {
  return new Response(null, { status, headers: { "www-authenticate": challenge } });
}

export default {
  async fetch(request, env) {
    keySet ??= createLocalJWKSet(JSON.parse(env.JWKS_JSON));
    const url = new URL(request.url);
    if (url.searchParams.has("access_token")) return deny(400, 'Bearer error="invalid_request"');
    const auth = request.headers.get("authorization") ?? "";
    if (!auth.startsWith("Bearer ")) return deny(401, "Bearer");
    const tca = request.cf?.tlsClientAuth;
    if (tca?.certPresented !== "1" || tca.certVerified !== "SUCCESS") {
      return deny(401, 'Bearer error="invalid_token"');
    }
    const certB64 = request.headers.get("cf-client-cert-der-base64");
    let thumb;
    if (certB64) {
      const der = Uint8Array.from(atob(certB64), (c) => c.charCodeAt(0));
      const digest = new Uint8Array(await crypto.subtle.digest("SHA-256", der));
      if (hex(digest) !== tca.certFingerprintSHA256) return deny(401, 'Bearer error="invalid_token"');
      thumb = b64url(digest);
    } else {
      const fp = tca.certFingerprintSHA256.match(/../g).map((h) => parseInt(h, 16));
      thumb = b64url(fp);
    }
    let payload;
    try {
      ({ payload } = await jwtVerify(auth.slice(7), keySet, {
        issuer: env.TOKEN_ISSUER,
        audience: env.TOKEN_AUDIENCE.split(","),
        algorithms: (env.TOKEN_ALGORITHMS ?? "ES256").split(","),
        clockTolerance: Number(env.TOKEN_LEEWAY_SECONDS ?? 60),
        typ: "at+jwt",
        requiredClaims: ["exp", "iat", "sub", "client_id", "jti"],
      }));
    } catch {
      return deny(401, 'Bearer error="invalid_token"');
    }
    if (payload.cnf?.["x5t#S256"] !== thumb) return deny(401, 'Bearer error="invalid_token"');
    const routes = Object.entries(JSON.parse(env.ROUTE_SCOPES ?? "{}")).sort(
      (a, b) => b[0].length - a[0].length,
    );
    const needed = routes.find(([p]) => url.pathname.startsWith(p))?.[1] ?? [];
    const have = new Set(String(payload.scope ?? "").split(" "));
    if (!needed.every((s) => have.has(s))) return deny(403, 'Bearer error="insufficient_scope"');
    const headers = new Headers(request.headers);
    for (const h of ["cf-client-cert-der-base64", "x-client-cert", "x-forwarded-client-cert"]) {
      headers.delete(h);
    }
    headers.set("x-client-id", String(payload.client_id ?? ""));
    headers.set("x-client-cert-thumbprint", thumb);
    headers.set("x-subject", String(payload.sub ?? ""));
    const target = new URL(url.pathname + url.search, env.ORIGIN_URL);
    return fetch(target, { method: request.method, headers, body: request.body, redirect: "manual" });
  },
};
