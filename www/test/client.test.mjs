// Tool 4, Match a registration: RFC 8705 self-signed and PKI registrations against the RFC
// example certificates.
import { before, after, test } from 'node:test';
import assert from 'node:assert/strict';
import {
  serveDist, launch, openPage, assertQuietAndLocal, screenshot, conformance, text, runTool,
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

async function inspect(page, file) {
  await page.fill('#inspect-input', await conformance(file));
  await page.click('#inspect-run');
  await page.waitForSelector('#inspect-out article.cert');
}

test('a tls_client_auth registration authenticates the RFC 9440 chain', async () => {
  const tab = await openPage(browser.context, server.origin);
  const { page } = tab;
  await inspect(page, 'rfc-examples/rfc9440_chain.pem');
  await page.fill('#chain-trust', await conformance('rfc-examples/c02'));
  await page.fill('#client-registration', JSON.stringify({
    client_id: 'bc', token_endpoint_auth_method: 'tls_client_auth', tls_client_auth_subject_dn: 'cn=BC',
    tls_client_certificate_bound_access_tokens: true,
  }, null, 2));
  await page.fill('#client-time', '2020-05-20T00:00:00Z');
  await runTool(page, 'client');
  const leaf = await text(page, '#inspect-out article.cert:nth-of-type(1) [data-field="x5t#S256"]');
  assert.equal(await text(page, '#client-out .verdict'),
    `Authenticated: the certificate authenticates client "bc" (tls_client_auth). Access tokens issued to it are bound to x5t#S256 ${leaf}.`);
  await screenshot(page, '#client', 'client');

  // Another subject DN: refused with both names.
  await page.fill('#client-registration', JSON.stringify({
    client_id: 'bc', token_endpoint_auth_method: 'tls_client_auth', tls_client_auth_subject_dn: 'CN=Someone Else',
  }));
  await runTool(page, 'client');
  assert.equal(await text(page, '#client-out .verdict'),
    'Not authenticated: client "bc": certificate subject "CN=BC" does not match the registered tls_client_auth_subject_dn "CN=Someone Else"');
  assert.equal(await text(page, '#client-out .answer'), 'The token endpoint answers invalid_client (RFC 6749 §5.2).');

  // Now: the chain no longer validates.
  await page.fill('#client-registration', JSON.stringify({
    client_id: 'bc', token_endpoint_auth_method: 'tls_client_auth', tls_client_auth_subject_dn: 'CN=BC',
  }));
  await page.fill('#client-time', '');
  await runTool(page, 'client');
  assert.equal(await text(page, '#client-out .verdict'),
    'Not authenticated: client "bc": the certificate chain does not validate: leaf (CN=BC): expired at 2021-01-23T22:55:33Z');
  await screenshot(page, '#client', 'client-error');
  assertQuietAndLocal(tab);
  await page.close();
});

test('a self_signed_tls_client_auth registration matches by thumbprint', async () => {
  const tab = await openPage(browser.context, server.origin);
  const { page } = tab;
  const pem = await conformance('rfc-examples/rfc8705_appA.pem');
  await inspect(page, 'rfc-examples/rfc8705_appA.pem');
  const registrations = {
    clients: [
      { client_id: 'mtls', token_endpoint_auth_method: 'self_signed_tls_client_auth', certificates: [pem] },
      { client_id: 'other', token_endpoint_auth_method: 'self_signed_tls_client_auth',
        certificates: [await conformance('rfc-examples/c00')] },
    ],
  };
  await page.fill('#client-registration', JSON.stringify(registrations));
  await page.fill('#client-time', '2020-01-01T00:00:00Z');
  await runTool(page, 'client');
  assert.equal(await text(page, '#client-out .verdict'),
    'Cannot match: Client ID: the registration JSON holds 2 clients; enter the client_id to authenticate');
  await page.fill('#client-id', 'mtls');
  await runTool(page, 'client');
  assert.match(await text(page, '#client-out .verdict'),
    /^Authenticated: the certificate authenticates client "mtls" \(self_signed_tls_client_auth\)\. /);
  await page.fill('#client-id', 'other');
  await runTool(page, 'client');
  const x5t = await text(page, '#inspect-out [data-field="x5t#S256"]');
  assert.equal(await text(page, '#client-out .verdict'),
    `Not authenticated: client "other": the certificate (x5t#S256 ${x5t}) is not one of the client's registered self-signed certificates`);
  await page.fill('#client-id', 'nobody');
  await runTool(page, 'client');
  assert.match(await text(page, '#client-out .verdict'), /^Not authenticated: .*"nobody"/);
  assertQuietAndLocal(tab);
  await page.close();
});

test('invalid registrations are rejected with core\'s reason', async () => {
  const tab = await openPage(browser.context, server.origin);
  const { page } = tab;
  await inspect(page, 'rfc-examples/c00');
  await page.fill('#client-registration', '{"client_id": "x",');
  await runTool(page, 'client');
  assert.match(await text(page, '#client-out .verdict'), /^Cannot match: Registration: .+/);
  await page.fill('#client-registration', JSON.stringify({
    client_id: 'acme', token_endpoint_auth_method: 'tls_client_auth',
    tls_client_auth_san_dns: 'a.example', tls_client_auth_subject_dn: 'CN=acme',
  }));
  await runTool(page, 'client');
  assert.match(await text(page, '#client-out .verdict'), /^Cannot match: Registration: client "acme": .*tls_client_auth_subject_dn.*tls_client_auth_san_dns|^Cannot match: Registration: client "acme": .*tls_client_auth_san_dns.*tls_client_auth_subject_dn/);
  await page.fill('#client-registration', JSON.stringify({ client_id: 'acme', token_endpoint_auth_method: 'tls_client_auth', tls_client_auth_subject_dn: 'CN=acme', colour: 'red' }));
  await runTool(page, 'client');
  assert.match(await text(page, '#client-out .verdict'), /^Cannot match: Registration: .*colour/);
  assertQuietAndLocal(tab);
  await page.close();
});
