// Tool 1, Inspect: PEM paste, DER file, errors, copy buttons, keyboard use and a phone layout.
import { before, after, test } from 'node:test';
import assert from 'node:assert/strict';
import {
  serveDist, launch, openPage, assertQuietAndLocal, screenshot, conformance,
  rfc9440LeafThumbprint, text,
} from './harness.mjs';

let server;
let browser;
before(async () => {
  server = await serveDist();
  browser = await launch();
});
after(async () => {
  await browser?.close();
  await server?.close();
});

const DAY = 86400;

/** DER of the first PEM block, decoded by the test itself (to feed the page a binary file). */
function firstDer(pem) {
  const b64 = /-----BEGIN CERTIFICATE-----([\s\S]*?)-----END CERTIFICATE-----/.exec(pem)[1];
  return Buffer.from(b64.replace(/\s+/g, ''), 'base64');
}

test('pasted RFC 9440 chain renders every certificate with pins and validity', async () => {
  const chainPem = await conformance('rfc-examples/rfc9440_chain.pem');
  const leafX5t = await rfc9440LeafThumbprint();
  const tab = await openPage(browser.context, server.origin);
  const { page } = tab;

  await page.fill('#inspect-input', chainPem);
  await page.click('#inspect-run');

  const cards = page.locator('#inspect-out article.cert');
  assert.equal(await cards.count(), 3);
  assert.equal(await text(page, '#inspect-out article.cert:nth-of-type(1) h3'), 'Certificate 1 of 3 (leaf)');
  assert.equal(await text(page, '#inspect-out article.cert:nth-of-type(3) h3'), 'Certificate 3 of 3 (root)');
  const leaf = '#inspect-out article.cert:nth-of-type(1)';
  assert.equal(await text(page, `${leaf} [data-field="x5t#S256"]`), leafX5t);
  const card = await text(page, leaf);
  assert.match(card, /Subject CN=BC Issuer CN=LA Intermediate CA,O=Let's Authenticate/);
  assert.match(card, /SAN email bdc@example\.com/);
  assert.match(card, /Key usage digitalSignature, nonRepudiation/);
  assert.match(card, /Extended key usage clientAuth/);
  assert.match(card, /Public key EC P-256/);
  assert.match(card, /Signature algorithm ecdsa-with-SHA256/);
  // Expired 2021-01-23T22:55:33Z: the page counts whole days from the browser's clock.
  const notAfter = Date.parse('2021-01-23T22:55:33Z') / 1000;
  const days = Math.floor((Date.now() / 1000 - notAfter) / DAY);
  const badge = await text(page, `${leaf} [data-validity]`);
  assert.ok([`expired ${days} days ago`, `expired ${days + 1} days ago`].includes(badge), badge);
  assert.match(card, /Validity 2020-01-14T22:55:33Z → 2021-01-23T22:55:33Z/);
  // The root (valid until 2040) reads "valid for N days".
  assert.match(await text(page, '#inspect-out article.cert:nth-of-type(3) [data-validity]'), /^valid for \d+ days$/);
  // The other tools now name the inspected certificate.
  assert.match(await text(page, '#token [data-current]'), new RegExp(`CN=BC \\(x5t#S256 ${leafX5t}\\), with 2 chain certificates`));

  await screenshot(page, '#inspect', 'inspect');
  assertQuietAndLocal(tab);
  await page.close();
});

test('a DER file chosen with the file input is inspected', async () => {
  const der = firstDer(await conformance('rfc-examples/c00'));
  const tab = await openPage(browser.context, server.origin);
  const { page } = tab;
  await page.setInputFiles('#inspect-file', { name: 'leaf.der', mimeType: 'application/pkix-cert', buffer: der });
  await page.waitForSelector('#inspect-out article.cert');
  assert.equal(await page.locator('#inspect-out article.cert').count(), 1);
  assert.equal(await text(page, '#inspect-out [data-field="x5t#S256"]'), await rfc9440LeafThumbprint());
  assertQuietAndLocal(tab);
  await page.close();
});

test('a file dropped on the input is inspected', async () => {
  const der = firstDer(await conformance('rfc-examples/c00'));
  const tab = await openPage(browser.context, server.origin);
  const { page } = tab;
  const dt = await page.evaluateHandle((bytes) => {
    const transfer = new DataTransfer();
    transfer.items.add(new File([new Uint8Array(bytes)], 'leaf.der', { type: 'application/pkix-cert' }));
    return transfer;
  }, [...der]);
  await page.dispatchEvent('#inspect-input', 'drop', { dataTransfer: dt });
  await page.waitForSelector('#inspect-out article.cert');
  assert.equal(await text(page, '#inspect-out [data-field="x5t#S256"]'), await rfc9440LeafThumbprint());
  assertQuietAndLocal(tab);
  await page.close();
});

test('bad input shows core\'s error text and clears the inspected certificate', async () => {
  const tab = await openPage(browser.context, server.origin);
  const { page } = tab;

  // First a good certificate, so we can see it being cleared.
  await page.fill('#inspect-input', await conformance('rfc-examples/rfc8705_appA.pem'));
  await page.click('#inspect-run');
  assert.match(await text(page, '#chain [data-current]'), /^Using the inspected certificate CN=mtls/);

  await page.fill('#inspect-input', '-----BEGIN CERTIFICATE-----\nMIIB!!!\n-----END CERTIFICATE-----\n');
  await page.click('#inspect-run');
  assert.equal(await text(page, '#inspect-out [role="alert"]'),
    'Cannot read this certificate: PEM block 1: base64 invalid at line 2');
  assert.equal(await page.locator('#inspect-out article.cert').count(), 0);
  assert.equal(await text(page, '#chain [data-current]'), 'No certificate inspected yet: use tool 1 first.');

  await page.fill('#inspect-input', '');
  await page.click('#inspect-run');
  assert.equal(await text(page, '#inspect-out [role="alert"]'),
    "Cannot read this certificate: no certificate found: expected DER, or PEM with a '-----BEGIN CERTIFICATE-----' block");

  // A binary file that is not a certificate: core's DER error with the byte position. (Clear
  // first: the file is read asynchronously, so wait for a fresh alert.)
  await page.click('#inspect-clear');
  await page.setInputFiles('#inspect-file', { name: 'junk.der', mimeType: 'application/octet-stream', buffer: Buffer.from([0x30, 0x03, 0x02, 0x01]) });
  await page.waitForSelector('#inspect-out [role="alert"]');
  assert.match(await text(page, '#inspect-out [role="alert"]'), /^Cannot read this certificate: certificate 1: DER: .+ at byte \d+$/);

  await screenshot(page, '#inspect', 'inspect-error');
  assertQuietAndLocal(tab);
  await page.close();
});

test('copy buttons put the exact pin on the clipboard', async () => {
  const tab = await openPage(browser.context, server.origin);
  const { page } = tab;
  await browser.context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: server.origin });
  await page.fill('#inspect-input', await conformance('rfc-examples/c00'));
  await page.click('#inspect-run');
  for (const field of ['x5t#S256', 'sha256', 'spki_sha256']) {
    const shown = await text(page, `#inspect-out [data-field="${field}"]`);
    await page.locator(`#inspect-out [data-field="${field}"] + button.copy`).click();
    assert.equal(await page.evaluate(() => navigator.clipboard.readText()), shown);
  }
  assert.equal(await page.locator('button[aria-label="Copy x5t#S256"]').count(), 1);
  assertQuietAndLocal(tab);
  await page.close();
});

