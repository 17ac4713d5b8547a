// The demo as a new user runs it: the repository's own wrangler.toml under real `wrangler dev`,
// [build] included, serving www/ beside the worker's routes. A server event with a raw email is
// accepted in dry-run and its stored record shows the exact payload, the email hashed.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { startWorker, REPO } from '../support/worker.mjs';

const KEY = 'demo-test-key-0123456789';
const emailRow = JSON.parse(readFileSync(join(REPO, 'tests/vectors/meta-docs.json'), 'utf8')).cases.find((c) => c.key === 'em');
let worker;

before(async () => {
  worker = await startWorker({ asDemo: true, secrets: { CAPIFLARE_API_KEY: KEY } });
});
after(() => worker?.stop());

test('the demo serves the site, the tag with its configuration, the module scripts and the wasm', async () => {
  const page = await fetch(`${worker.url}/`);
  assert.equal(page.status, 200);
  assert.match(await page.text(), /<script async src="\/capi\/t\.js"/);
  const tag = await fetch(`${worker.url}/capi/t.js`);
  assert.equal(tag.status, 200);
  assert.match(tag.headers.get('content-type'), /javascript/);
  const js = await tag.text();
  assert.ok(!js.includes('__CAPIFLARE_CONFIG__'), 'configuration inlined');
  assert.match(js, /"pixels":\["1234567890123"\]/);
  const wasmName = /t\.[0-9a-f]+\.wasm/.exec(js)?.[0];
  assert.ok(wasmName, 't.js names its wasm');
  const wasm = await fetch(`${worker.url}/capi/${wasmName}`);
  assert.equal(wasm.status, 200);
  assert.equal(wasm.headers.get('content-type'), 'application/wasm');
  assert.match(wasm.headers.get('cache-control'), /immutable/);
  assert.ok(WebAssembly.validate(new Uint8Array(await wasm.arrayBuffer())));
  // The module script and its debug build (for tags with data-debug).
  for (const name of [/m\.[0-9a-f]+\.js/, /d\.[0-9a-f]+\.js/].map((re) => re.exec(js)?.[0])) {
    assert.ok(name, 't.js names the module script and its debug build');
    const module = await fetch(`${worker.url}/capi/${name}`);
    assert.equal(module.status, 200);
    assert.match(module.headers.get('content-type'), /^text\/javascript/);
    assert.match(module.headers.get('cache-control'), /immutable/);
    assert.ok(!(await module.text()).includes('__CAPIFLARE_CONFIG__'), 'the configuration is only in t.js');
  }
  const missing = await fetch(`${worker.url}/capi/m.0123456789abcdef.js`);
  assert.equal(missing.status, 404);
});

test('a server event with a raw email is stored in dry-run with the exact payload, email hashed', async () => {
  const res = await fetch(`${worker.url}/capi/api/events`, {
    method: 'POST',
    headers: { authorization: `Bearer ${KEY}`, 'content-type': 'application/json' },
    body: JSON.stringify({ events: [{ event_name: 'Lead', event_source_url: `${worker.url}/`, user: { email: ` ${emailRow.input} `, client_ip_address: '203.0.113.7', client_user_agent: 'Mozilla/5.0 (demo)' } }] }),
  });
  assert.equal(res.status, 202);
  const answer = await res.json();
  assert.equal(answer.accepted, 1);
  assert.equal(answer.dry_run, true);
  const rec = await fetch(`${worker.url}/capi/api/events/${answer.event_ids[0]}`, { headers: { authorization: `Bearer ${KEY}` } }).then((r) => r.json());
  const [r] = rec.records;
  assert.equal(r.status, 'dry_run');
  assert.deepEqual(r.payload.user_data.em, [emailRow.sha256]);
  assert.equal(r.payload.user_data.client_ip_address, '203.0.113.7');
  assert.deepEqual(r.request.body.data, [r.payload]);
  assert.match(r.request.url, /^https:\/\/graph\.facebook\.com\/v26\.0\/1234567890123\/events$/);
  assert.ok(!JSON.stringify(rec).includes(emailRow.input), 'no raw email anywhere');
});
