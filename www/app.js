// certbound demo page. Every decision is made by certbound-core (wasm); this file only reads the
// form, calls the wasm wrappers and renders what they return. Errors shown are core's own text.
// The DOM is built with textContent only: certificate and token fields never become markup.
// Tools 2–4 verify signatures with the browser's WebCrypto, so their wasm calls are async.
import init, * as wasm from './pkg/certbound_www.js';

const $ = (id) => document.getElementById(id);

/** The inspected certificate (a wasm `Inspected`), shared by tools 2–4. */
let current = null;

/** Async wasm calls still borrowing an `Inspected`: freeing it before they settle would throw. */
const borrowing = new Set();

/** Awaits `call(current)`, keeping `current` alive (see `setCurrent`) until it settles. */
async function withCurrent(call) {
  const pending = call(current);
  borrowing.add(pending);
  try {
    return await pending;
  } finally {
    borrowing.delete(pending);
  }
}

/** Latest run number per output: a slower earlier run never replaces a newer run's result. */
const runs = new Map();

/**
 * Runs `work(latest)` with `out` marked busy (`aria-busy="true"`, `"false"` when done: the tests
 * wait on it); `latest()` says whether this run is still the newest one for `out`.
 */
async function run(out, work) {
  const n = (runs.get(out.id) ?? 0) + 1;
  runs.set(out.id, n);
  out.setAttribute('aria-busy', 'true');
  try {
    await work(() => runs.get(out.id) === n);
  } finally {
    if (runs.get(out.id) === n) out.setAttribute('aria-busy', 'false');
  }
}

// ---------------------------------------------------------------------------------------------
// Small DOM helpers.

function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (v === undefined || v === null || v === false) continue;
    if (k === 'class') node.className = v;
    else if (k === 'text') node.textContent = v;
    else node.setAttribute(k, v === true ? '' : String(v));
  }
  for (const c of children.flat()) {
    if (c === null || c === undefined || c === false) continue;
    node.append(c instanceof Node ? c : document.createTextNode(String(c)));
  }
  return node;
}

function message(err) {
  if (err instanceof Error) return err.message;
  return String(err);
}

function showError(out, title, err) {
  out.replaceChildren(
    el('div', { class: 'verdict bad', role: 'alert' },
      el('strong', { text: title }), ' ',
      el('span', { class: 'msg', text: message(err) })));
}

function verdict(ok, title, detail) {
  return el('div', { class: `verdict ${ok ? 'good' : 'bad'}`, role: ok ? 'status' : 'alert' },
    el('strong', { text: title }), detail ? ' ' : null,
    detail ? el('span', { class: 'msg', text: detail }) : null);
}

function nowSeconds() {
  return Date.now() / 1000;
}

/** The time in a "Verification time" field: empty = now, else parsed by core (RFC 3339 / UNIX). */
function timeFrom(input) {
  const text = input.value.trim();
  return text === '' ? nowSeconds() : wasm.parseTime(text);
}

function plural(n, word) {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}

/** "valid for 20 days" / "expired 3 days ago" / "not valid for another 11 days". */
function validityText(v) {
  const d = v.days === 0 ? 'less than a day' : plural(v.days, 'day');
  switch (v.status) {
    case 'valid': return `valid for ${d}`;
    case 'expired': return v.days === 0 ? 'expired less than a day ago' : `expired ${d} ago`;
    default: return `not valid for another ${d}`;
  }
}

function copyButton(label, value) {
  const button = el('button', { type: 'button', class: 'copy secondary', 'aria-label': `Copy ${label}`, text: 'Copy' });
  button.addEventListener('click', async () => {
    try {
      await navigator.clipboard.writeText(value);
      button.textContent = 'Copied';
    } catch {
      // No clipboard permission: select the value so Ctrl+C works.
      const code = button.previousElementSibling;
      const range = document.createRange();
      range.selectNodeContents(code);
      const sel = window.getSelection();
      sel.removeAllRanges();
      sel.addRange(range);
      button.textContent = 'Selected: press Ctrl+C';
    }
    setTimeout(() => { button.textContent = 'Copy'; }, 2000);
  });
  return button;
}

