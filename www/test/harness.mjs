// Test harness: serves www/dist on 127.0.0.1 (ephemeral port) with a tiny static server and
// drives the system Chromium through playwright-core. Every page opened through `openPage` records
// console errors, uncaught exceptions and every request, so each test can assert the page stayed
// quiet and local.
import { createServer } from 'node:http';
import { readFile, mkdtemp, mkdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, extname, join, normalize, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import assert from 'node:assert/strict';
import { chromium } from 'playwright-core';

const here = dirname(fileURLToPath(import.meta.url));
export const wwwDir = resolve(here, '..');
export const distDir = join(wwwDir, 'dist');
export const artifactsDir = join(wwwDir, 'test-artifacts');
/** Shared conformance material, read in place (never copied into the repository). */
export const conformanceDir = resolve(wwwDir, '..', '..', 'shared', 'conformance');

const TYPES = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.wasm': 'application/wasm',
  '.json': 'application/json',
};

/**
 * Starts the static server. `extra` maps paths to `{type, body}` served in addition to dist (a
 * JWKS for the fetch test, say). Resolves to `{origin, close()}`.
 */
export async function serveDist(extra = {}) {
  const server = createServer(async (req, res) => {
    try {
      const path = decodeURIComponent(new URL(req.url, 'http://127.0.0.1').pathname);
      if (Object.hasOwn(extra, path)) {
        const { type, body } = extra[path];
        res.writeHead(200, { 'content-type': type, 'cache-control': 'no-store' });
        res.end(body);
        return;
      }
      const rel = normalize(path === '/' ? '/index.html' : path);
      const file = join(distDir, rel);
      if (!file.startsWith(distDir + sep)) throw Object.assign(new Error('outside'), { code: 'ENOENT' });
      const body = await readFile(file);
      res.writeHead(200, { 'content-type': TYPES[extname(file)] ?? 'application/octet-stream' });
      res.end(body);
    } catch (err) {
      res.writeHead(err.code === 'ENOENT' || err.code === 'EISDIR' ? 404 : 500);
      res.end();
    }
  });
  await new Promise((ok) => server.listen(0, '127.0.0.1', ok));
  const { port } = server.address();
  return {
    origin: `http://127.0.0.1:${port}`,
    close: () => new Promise((ok) => server.close(ok)),
  };
}

/** Launches headless Chromium with a fresh profile. Resolves to `{context, close()}`. */
export async function launch() {
  const profile = await mkdtemp(join(tmpdir(), 'certbound-page-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium',
    headless: true,
    args: [
      '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
      '--disable-background-networking', '--disable-component-update', '--disable-sync',
    ],
    viewport: { width: 1280, height: 900 },
  });
  return {
    context,
    close: async () => {
      await context.close();
      await rm(profile, { recursive: true, force: true });
    },
  };
}

/**
 * Opens the page and waits until the wasm module is loaded. Returns `{page, problems, requests}`:
 * `problems` collects console errors and uncaught exceptions, `requests` every URL requested.
 */
export async function openPage(context, origin) {
  const page = await context.newPage();
  const problems = [];
  const requests = [];
  page.on('console', (m) => { if (m.type() === 'error') problems.push(`console: ${m.text()}`); });
  page.on('pageerror', (e) => problems.push(`uncaught: ${e.message}`));
  page.on('request', (r) => requests.push(r.url()));
  await page.goto(`${origin}/`);
  await page.waitForSelector('body[data-ready="true"]', { timeout: 15000 });
  return { page, problems, requests };
}

/** Asserts no console error, no uncaught exception and no request to any host but 127.0.0.1. */
export function assertQuietAndLocal({ problems, requests }) {
  assert.deepEqual(problems, [], 'console errors or uncaught exceptions');
  const foreign = requests.filter((u) => {
    const url = new URL(u);
    return !(url.protocol === 'data:' || url.hostname === '127.0.0.1');
  });
  assert.deepEqual(foreign, [], 'requests to hosts other than 127.0.0.1');
  assert.ok(requests.length > 0, 'the recorder saw the page load');
}

/** Saves a screenshot of one tool's section to www/test-artifacts/<name>.png. */
export async function screenshot(page, selector, name) {
  await mkdir(artifactsDir, { recursive: true });
  await page.locator(selector).screenshot({ path: join(artifactsDir, `${name}.png`) });
}

/** Reads a file of the shared conformance material. */
export async function conformance(path) {
  return readFile(join(conformanceDir, path), 'utf8');
}

/**
 * The RFC 9440 Appendix A example header values (single-line form) from the shared README:
 * `{clientCert, clientCertChain}`.
 */
export async function rfc9440Headers() {
  const readme = await conformance('rfc-examples/README.md');
  const single = readme.slice(readme.indexOf('### Same values as real single-line header values'));
  const cert = /^Client-Cert: (:[A-Za-z0-9+/=]+:)$/m.exec(single);
  const chain = /^Client-Cert-Chain: (:[A-Za-z0-9+/=]+:(?:, :[A-Za-z0-9+/=]+:)*)$/m.exec(single);
  assert.ok(cert && chain, 'RFC 9440 example headers found in the shared README');
  return { clientCert: cert[1], clientCertChain: chain[1] };
}

/** The x5t#S256 of the RFC 9440 leaf, from the README's "Derived facts" table. */
export async function rfc9440LeafThumbprint() {
  const readme = await conformance('rfc-examples/README.md');
  const m = /^\| leaf CN=BC \| \d+ \| [0-9a-f]{64} \| `([A-Za-z0-9_-]{43})` \|$/m.exec(readme);
  assert.ok(m, 'leaf row found in the shared README');
  return m[1];
}

/**
 * Submits tool `name` (`chain`, `token`, `client`) and waits until its output is rendered: these
 * tools verify with WebCrypto, so the page fills `#<name>-out` asynchronously and clears its
 * `aria-busy` when done (set during the click, so an earlier result is never read).
 */
export async function runTool(page, name) {
  await page.click(`#${name}-run`);
  await page.waitForSelector(`#${name}-out[aria-busy="false"]`, { timeout: 15000 });
}

/** The text content of an element, whitespace-collapsed. */
export async function text(page, selector) {
  const t = await page.locator(selector).innerText();
  return t.replace(/\s+/g, ' ').trim();
}
