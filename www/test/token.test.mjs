// Tool 3, Check a token: ES256 tokens signed here with node:crypto, bound (or not) to the RFC
// 9440 leaf, checked against a JWKS pasted or fetched from the test server.
import { before, after, test } from 'node:test';
import assert from 'node:assert/strict';
import { generateKeyPairSync, sign, randomUUID } from 'node:crypto';
import {
  serveDist, launch, openPage, assertQuietAndLocal, screenshot, conformance,
  rfc9440LeafThumbprint, text, runTool,
} from './harness.mjs';

const ISS = 'https://as.example';
const AUD = 'https://api.example';

const { publicKey, privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
const jwk = { ...publicKey.export({ format: 'jwk' }), kid: 'k1', alg: 'ES256', use: 'sig' };
const JWKS = JSON.stringify({ keys: [jwk] });

const b64url = (v) => Buffer.from(typeof v === 'string' ? v : JSON.stringify(v)).toString('base64url');

/** An RFC 9068 access token signed with the test key (P1363 r‖s, as JWS requires). */
function mint(claims, header = {}) {
  const now = Math.floor(Date.now() / 1000);
  const h = { alg: 'ES256', typ: 'at+jwt', kid: 'k1', ...header };
  const c = {
    iss: ISS, aud: AUD, sub: 'alice', client_id: 'bc', iat: now - 60, exp: now + 3600, jti: randomUUID(),
    scope: 'read', ...claims,
  };
  const input = `${b64url(h)}.${b64url(c)}`;
  const sig = sign('sha256', Buffer.from(input), { key: privateKey, dsaEncoding: 'ieee-p1363' });
  return `${input}.${sig.toString('base64url')}`;
}

/** The RFC 8705 Appendix A cnf thumbprint, from the shared README (another certificate). */
async function otherThumbprint() {
  const readme = await conformance('rfc-examples/README.md');
  return /"cnf":\{"x5t#S256":"([\w-]{43})"\}/.exec(readme)[1];
}

let server;
let browser;
before(async () => {
  server = await serveDist({ '/jwks.json': { type: 'application/json', body: JWKS } });
  browser = await launch();
});
after(async () => {
  await browser?.close();
  await server?.close();
});

async function setUp(page, token, { inspect = true } = {}) {
  if (inspect) {
    await page.fill('#inspect-input', await conformance('rfc-examples/c00'));
    await page.click('#inspect-run');
    await page.waitForSelector('#inspect-out article.cert');
  }
  await page.fill('#token-jwt', token);
  await page.fill('#token-jwks', JWKS);
  await page.fill('#token-issuer', ISS);
  await page.fill('#token-audience', AUD);
}

test('a token bound to the inspected certificate is valid', async () => {
  const x5t = await rfc9440LeafThumbprint();
  const tab = await openPage(browser.context, server.origin);
  const { page } = tab;
  await setUp(page, mint({ cnf: { 'x5t#S256': x5t } }));
  // Only ES256 is allowed by default, as in core.
  assert.deepEqual(await page.locator('#token-algorithms input:checked').evaluateAll((i) => i.map((x) => x.value)), ['ES256']);
  await runTool(page, 'token');
  assert.equal(await text(page, '#token-out .verdict'), 'Valid token: the protected resource accepts it.');
  assert.equal(await text(page, '#token-out [data-field="signature"]'), 'Valid: verified with the matching JWKS key.');
  assert.equal(await text(page, '#token-out [data-field="binding"]'),
    `Bound: cnf x5t#S256 ${x5t} is the inspected certificate's thumbprint.`);
  assert.match(await text(page, '#token-out [data-field="expiry"]'), /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ: expires in (59|60) minutes$/);
  assert.match(await text(page, '#token-out'), /Claims \(decoded, unverified\) \{ "aud": "https:\/\/api\.example",/);
  await screenshot(page, '#token', 'token');
  assertQuietAndLocal(tab);
  await page.close();
});

test('refused tokens show core\'s text and the WWW-Authenticate answer', async () => {
  const x5t = await rfc9440LeafThumbprint();
  const other = await otherThumbprint();
  const tab = await openPage(browser.context, server.origin);
  const { page } = tab;

  // Bound to another certificate: refused before the signature is checked.
  await setUp(page, mint({ cnf: { 'x5t#S256': other } }));
  await runTool(page, 'token');
  assert.equal(await text(page, '#token-out .verdict'),
    `Refused: access token is bound to certificate x5t#S256 ${other}, but the request presented ${x5t}`);
  assert.equal(await text(page, '#token-out [data-field="www-authenticate"]'),
    'WWW-Authenticate: Bearer error="invalid_token", error_description="The access token is bound to a different client certificate"');
  // Core refuses before verifying; the page still checks the signature, for information.
  assert.equal(await text(page, '#token-out [data-field="signature"]'),
    'Valid: verified with the matching JWKS key (for information only: the token is refused for the reason above).');
  assert.equal(await page.getAttribute('#token-out [data-field="binding"]', 'data-state'), 'mismatch');
  await screenshot(page, '#token', 'token-error');

  // A forged signature (last signature byte flipped).
  const good = mint({ cnf: { 'x5t#S256': x5t } });
  const [h, p, s] = good.split('.');
  const sig = Buffer.from(s, 'base64url');
  sig[sig.length - 1] ^= 1;
  await page.fill('#token-jwt', `${h}.${p}.${sig.toString('base64url')}`);
  await runTool(page, 'token');
  assert.equal(await text(page, '#token-out .verdict'), 'Refused: access token signature verification failed');
  assert.equal(await text(page, '#token-out [data-field="signature"]'), 'Invalid: the signature does not verify with the selected JWKS key.');

  // Expired two hours ago.
  const now = Math.floor(Date.now() / 1000);
  await page.fill('#token-jwt', mint({ cnf: { 'x5t#S256': x5t }, iat: now - 10000, exp: now - 7200 }));
  await runTool(page, 'token');
  assert.match(await text(page, '#token-out .verdict'), /^Refused: access token expired at \S+Z \(exp \d+\); validation time \S+Z is 72\d\d s later, beyond the 60 s leeway$/);
  assert.match(await text(page, '#token-out [data-field="expiry"]'), /expired 2 hours ago$/);

  // Unbound token: refused by default, accepted when the relaxation is ticked.
  await page.fill('#token-jwt', mint({}));
  await runTool(page, 'token');
  assert.equal(await text(page, '#token-out .verdict'),
    'Refused: access token is not certificate-bound (no cnf x5t#S256), and this resource server requires binding');
  await page.check('#token-allow-unbound');
  await runTool(page, 'token');
  assert.equal(await text(page, '#token-out .verdict'), 'Valid token: the protected resource accepts it.');
  assert.match(await text(page, '#token-out [data-field="binding"]'), /^Not bound: the token has no cnf claim/);
  await page.uncheck('#token-allow-unbound');

  // alg:none never gets through.
  await page.fill('#token-jwt', `${b64url({ alg: 'none', typ: 'at+jwt' })}.${b64url({ iss: ISS })}.${b64url('x')}`);
  await runTool(page, 'token');
  assert.match(await text(page, '#token-out .verdict'), /^Refused: .*"none"/);
  assert.equal(await text(page, '#token-out [data-field="signature"]'),
    'Not checked: the token does not decode, or no allowed algorithm and JWKS key fit its header.');

  // A forged and expired token: refused for expiry, and the signature shows as invalid.
  const expired = mint({ cnf: { 'x5t#S256': x5t }, iat: now - 10000, exp: now - 7200 }).split('.');
  await page.fill('#token-jwt', `${expired[0]}.${expired[1]}.${sig.toString('base64url')}`);
  await runTool(page, 'token');
  assert.match(await text(page, '#token-out .verdict'), /^Refused: access token expired at /);
  assert.equal(await text(page, '#token-out [data-field="signature"]'), 'Invalid: the signature does not verify with the selected JWKS key.');

  // Garbage and configuration errors.
  await page.fill('#token-jwt', 'not-a-jwt');
  await runTool(page, 'token');
  assert.match(await text(page, '#token-out .verdict'), /^Refused: access token .+/);
  assert.match(await text(page, '#token-out'), /Header and claims Cannot decode: access token/);
  await page.fill('#token-jwks', '{"keys": 5}');
  await runTool(page, 'token');
  assert.match(await text(page, '#token-out .verdict'), /^Cannot check: JWKS: .+/);
  assertQuietAndLocal(tab);
  await page.close();
});

test('without an inspected certificate a bound token is refused and says why', async () => {
  const tab = await openPage(browser.context, server.origin);
  const { page } = tab;
  await setUp(page, mint({ cnf: { 'x5t#S256': await rfc9440LeafThumbprint() } }), { inspect: false });
  await runTool(page, 'token');
  assert.match(await text(page, '#token-out .verdict'), /^Refused: access token is bound to a client certificate/);
  assert.equal(await page.getAttribute('#token-out [data-field="binding"]', 'data-state'), 'no_certificate');
  assertQuietAndLocal(tab);
  await page.close();
});

test('the JWKS is fetched from a typed URL only on click', async () => {
  const tab = await openPage(browser.context, server.origin);
  const { page } = tab;
  await setUp(page, mint({ cnf: { 'x5t#S256': await rfc9440LeafThumbprint() } }));
  await page.fill('#token-jwks', '');
  const before = tab.requests.filter((u) => u.endsWith('/jwks.json')).length;
  await page.fill('#token-jwks-url', `${server.origin}/jwks.json`);
  assert.equal(tab.requests.filter((u) => u.endsWith('/jwks.json')).length, before, 'typing does not fetch');
  await page.click('#token-fetch');
  await page.waitForSelector('#token-out .verdict.good');
  assert.equal(await page.inputValue('#token-jwks'), JWKS);
  await runTool(page, 'token');
  assert.equal(await text(page, '#token-out .verdict'), 'Valid token: the protected resource accepts it.');

  await page.fill('#token-jwks-url', `${server.origin}/missing.json`);
  await page.click('#token-fetch');
  await page.waitForSelector('#token-out .verdict.bad');
  assert.equal(await text(page, '#token-out .verdict'), `Cannot fetch the JWKS: HTTP 404 from ${server.origin}`);
  await page.fill('#token-jwks-url', 'ftp://example.org/jwks');
  await page.click('#token-fetch');
  assert.equal(await text(page, '#token-out .verdict'), 'Cannot fetch the JWKS: only http: and https: URLs can be fetched');
  // The 404 is the page's own request; Chromium logs it as a console error, which is expected here.
  tab.problems.splice(0, tab.problems.length, ...tab.problems.filter((p) => !/404 \(Not Found\)/.test(p)));
  assertQuietAndLocal(tab);
  await page.close();
});