function row(dl, term, ...value) {
  dl.append(el('dt', { text: term }), el('dd', {}, ...value));
}

function list(values) {
  return values && values.length ? values.join(', ') : '—';
}

// ---------------------------------------------------------------------------------------------
// 1. Inspect.

function renderCertificate(c, i, n) {
  const s = c.summary;
  const role = i === 0 ? 'leaf' : (i === n - 1 && c.self_issued ? 'root' : 'chain');
  const dl = el('dl');
  row(dl, 'Subject', el('span', { class: 'dn', text: s.subject }));
  row(dl, 'Issuer', el('span', { class: 'dn', text: s.issuer }));
  row(dl, 'Serial', el('code', { text: s.serial }));
  row(dl, 'Validity', `${s.not_before} → ${s.not_after} `,
    el('span', { class: `badge ${c.validity.status}`, 'data-validity': c.validity.status, text: validityText(c.validity) }));
  row(dl, 'SAN DNS', list(s.san.dns));
  row(dl, 'SAN URI', list(s.san.uri));
  row(dl, 'SAN IP', list(s.san.ip));
  row(dl, 'SAN email', list(s.san.email));
  if (s.san.other.length) row(dl, 'SAN other', list(s.san.other));
  row(dl, 'Key usage', s.key_usage ? list(s.key_usage) : '(absent)');
  row(dl, 'Extended key usage', s.extended_key_usage ? list(s.extended_key_usage) : '(absent)');
  row(dl, 'CA', s.is_ca ? (s.path_len !== null ? `yes (path length ${s.path_len})` : 'yes') : 'no');
  row(dl, 'Public key', s.public_key);
  row(dl, 'Signature algorithm', s.signature_algorithm);
  for (const [label, key] of [['x5t#S256', 'x5t#S256'], ['SHA-256', 'sha256'], ['SPKI SHA-256 (pin)', 'spki_sha256']]) {
    row(dl, label, el('code', { class: 'pin', 'data-field': key, text: s[key] }), copyButton(label, s[key]));
  }
  return el('article', { class: 'cert', 'aria-label': `Certificate ${i + 1} of ${n}` },
    el('h3', { text: `Certificate ${i + 1} of ${n} (${role})` }), dl);
}

function setCurrent(inspected) {
  if (current) {
    const old = current;
    Promise.allSettled([...borrowing]).then(() => old.free());
  }
  current = inspected;
  for (const p of document.querySelectorAll('[data-current]')) {
    if (!current) {
      p.textContent = 'No certificate inspected yet: use tool 1 first.';
      p.classList.remove('ready');
      continue;
    }
    const extra = current.count > 1 ? `, with ${plural(current.count - 1, 'chain certificate')}` : '';
    p.replaceChildren('Using the inspected certificate ', el('span', { class: 'dn', text: current.subject }),
      ' (x5t#S256 ', el('code', { text: current.thumbprint }), `)${extra}.`);
    p.classList.add('ready');
  }
}

function showInspected(inspected) {
  const out = $('inspect-out');
  setCurrent(inspected);
  const view = inspected.view(nowSeconds());
  const n = view.certificates.length;
  out.replaceChildren(...view.certificates.map((c, i) => renderCertificate(c, i, n)));
}

function inspectWith(make) {
  const out = $('inspect-out');
  try {
    showInspected(make());
  } catch (err) {
    setCurrent(null);
    showError(out, 'Cannot read this certificate:', err);
  }
}

function inspectText() {
  const source = $('inspect-source').value;
  const text = $('inspect-input').value;
  if (source === 'bundle') {
    inspectWith(() => wasm.Inspected.fromBundle(new TextEncoder().encode(text)));
  } else {
    const chain = $('inspect-chain-field').hidden ? '' : $('inspect-chain').value.trim();
    inspectWith(() => wasm.Inspected.fromHeader(source, text, chain === '' ? undefined : chain));
  }
}

