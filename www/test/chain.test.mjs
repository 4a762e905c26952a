// Tool 2, Validate a chain: the RFC 9440 chain (expired leaf) at a fixed time and now, wrong
// anchors, missing anchors.
import { before, after, test } from 'node:test';
import assert from 'node:assert/strict';
import {
  serveDist, launch, openPage, assertQuietAndLocal, screenshot, conformance,
  rfc9440LeafThumbprint, text, runTool,
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

async function inspectLeaf(page) {
  await page.fill('#inspect-input', await conformance('rfc-examples/c00'));
  await page.click('#inspect-run');
  await page.waitForSelector('#inspect-out article.cert');
}

test('the RFC 9440 leaf validates through its intermediate on 2020-05-20', async () => {
  const tab = await openPage(browser.context, server.origin);
  const { page } = tab;
  await inspectLeaf(page);
  await page.fill('#chain-intermediates', await conformance('rfc-examples/c01'));
  await page.fill('#chain-trust', await conformance('rfc-examples/c02'));
  await page.fill('#chain-time', '2020-05-20T00:00:00Z');
  await runTool(page, 'chain');

  assert.equal(await text(page, '#chain-out .verdict'),
    'Valid: a path to a trust anchor was found for clientAuth at 2020-05-20T00:00:00Z.');
  const path = await page.locator('#chain-out ol.path li').allInnerTexts();
  assert.equal(path.length, 3);
  assert.match(path[0], new RegExp(`^leaf CN=BC\\s+x5t#S256 ${await rfc9440LeafThumbprint()}$`));
  assert.match(path[1], /^intermediate 1 CN=LA Intermediate CA,O=Let's Authenticate\s+x5t#S256 [\w-]{43}$/);
  assert.match(path[2], /^trust anchor 1 CN=Let's Authenticate Root Authority,O=Let's Authenticate,C=US\s+x5t#S256 [\w-]{43}$/);
  await screenshot(page, '#chain', 'chain');
  assertQuietAndLocal(tab);
  await page.close();
});

test('refusals show core\'s text naming the certificate', async () => {
  const tab = await openPage(browser.context, server.origin);
  const { page } = tab;
  await inspectLeaf(page);
  await page.fill('#chain-intermediates', await conformance('rfc-examples/c01'));
  await page.fill('#chain-trust', await conformance('rfc-examples/c02'));

  // Now (empty time field): the leaf expired in 2021.
  await runTool(page, 'chain');
  assert.equal(await text(page, '#chain-out .verdict'), 'Refused: leaf (CN=BC): expired at 2021-01-23T22:55:33Z');
  assert.equal(await page.locator('#chain-out ol.path').count(), 0);

  // Wrong anchor: the RFC 8705 self-signed certificate.
  await page.fill('#chain-time', '2020-05-20T00:00:00Z');
  await page.fill('#chain-trust', await conformance('rfc-examples/rfc8705_appA.pem'));
  await runTool(page, 'chain');
  assert.match(await text(page, '#chain-out .verdict'),
    /^Refused: (leaf \(CN=BC\)|intermediate 1 \(CN=LA Intermediate CA,O=Let's Authenticate\)): issuer not found among 1 trust anchor \(issuer: .+\)$/);

  // serverAuth: the leaf is clientAuth only.
  await page.fill('#chain-trust', await conformance('rfc-examples/c02'));
  await page.selectOption('#chain-purpose', 'server');
  await runTool(page, 'chain');
  assert.match(await text(page, '#chain-out .verdict'), /^Refused: leaf \(CN=BC\): .*serverAuth/);

  // Input errors.
  await page.fill('#chain-trust', '');
  await runTool(page, 'chain');
  assert.equal(await text(page, '#chain-out .verdict'), 'Cannot validate: Trust anchors: no trust anchors were provided');
  await page.fill('#chain-trust', '-----BEGIN CERTIFICATE-----\n%%%%\n-----END CERTIFICATE-----');
  await runTool(page, 'chain');
  assert.equal(await text(page, '#chain-out .verdict'), 'Cannot validate: Trust anchors: PEM block 1: base64 invalid at line 2');
  await page.fill('#chain-trust', await conformance('rfc-examples/c02'));
  await page.fill('#chain-time', 'yesterday');
  await runTool(page, 'chain');
  assert.equal(await text(page, '#chain-out .verdict'),
    'Cannot validate: invalid time "yesterday": expected RFC 3339 (2024-05-01T12:00:00Z) or UNIX seconds');

  await screenshot(page, '#chain', 'chain-error');
  assertQuietAndLocal(tab);
  await page.close();
});

test('without an inspected certificate the tool says so', async () => {
  const tab = await openPage(browser.context, server.origin);
  await tab.page.fill('#chain-trust', await conformance('rfc-examples/c02'));
  await runTool(tab.page, 'chain');
  assert.equal(await text(tab.page, '#chain-out .verdict'), 'No certificate: inspect a certificate with tool 1 first.');
  assertQuietAndLocal(tab);
  await tab.page.close();
});
