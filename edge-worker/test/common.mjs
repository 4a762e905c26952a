// Test-wide constants: the exact deny answers core builds (RFC 6750 §3), and the per-source
// encodings of a fixture certificate as each proxy would forward it.

export const CHALLENGE = {
  missing: "Bearer",
  invalidRequest:
    'Bearer error="invalid_request", error_description="The request has a malformed Authorization header or more than one access token"',
  expired: 'Bearer error="invalid_token", error_description="The access token expired"',
  notForUs:
    'Bearer error="invalid_token", error_description="The access token is not intended for this resource"',
  untrustedKey:
    'Bearer error="invalid_token", error_description="The access token is not signed by a trusted key"',
  otherCert:
    'Bearer error="invalid_token", error_description="The access token is bound to a different client certificate"',
  unbound:
    'Bearer error="invalid_token", error_description="The access token is not bound to a client certificate"',
  certRequired:
    'Bearer error="invalid_token", error_description="The access token is bound to a client certificate; present it over mutual TLS"',
  badSignature:
    'Bearer error="invalid_token", error_description="The access token signature is invalid"',
  malformed: 'Bearer error="invalid_token", error_description="The access token is malformed"',
  notValidated:
    'Bearer error="invalid_token", error_description="The access token could not be validated"',
  tooLarge: 'Bearer error="invalid_token", error_description="The access token is too large"',
  badPath:
    'Bearer error="invalid_request", error_description="The request path is malformed or ambiguous: an encoded slash, backslash or control character, a backslash, or a bad escape"',
  adminScope:
    'Bearer error="insufficient_scope", error_description="The access token does not grant the scope this request needs", scope="admin"',
};

/** The header(s) each proxy source sends for `cert` (a fixtures cert). */
export function sourceHeaders(source, cert) {
  const pemEscaped = encodeURIComponent(cert.pem);
  switch (source) {
    case "rfc9440":
      return { "Client-Cert": `:${cert.der_b64}:` };
    case "envoy":
      return { "x-forwarded-client-cert": `Hash=${cert.sha256_hex};Cert="${pemEscaped}"` };
    case "nginx":
      return { "X-SSL-Client-Cert": pemEscaped };
    case "aws-alb":
      // ALB keeps +, = and / literal.
      return {
        "X-Amzn-Mtls-Clientcert": pemEscaped
          .replace(/%2B/g, "+")
          .replace(/%3D/g, "=")
          .replace(/%2F/g, "/"),
      };
    case "traefik":
      return { "X-Forwarded-Tls-Client-Cert": cert.der_b64 };
    case "haproxy":
      return { "X-SSL-Client-Der": cert.der_b64 };
    case "azure":
      return { "X-ARR-ClientCert": cert.der_b64 };
    default:
      throw new Error(`no encoding for ${source}`);
  }
}

/** The certificate headers each source reads (lowercase). */
export const SOURCE_HEADERS = {
  cloudflare: ["cf-client-cert-der-base64", "cf-client-cert-sha256"],
  rfc9440: ["client-cert", "client-cert-chain"],
  envoy: ["x-forwarded-client-cert"],
  nginx: ["x-ssl-client-cert"],
  "aws-alb": [
    "x-amzn-mtls-clientcert",
    "x-amzn-mtls-clientcert-leaf",
    "x-amzn-mtls-clientcert-serial-number",
    "x-amzn-mtls-clientcert-issuer",
    "x-amzn-mtls-clientcert-subject",
    "x-amzn-mtls-clientcert-validity",
  ],
  traefik: ["x-forwarded-tls-client-cert", "x-forwarded-tls-client-cert-info"],
  haproxy: ["x-ssl-client-der"],
  azure: ["x-arr-clientcert"],
};

/** Every certificate header name of every source (lowercase), as a client could spoof them. */
export const ALL_CERT_HEADERS = [
  "cf-client-cert-der-base64",
  "cf-client-cert-sha256",
  "client-cert",
  "client-cert-chain",
  "x-forwarded-client-cert",
  "x-ssl-client-cert",
  "x-amzn-mtls-clientcert",
  "x-amzn-mtls-clientcert-leaf",
  "x-amzn-mtls-clientcert-serial-number",
  "x-amzn-mtls-clientcert-issuer",
  "x-amzn-mtls-clientcert-subject",
  "x-amzn-mtls-clientcert-validity",
  "x-forwarded-tls-client-cert",
  "x-forwarded-tls-client-cert-info",
  "x-ssl-client-der",
  "x-arr-clientcert",
];

export function baseVars(f, origin, extra = {}) {
  return {
    CERT_SOURCE: "cloudflare",
    TOKEN_ISSUER: f.issuer,
    TOKEN_AUDIENCE: f.audience,
    JWKS_JSON: JSON.stringify(f.jwks),
    ROUTE_SCOPES: JSON.stringify({ "/admin/": ["admin"] }),
    ORIGIN_URL: origin.url,
    ...extra,
  };
}

export function bearer(token) {
  return { Authorization: `Bearer ${token}` };
}