async function inspectFile(file) {
  const out = $('inspect-out');
  try {
    const bytes = new Uint8Array(await file.arrayBuffer());
    $('inspect-source').value = 'bundle';
    onSourceChange();
    inspectWith(() => wasm.Inspected.fromBundle(bytes));
  } catch (err) {
    setCurrent(null);
    showError(out, `Cannot read ${file.name}:`, err);
  }
}

function onSourceChange() {
  const select = $('inspect-source');
  const source = select.value;
  const forwarded = source !== 'bundle';
  // Only RFC 9440 carries the chain in a second header; the other formats embed it.
  $('inspect-chain-field').hidden = source !== 'rfc9440';
  $('inspect-input-label').textContent = forwarded
    ? 'Certificate header value (as it appears after "Name: ")'
    : 'Certificate (PEM), or drop a file here';
  const note = $('inspect-source-note');
  note.textContent = forwarded
    ? `Headers this source reads (a server strips them from requests that bypass the proxy): ${select.selectedOptions[0].dataset.headers}`
    : '';
}

function setUpInspect() {
  const select = $('inspect-source');
  const group = el('optgroup', { label: 'Forwarded header value, written by' });
  for (const s of wasm.forwardedSources()) {
    group.append(el('option', { value: s.name, 'data-headers': s.headers.join(', '), text: `${s.name} (${s.headers[0]})` }));
  }
  select.append(group);
  select.addEventListener('change', onSourceChange);
  $('inspect-form').addEventListener('submit', (e) => { e.preventDefault(); inspectText(); });
  $('inspect-clear').addEventListener('click', () => {
    $('inspect-input').value = '';
    $('inspect-chain').value = '';
    $('inspect-file').value = '';
    $('inspect-out').replaceChildren();
    setCurrent(null);
  });
  $('inspect-file').addEventListener('change', (e) => {
    const file = e.target.files && e.target.files[0];
    if (file) inspectFile(file);
  });
  const area = $('inspect-input');
  area.addEventListener('dragover', (e) => { e.preventDefault(); area.classList.add('drop'); });
  area.addEventListener('dragleave', () => area.classList.remove('drop'));
  area.addEventListener('drop', (e) => {
    area.classList.remove('drop');
    const file = e.dataTransfer && e.dataTransfer.files && e.dataTransfer.files[0];
    if (file) {
      e.preventDefault();
      inspectFile(file);
    }
  });
}

// ---------------------------------------------------------------------------------------------
// Shared by tools 2–4.

function needCurrent(out) {
  if (current) return true;
  showError(out, 'No certificate:', 'inspect a certificate with tool 1 first.');
  return false;
}

function encode(text) {
  return new TextEncoder().encode(text);
}

function certLine(c) {
  return el('li', {},
    el('strong', { text: c.role }), ' ',
    el('span', { class: 'dn', text: c.subject || '(empty subject)' }), el('br'),
    'x5t#S256 ', el('code', { text: c['x5t#S256'] }));
}

function panel(title, ...children) {
  return el('div', { class: 'panel' }, el('h3', { text: title }), ...children);
}

function json(value) {
  return el('pre', { class: 'json', text: JSON.stringify(value, null, 2) });
}

// ---------------------------------------------------------------------------------------------
// 2. Validate a chain.

function runChain() {
  const out = $('chain-out');
  return run(out, (latest) => chain(out, latest));
}

async function chain(out, latest) {
  if (!needCurrent(out)) return;
  let result;
  try {
    const intermediates = encode($('chain-intermediates').value);
    const trust = encode($('chain-trust').value);
    const purpose = $('chain-purpose').value;
    const time = timeFrom($('chain-time'));
    result = await withCurrent((c) => wasm.verifyChain(c, intermediates, trust, purpose, time));
  } catch (err) {
    if (latest()) showError(out, 'Cannot validate:', err);
    return;
  }
  if (!latest()) return;
  const parts = [];
  if (result.valid) {
    parts.push(verdict(true, 'Valid:', `a path to a trust anchor was found for ${result.purpose} at ${result.time}.`));
    parts.push(panel('Path found (leaf → trust anchor)', el('ol', { class: 'path' }, result.path.map(certLine))));
  } else {
    parts.push(verdict(false, 'Refused:', result.error));
    parts.push(el('p', { class: 'hint', text: `Purpose ${result.purpose}, verification time ${result.time}.` }));
  }
  parts.push(panel('Certificates given', el('ul', { class: 'path' }, result.inputs.map(certLine))));
  out.replaceChildren(...parts);
}

