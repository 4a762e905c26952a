// Tool 1 with forwarded header values: the RFC 9440 Appendix A headers, read from the shared
// README at test time.
import { before, after, test } from 'node:test';
import assert from 'node:assert/strict';
import {
  serveDist, launch, openPage, assertQuietAndLocal, screenshot, rfc9440Headers,
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

test('every core source is offered, and RFC 9440 headers decode to leaf and chain', async () => {
  const { clientCert, clientCertChain } = await rfc9440Headers();
  const tab = await openPage(browser.context, server.origin);
  const { page } = tab;
  const offered = await page.locator('#inspect-source optgroup option').evaluateAll((os) => os.map((o) => o.value));
  assert.deepEqual(offered, ['rfc9440', 'cloudflare', 'envoy', 'nginx', 'aws-alb', 'traefik', 'haproxy', 'azure']);

  await page.selectOption('#inspect-source', 'rfc9440');
  assert.equal(await page.isVisible('#inspect-chain'), true);
  assert.match(await text(page, '#inspect-source-note'), /Client-Cert, Client-Cert-Chain$/);
  await page.fill('#inspect-input', clientCert);
  await page.fill('#inspect-chain', clientCertChain);
  await page.click('#inspect-run');
  assert.equal(await page.locator('#inspect-out article.cert').count(), 3);
  assert.equal(await text(page, '#inspect-out article.cert:nth-of-type(1) [data-field="x5t#S256"]'), await rfc9440LeafThumbprint());
  assert.match(await text(page, '#chain [data-current]'), /^Using the inspected certificate CN=BC .*, with 2 chain certificates\.$/);
  await screenshot(page, '#inspect', 'inspect-forwarded');

  // The same leaf as the Cloudflare header (base64 DER without the RFC 8941 colons); the chain
  // field is hidden for sources that carry no second header.
  await page.selectOption('#inspect-source', 'cloudflare');
  assert.equal(await page.isVisible('#inspect-chain'), false);
  await page.fill('#inspect-input', clientCert.slice(1, -1));
  await page.click('#inspect-run');
  assert.equal(await page.locator('#inspect-out article.cert').count(), 1);
  assert.equal(await text(page, '#inspect-out [data-field="x5t#S256"]'), await rfc9440LeafThumbprint());
  assertQuietAndLocal(tab);
  await page.close();
});

test('bad header values show core\'s error', async () => {
  const { clientCert } = await rfc9440Headers();
  const tab = await openPage(browser.context, server.origin);
  const { page } = tab;
  await page.selectOption('#inspect-source', 'rfc9440');
  await page.fill('#inspect-input', '');
  await page.click('#inspect-run');
  assert.equal(await text(page, '#inspect-out [role="alert"]'),
    'Cannot read this certificate: header Client-Cert is present but empty: the proxy must omit it when the client sent no certificate');

  // Base64 DER without the colons is not an RFC 8941 byte sequence.
  await page.fill('#inspect-input', clientCert.slice(1, -1));
  await page.click('#inspect-run');
  assert.match(await text(page, '#inspect-out [role="alert"]'), /^Cannot read this certificate: header Client-Cert: .+/);
  assert.equal(await page.locator('#inspect-out article.cert').count(), 0);

  // A truncated certificate inside a valid byte sequence.
  await page.fill('#inspect-input', `${clientCert.slice(0, 101)}:`);
  await page.click('#inspect-run');
  assert.match(await text(page, '#inspect-out [role="alert"]'), /^Cannot read this certificate: header Client-Cert: /);
  await screenshot(page, '#inspect', 'inspect-forwarded-error');
  assertQuietAndLocal(tab);
  await page.close();
});