test('keyboard only: labelled controls, tab order and Enter submit', async () => {
  const tab = await openPage(browser.context, server.origin);
  const { page } = tab;
  // Every form control has a label.
  const unlabelled = await page.evaluate(() => [...document.querySelectorAll('input, select, textarea')]
    .filter((c) => !c.labels || c.labels.length === 0).map((c) => c.id));
  assert.deepEqual(unlabelled, []);
  // Controls are real buttons, never clickable divs.
  assert.equal(await page.locator('[onclick], div[role="button"]').count(), 0);

  await page.focus('#inspect-source');
  const order = [];
  for (let i = 0; i < 5; i++) {
    await page.keyboard.press('Tab');
    order.push(await page.evaluate(() => document.activeElement.id));
  }
  assert.deepEqual(order.slice(0, 4), ['inspect-input', 'inspect-file', 'inspect-run', 'inspect-clear']);

  await page.focus('#inspect-input');
  await page.keyboard.insertText(await conformance('rfc-examples/c00'));
  await page.focus('#inspect-run');
  await page.keyboard.press('Enter');
  await page.waitForSelector('#inspect-out article.cert');
  assert.equal(await text(page, '#inspect-out [data-field="x5t#S256"]'), await rfc9440LeafThumbprint());
  assertQuietAndLocal(tab);
  await page.close();
});

test('reads on a phone: no horizontal scrolling', async () => {
  const tab = await openPage(browser.context, server.origin);
  const { page } = tab;
  await page.setViewportSize({ width: 390, height: 844 });
  await page.fill('#inspect-input', await conformance('rfc-examples/rfc9440_chain.pem'));
  await page.click('#inspect-run');
  await page.fill('#chain-trust', await conformance('rfc-examples/c02'));
  await page.fill('#chain-time', '2020-05-20T00:00:00Z');
  await page.click('#chain-run');
  await page.waitForSelector('#chain-out ol.path');
  await page.fill('#client-registration', '{"client_id": "bc", "token_endpoint_auth_method": "tls_client_auth", "tls_client_auth_subject_dn": "CN=Somebody Else Entirely"}');
  await page.click('#client-run');
  await page.waitForSelector('#client-out .verdict');
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
  assert.equal(overflow, 0);
  await page.screenshot({ path: new URL('../test-artifacts/phone.png', import.meta.url).pathname, fullPage: true });
  await screenshot(page, '#chain', 'phone-chain');
  assertQuietAndLocal(tab);
  await page.close();
});

test('the page says everything stays in the page', async () => {
  const tab = await openPage(browser.context, server.origin);
  assert.match(await text(tab.page, '#privacy'), /^Everything stays in this page\./);
  await tab.page.close();
});

test('a missing wasm module is reported on the page, not a blank page', async () => {
  const page = await browser.context.newPage();
  const uncaught = [];
  page.on('pageerror', (e) => uncaught.push(e.message));
  await page.route('**/certbound_www_bg.wasm', (route) => route.fulfill({ status: 404, body: '' }));
  await page.goto(`${server.origin}/`);
  await page.waitForSelector('#load-status.bad');
  assert.match(await text(page, '#load-status'), /^Could not load the WebAssembly module \(.+\)\. Serve the page over HTTP/);
  assert.equal(await page.isDisabled('#inspect-run'), true);
  assert.deepEqual(uncaught, []);
  await page.close();
});