// ---------------------------------------------------------------------------------------------
// 3. Check a token.

function relative(seconds) {
  const abs = Math.abs(seconds);
  if (abs < 120) return plural(Math.round(abs), 'second');
  if (abs < 2 * 3600) return plural(Math.round(abs / 60), 'minute');
  if (abs < 2 * 86400) return plural(Math.round(abs / 3600), 'hour');
  return plural(Math.floor(abs / 86400), 'day');
}

function bindingText(b) {
  switch (b.state) {
    case 'bound': return `Bound: cnf x5t#S256 ${b.cnf} is the inspected certificate's thumbprint.`;
    case 'unbound': return 'Not bound: the token has no cnf claim, so any holder can use it (a plain bearer token).';
    case 'no_certificate': return `${b.message}. Inspect the client certificate with tool 1 to check the binding.`;
    default: return b.message;
  }
}

function runToken() {
  const out = $('token-out');
  return run(out, (latest) => token(out, latest));
}

async function token(out, latest) {
  const algorithms = [...document.querySelectorAll('#token-algorithms input:checked')].map((c) => c.value);
  let r;
  try {
    r = await wasm.checkToken($('token-jwt').value, $('token-jwks').value, $('token-issuer').value,
      $('token-audience').value, algorithms, $('token-allow-unbound').checked,
      $('token-allow-untyped').checked, current ? current.thumbprint : undefined, timeFrom($('token-time')));
  } catch (err) {
    if (latest()) showError(out, 'Cannot check:', err);
    return;
  }
  if (!latest()) return;
  const parts = [];
  if (r.valid) {
    parts.push(verdict(true, 'Valid token:', 'the protected resource accepts it.'));
  } else {
    parts.push(verdict(false, 'Refused:', r.error));
    parts.push(el('p', { class: 'answer' }, `The server and the worker answer HTTP ${r.status} with `,
      el('code', { 'data-field': 'www-authenticate', text: `WWW-Authenticate: ${r.www_authenticate}` })));
  }
  const sig = {
    valid: r.valid
      ? 'Valid: verified with the matching JWKS key.'
      : 'Valid: verified with the matching JWKS key (for information only: the token is refused for the reason above).',
    invalid: 'Invalid: the signature does not verify with the selected JWKS key.',
    not_checked: 'Not checked: the token does not decode, or no allowed algorithm and JWKS key fit its header.',
  }[r.signature];
  parts.push(panel('Signature', el('p', { 'data-field': 'signature', text: sig })));
  if (r.exp !== null && r.exp !== undefined) {
    const delta = r.exp - r.now;
    parts.push(panel('Expiry', el('p', { 'data-field': 'expiry',
      text: `${r.exp_rfc3339}: ${delta >= 0 ? `expires in ${relative(delta)}` : `expired ${relative(delta)} ago`}` })));
  }
  if (r.binding) {
    parts.push(panel('Certificate binding (cnf)',
      el('p', { 'data-field': 'binding', 'data-state': r.binding.state, text: bindingText(r.binding) })));
  }
  if (r.decode_error) parts.push(panel('Header and claims', el('p', { text: `Cannot decode: ${r.decode_error}` })));
  if (r.header) parts.push(panel('Header (decoded, unverified)', json(r.header)));
  if (r.claims) parts.push(panel('Claims (decoded, unverified)', json(r.claims)));
  out.replaceChildren(...parts);
}

