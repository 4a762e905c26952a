// Shared test harness: the built worker in real workerd (Miniflare), a local origin + JWKS server
// on 127.0.0.1 that records what reaches it, and the fixtures the Rust generator wrote.
import { readFileSync } from "node:fs";
import { createServer } from "node:http";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { Miniflare } from "miniflare";

const here = dirname(fileURLToPath(import.meta.url));
export const workerDir = join(here, "..");
export const fixturesDir = join(here, "fixtures");

/** Fixtures written by `cargo run -p certbound-edge-worker --example fixtures` (test.sh runs it). */
export function loadFixtures() {
  return JSON.parse(readFileSync(join(fixturesDir, "fixtures.json"), "utf8"));
}

/**
 * An HTTP server on 127.0.0.1 playing both the origin and the issuer's JWKS endpoint.
 * `origin.requests` records every request that is not a JWKS fetch; `origin.jwksFetches` counts
 * JWKS fetches; `origin.jwks` is what `/jwks.json` serves (`null` → 500, a string → served as is,
 * a function → called with the node response to write it). `/redirect-me` answers 302 to
 * `/landed`.
 */
export async function startOrigin() {
  const state = { requests: [], jwksFetches: 0, jwks: null, jwksStatus: 200 };
  const server = createServer((req, res) => {
    if (req.url === "/jwks.json") {
      state.jwksFetches += 1;
      if (typeof state.jwks === "function") {
        state.jwks(res);
        return;
      }
      if (state.jwks === null || state.jwksStatus !== 200) {
        res.writeHead(state.jwks === null ? 500 : state.jwksStatus);
        res.end("unavailable");
        return;
      }
      res.writeHead(200, { "content-type": "application/json" });
      res.end(typeof state.jwks === "string" ? state.jwks : JSON.stringify(state.jwks));
      return;
    }
    let body = "";
    req.on("data", (c) => (body += c));
    req.on("end", () => {
      state.requests.push({ method: req.method, url: req.url, headers: req.headers, body });
      if (req.url === "/redirect-me") {
        res.writeHead(302, { location: "/landed", "x-origin": "yes" });
        res.end();
        return;
      }
      res.writeHead(200, { "content-type": "text/plain", "x-origin": "yes" });
      res.end("origin says hello");
    });
  });
  await new Promise((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address();
  state.url = `http://127.0.0.1:${port}`;
  state.close = () => new Promise((resolve) => server.close(resolve));
  state.reset = () => {
    state.requests.length = 0;
    state.jwksFetches = 0;
  };
  return state;
}

/**
 * The built Rust worker in workerd with the given `[vars]`. With `logs` (an array), every line
 * the worker logs (`console.*`) is appended to it instead of going to the test's output.
 */
export function rustWorker(bindings, { logs } = {}) {
  return new Miniflare({
    modules: true,
    scriptPath: join(workerDir, "build/index.js"),
    modulesRules: [{ type: "CompiledWasm", include: ["**/*.wasm"] }],
    compatibilityDate: "2025-09-01",
    bindings,
    ...(logs ? { handleStructuredLogs: ({ message }) => { logs.push(message); } } : {}),
  });
}

/** The plain JS comparison worker (jose + WebCrypto), bundled by test.sh into bench/build. */
export function jsWorker(bindings) {
  return new Miniflare({
    modules: true,
    scriptPath: join(workerDir, "bench/build/js-worker.mjs"),
    compatibilityDate: "2025-09-01",
    bindings,
  });
}

/**
 * A complete `request.cf` (Miniflare merges `cf` one level deep only: tlsClientAuth must carry
 * every field or workers-rs accessors would see undefined).
 */
export function cfWith(tlsClientAuth) {
  return {
    colo: "LHR",
    country: "GB",
    asn: 13335,
    httpProtocol: "HTTP/2",
    tlsVersion: "TLSv1.3",
    tlsCipher: "AEAD-AES128-GCM-SHA256",
    tlsClientAuth: {
      certPresented: "0",
      certVerified: "NONE",
      certRevoked: "0",
      certIssuerDN: "",
      certSubjectDN: "",
      certIssuerDNRFC2253: "",
      certSubjectDNRFC2253: "",
      certIssuerDNLegacy: "",
      certSubjectDNLegacy: "",
      certSerial: "",
      certIssuerSerial: "",
      certSKI: "",
      certIssuerSKI: "",
      certFingerprintSHA1: "",
      certFingerprintSHA256: "",
      certNotBefore: "",
      certNotAfter: "",
      ...tlsClientAuth,
    },
  };
}

/** `tlsClientAuth` of a connection on which Cloudflare verified `cert` (a fixtures cert). */
export function cfVerified(cert, overrides = {}) {
  return cfWith({
    certPresented: "1",
    certVerified: "SUCCESS",
    certFingerprintSHA256: cert.sha256_hex,
    certSubjectDNRFC2253: cert.subject_rfc2253,
    certSubjectDN: cert.subject_rfc2253,
    certIssuerDNRFC2253: cert.issuer_rfc2253,
    certSerial: cert.serial_hex,
    ...overrides,
  });
}