async function fetchJwks() {
  const out = $('token-out');
  const text = $('token-jwks-url').value.trim();
  let url;
  try {
    url = new URL(text);
    if (url.protocol !== 'https:' && url.protocol !== 'http:') throw new Error('only http: and https: URLs can be fetched');
  } catch (err) {
    showError(out, 'Cannot fetch the JWKS:', err instanceof TypeError ? `${JSON.stringify(text)} is not a URL` : err);
    return;
  }
  const button = $('token-fetch');
  button.disabled = true;
  try {
    const response = await fetch(url, {
      credentials: 'omit', referrerPolicy: 'no-referrer', cache: 'no-store', signal: AbortSignal.timeout(15000),
    });
    if (!response.ok) throw new Error(`HTTP ${response.status} from ${url.origin}`);
    const body = await response.text();
    $('token-jwks').value = body;
    out.replaceChildren(verdict(true, 'Fetched:', `${body.length} characters from ${url.href} into the JWKS field.`));
  } catch (err) {
    let why = message(err);
    if (err instanceof TypeError) why = `${err.message} (network error, or the server does not allow cross-origin requests: CORS)`;
    else if (err instanceof DOMException && err.name === 'TimeoutError') why = 'no answer within 15 seconds';
    showError(out, 'Cannot fetch the JWKS:', why);
  } finally {
    button.disabled = false;
  }
}

// ---------------------------------------------------------------------------------------------
// 4. Match a registration.

function runClient() {
  const out = $('client-out');
  return run(out, (latest) => client(out, latest));
}

async function client(out, latest) {
  if (!needCurrent(out)) return;
  let r;
  try {
    const registration = $('client-registration').value;
    const clientId = $('client-id').value;
    const trust = encode($('chain-trust').value);
    const time = timeFrom($('client-time'));
    r = await withCurrent((c) => wasm.matchRegistration(c, registration, clientId, trust, time));
  } catch (err) {
    if (latest()) showError(out, 'Cannot match:', err);
    return;
  }
  if (!latest()) return;
  if (r.authenticated) {
    const binding = r.bound_tokens
      ? `Access tokens issued to it are bound to x5t#S256 ${r['x5t#S256']}.`
      : 'Its registration does not ask for certificate-bound access tokens.';
    out.replaceChildren(verdict(true, 'Authenticated:',
      `the certificate authenticates client "${r.client_id}" (${r.method}). ${binding}`));
  } else {
    out.replaceChildren(verdict(false, 'Not authenticated:', r.error),
      el('p', { class: 'answer', text: `The token endpoint answers ${r.oauth_error} (RFC 6749 §5.2).` }));
  }
}

// ---------------------------------------------------------------------------------------------

function setUpTools() {
  setUpInspect();
  const submit = (form, run) => $(form).addEventListener('submit', (e) => { e.preventDefault(); run(); });
  submit('chain-form', runChain);
  const box = $('token-algorithms');
  for (const name of wasm.tokenAlgorithms()) {
    box.append(el('label', {}, el('input', { type: 'checkbox', name: 'alg', value: name, checked: name === 'ES256' }), ` ${name}`));
  }
  submit('token-form', runToken);
  $('token-fetch').addEventListener('click', fetchJwks);
  submit('client-form', runClient);
}

async function main() {
  const status = $('load-status');
  try {
    await init();
  } catch (err) {
    status.className = 'notice bad';
    status.textContent = `Could not load the WebAssembly module (${message(err)}). Serve the page over `
      + 'HTTP, e.g. "python3 -m http.server" in www/dist: file:// URLs cannot load it.';
    for (const f of document.forms) for (const c of f.elements) c.disabled = true;
    return;
  }
  setUpTools();
  status.textContent = 'Ready.';
  status.classList.add('ready');
  document.body.dataset.ready = 'true';
}

// Last line of defence: anything unexpected is shown, never a silent blank.
window.addEventListener('error', (e) => {
  const status = $('load-status');
  status.className = 'notice bad';
  status.textContent = `Unexpected error: ${e.message}`;
});
window.addEventListener('unhandledrejection', (e) => {
  const status = $('load-status');
  status.className = 'notice bad';
  status.textContent = `Unexpected error: ${message(e.reason)}`;
});

main();
