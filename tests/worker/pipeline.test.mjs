// The edge worker end to end: real workerd under `wrangler dev`, real local D1 and Queues, and a
// local server playing Meta's Graph API. Expected hashes come from the official vector files.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createHash, randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { startWorker, eventually, REPO } from '../support/worker.mjs';
import { startGraph } from '../support/graph.mjs';

const KEY = 'test-api-key-0123456789abcdef';
const ORIGIN = 'https://shop.example';
const UA = 'Mozilla/5.0 (X11; Linux x86_64) capiflare-test';
const sha = (s) => createHash('sha256').update(s, 'utf8').digest('hex');
const vectors = (f) => JSON.parse(readFileSync(join(REPO, 'tests/vectors', f), 'utf8')).cases;
const docs = vectors('meta-docs.json');
const cpb = vectors('capi-param-builder.json');
const doc = (key, input) => docs.find((c) => c.key === key && c.input === input);

let graph;
let worker;

before(async () => {
  graph = await startGraph();
  worker = await startWorker({
    vars: { META_GRAPH_URL: graph.url, ALLOWED_ORIGINS: ORIGIN, CONSENT_POLICY: 'opt-out' },
    secrets: { META_ACCESS_TOKEN: graph.token, CAPIFLARE_API_KEY: KEY },
  });
});

after(async () => {
  await worker?.stop();
  await graph?.stop();
});

const api = (body, headers = {}) =>
  fetch(`${worker.url}/capi/api/events`, {
    method: 'POST',
    headers: { authorization: `Bearer ${KEY}`, 'content-type': 'application/json', ...headers },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
const browser = (body, headers = {}) =>
  fetch(`${worker.url}/capi/e`, {
    method: 'POST',
    headers: { origin: ORIGIN, 'content-type': 'text/plain', 'user-agent': UA, ...headers },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
const record = async (id) => {
  const r = await fetch(`${worker.url}/capi/api/events/${id}`, { headers: { authorization: `Bearer ${KEY}` } });
  return r.status === 200 ? r.json() : null;
};
const deliveredIds = () => graph.delivered().map((e) => e.event_id);
const settled = (id, status) =>
  eventually(async () => {
    const r = await record(id);
    return r?.records.every((x) => x.status === status) && r;
  }, 30_000, `${id} to be ${status}`);
const now = () => Math.floor(Date.now() / 1000);

test('a server event with raw personal data arrives hashed exactly as the official vectors say', async () => {
  const name = cpb.find((c) => c.type === 'name(fn/ln)' && c.expected && c.input !== c.expected && c.input.trim());
  const ext = cpb.find((c) => c.type === 'external_id' && c.expected && /[A-Z ]/.test(c.input));
  const rows = {
    em: doc('em', 'John_Smith@gmail.com'),
    ph: doc('ph', '+1 (650)555-1212'),
    fn: doc('fn', 'Valéry'),
    ln: name,
    ct: doc('ct', 'New York'),
    st: doc('st', 'California'),
    zp: doc('zp', '94035'),
    country: doc('country', 'United States'),
    db: doc('db', '2/16/1997'),
    ge: doc('ge', 'female'),
    external_id: ext,
  };
  const id = randomUUID();
  const res = await api({
    events: [{
      event_name: 'Lead', event_id: id, event_source_url: 'https://shop.example/contact',
      user: {
        email: rows.em.input, phone: rows.ph.input, first_name: rows.fn.input, last_name: rows.ln.input,
        city: rows.ct.input, state: rows.st.input, zip: rows.zp.input, country: rows.country.input,
        date_of_birth: rows.db.input, gender: rows.ge.input, external_id: rows.external_id.input,
        client_ip_address: '2001:db8::1', client_user_agent: UA,
      },
      custom_data: { value: 12.5, currency: 'EUR' },
    }],
  });
  assert.equal(res.status, 202);
  assert.deepEqual(await res.json(), { accepted: 1, duplicates: 0, rejected: [], event_ids: [id] });
  await settled(id, 'sent');
  const sent = graph.delivered().filter((e) => e.event_id === id);
  assert.equal(sent.length, 1);
  const u = sent[0].user_data;
  for (const [key, row] of Object.entries(rows)) assert.deepEqual(u[key], [row.sha256], key);
  assert.equal(u.client_ip_address, '2001:db8::1');
  assert.equal(u.client_user_agent, UA);
  assert.equal(sent[0].action_source, 'website');
  assert.deepEqual(sent[0].custom_data, { value: 12.5, currency: 'EUR' });
  const raw = JSON.stringify(graph.requests.at(-1).body.data);
  for (const row of Object.values(rows)) assert.ok(!raw.includes(row.input), 'no raw value is sent');
});

test('a browser event arrives with its event_id, hashes, fbc/fbp, the visitor IP (IPv6 kept) and UA', async () => {
  const id = randomUUID();
  const em = sha('visitor@example.com');
  const fbc = 'fb.0.1795000000000.AbC-x_1';
  const fbp = 'fb.0.1795000000000.1234567890';
  const res = await browser(
    { events: [{ event_name: 'Lead', event_id: id, event_time: now(), event_source_url: 'https://shop.example/lead', user: { email: em, fbc, fbp } }] },
    { 'cf-connecting-ip': '2001:db8:85a3::8a2e:370:7334' },
  );
  assert.equal(res.status, 202);
  assert.equal(res.headers.get('access-control-allow-origin'), ORIGIN);
  await settled(id, 'sent');
  const [ev] = graph.delivered().filter((e) => e.event_id === id);
  assert.deepEqual(ev.user_data, { em: [em], client_ip_address: '2001:db8:85a3::8a2e:370:7334', client_user_agent: UA, fbc, fbp });
  assert.equal(ev.event_source_url, 'https://shop.example/lead');
});

test('the browser route refuses raw personal data', async () => {
  const res = await browser({ events: [{ event_name: 'Lead', event_id: randomUUID(), event_source_url: 'https://shop.example/', user: { email: 'raw@example.com' } }] });
  assert.equal(res.status, 400);
  assert.equal((await res.json()).error.code, 'not_hashed');
});

test('five copies of one event make one delivery', async () => {
  const id = randomUUID();
  const body = { events: [{ event_name: 'Purchase', event_id: id, user: { external_id: 'order-77' }, custom_data: { value: 9, currency: 'USD' } }] };
  const answers = await Promise.all(Array.from({ length: 5 }, () => api(body).then((r) => r.json())));
  assert.equal(answers.reduce((n, a) => n + a.accepted, 0), 1);
  assert.equal(answers.reduce((n, a) => n + a.duplicates, 0), 4);
  assert.ok(answers.every((a) => a.event_ids[0] === id));
  await settled(id, 'sent');
  await new Promise((r) => setTimeout(r, 1500));
  assert.equal(deliveredIds().filter((x) => x === id).length, 1);
  assert.equal(worker.query('SELECT count(*) AS n FROM events WHERE event_id = ?', id)[0].n, 1);
});

test('a 5xx then success delivers once, with both attempts in the log', async () => {
  graph.script({ status: 500, code: 2, message: 'Service temporarily unavailable' });
  const id = randomUUID();
  assert.equal((await api({ events: [{ event_name: 'Lead', event_id: id, user: { external_id: 'u-5xx' } }] })).status, 202);
  const r = await settled(id, 'sent');
  assert.deepEqual(r.records[0].history.map((h) => h.outcome), ['transient', 'success']);
  assert.equal(r.records[0].history[0].http_status, 500);
  assert.equal(deliveredIds().filter((x) => x === id).length, 1);
});

test('throttling (613) is retried', async () => {
  graph.script({ status: 400, code: 613, message: 'Calls to this api have exceeded the rate limit.' });
  const id = randomUUID();
  await api({ events: [{ event_name: 'Lead', event_id: id, user: { external_id: 'u-613' } }] });
  const r = await settled(id, 'sent');
  assert.equal(r.records[0].history[0].code, 613);
  assert.equal(deliveredIds().filter((x) => x === id).length, 1);
});

test('a slow Graph answer times out and is retried', { timeout: 60_000 }, async () => {
  graph.script({ delayMs: 11_000, status: 503 });
  const id = randomUUID();
  await api({ events: [{ event_name: 'Lead', event_id: id, user: { external_id: 'u-slow' } }] });
  const r = await settled(id, 'sent');
  assert.deepEqual(r.records[0].history.map((h) => [h.outcome, h.http_status]), [['transient', null], ['success', null]]);
});

test('a bad token (190) is dead-lettered and visible', async () => {
  graph.script({ status: 400, code: 190, subcode: 463, message: 'Error validating access token' });
  const id = randomUUID();
  await api({ events: [{ event_name: 'Lead', event_id: id, user: { external_id: 'u-190' } }] });
  const r = await settled(id, 'dead');
  assert.equal(r.records[0].last_error, 'graph_permanent');
  assert.equal(r.records[0].history.at(-1).code, 190);
  assert.equal(r.records[0].history.length, 1, 'not retried');
  assert.match(worker.logs(), /dead-lettered, Meta refused them .*Some\(190\)/);
  assert.ok(!deliveredIds().includes(id));
});

test('a batch Meta rejects as a whole is split to isolate the bad event', async () => {
  const ids = [randomUUID(), randomUUID(), randomUUID(), randomUUID()];
  graph.rejectIds.add(ids[2]);
  const before = graph.requests.length;
  await api({ events: ids.map((id, i) => ({ event_name: 'Lead', event_id: id, user: { external_id: `split-${i}` } })) });
  await settled(ids[2], 'dead');
  for (const id of [ids[0], ids[1], ids[3]]) await settled(id, 'sent');
  assert.equal(graph.requests[before].body.data.length, 4, 'first sent as one batch');
  assert.deepEqual(deliveredIds().filter((x) => ids.includes(x)).sort(), [ids[0], ids[1], ids[3]].sort());
  assert.equal((await record(ids[2])).records[0].last_error, 'graph_rejected');
});

test('a stale event (over 7 days) is recorded and sent nowhere; the sweeper finds it', async () => {
  const id = randomUUID();
  const eight = Date.now() - 8 * 86_400_000;
  const payload = JSON.stringify({ event_name: 'Lead', event_time: Math.floor(eight / 1000), event_id: id, action_source: 'system_generated', user_data: { external_id: [sha('stale')] } });
  worker.execute(`INSERT INTO events (pixel_id, event_name, event_id, source, status, payload, received_at, event_time, next_attempt_at) VALUES ('1234567890123', 'Lead', '${id}', 'server', 'pending', '${payload}', ${Date.now()}, ${Math.floor(eight / 1000)}, 0)`);
  await worker.scheduled();
  const r = await settled(id, 'stale');
  assert.equal(r.records[0].last_error, 'event_too_old');
  assert.ok(!graph.requests.some((q) => q.raw.includes(id)));
});

test('a wrong origin gets 403 and stores nothing', async () => {
  const id = randomUUID();
  const res = await browser({ events: [{ event_name: 'Lead', event_id: id, event_source_url: 'https://evil.example/', user: { email: sha('x@example.com') } }] }, { origin: 'https://shop.example.evil.test' });
  assert.equal(res.status, 403);
  assert.equal((await res.json()).error.code, 'origin_not_allowed');
  assert.equal(worker.query('SELECT count(*) AS n FROM events WHERE event_id = ?', id)[0].n, 0);
});

test('GPC stores nothing and sets no cookie', async () => {
  const id = randomUUID();
  const res = await browser({ events: [{ event_name: 'Lead', event_id: id, event_source_url: 'https://shop.example/', user: { email: sha('x@example.com') } }] }, { 'sec-gpc': '1' });
  assert.equal(res.status, 204);
  const c = await fetch(`${worker.url}/capi/c`, { method: 'POST', headers: { origin: ORIGIN, 'sec-gpc': '1' }, body: '{"fbclid":"AbC"}' });
  assert.equal(c.status, 204);
  assert.equal(c.headers.get('set-cookie'), null);
  await new Promise((r) => setTimeout(r, 500));
  assert.equal(worker.query('SELECT count(*) AS n FROM events WHERE event_id = ?', id)[0].n, 0);
});

test('denied consent in the payload stores nothing', async () => {
  const id = randomUUID();
  const res = await api({ consent: 'denied', events: [{ event_name: 'Lead', event_id: id, user: { external_id: 'u' } }] });
  assert.equal(res.status, 204);
  assert.equal(worker.query('SELECT count(*) AS n FROM events WHERE event_id = ?', id)[0].n, 0);
});

test('POST c sets first-party _fbc/_fbp, keeps the fbclid case, last click wins, keeps a valid _fbp', async () => {
  const post = (body, cookie) => fetch(`${worker.url}/capi/c`, { method: 'POST', headers: { origin: ORIGIN, ...(cookie ? { cookie } : {}) }, body: JSON.stringify(body) });
  const first = await post({ fbclid: 'AbC-x_1' });
  assert.equal(first.status, 200);
  const set = first.headers.getSetCookie();
  const fbc = set.find((c) => c.startsWith('_fbc='));
  assert.match(fbc, /^_fbc=fb\.0\.\d{13}\.AbC-x_1; Max-Age=7776000; Path=\/; SameSite=Lax$/);
  const fbp = set.find((c) => c.startsWith('_fbp=')).split(';')[0].slice(5);
  assert.match(fbp, /^fb\.0\.\d{13}\.\d+$/);
  const second = await post({ fbclid: 'NewClick' }, `_fbc=${fbc.split(';')[0].slice(5)}; _fbp=${fbp}`);
  const set2 = second.headers.getSetCookie();
  assert.match(set2.find((c) => c.startsWith('_fbc=')), /\.NewClick;/);
  assert.ok(!set2.some((c) => c.startsWith('_fbp=')), 'an existing valid _fbp is kept');
  assert.equal((await second.json()).fbp, fbp);
});

test('POST e writes the valid _fbc/_fbp it was sent again, as they are, only once it has stored the event', async () => {
  const fbc = 'fb.0.1795000000000.AbC-x_1';
  const fbp = 'fb.0.1795000000000.42';
  const lead = (extra = {}) => ({ ...extra, events: [{ event_name: 'Lead', event_id: randomUUID(), event_source_url: 'https://shop.example/', user: { email: sha('x@example.com') } }] });
  const written = (res) => res.headers.getSetCookie();
  const stored = await browser(lead(), { cookie: `a=1; _fbc=${fbc}; _fbp=${fbp}` });
  assert.equal(stored.status, 202);
  assert.deepEqual(written(stored), [
    `_fbc=${fbc}; Max-Age=7776000; Path=/; SameSite=Lax`,
    `_fbp=${fbp}; Max-Age=7776000; Path=/; SameSite=Lax`,
  ]);
  // Written for another domain (index 1, not this host-only 0), or not valid: left alone.
  const other = await browser(lead(), { cookie: `_fbc=fb.1.1795000000000.AbC; _fbp=fb.0.1795000000000.4x2` });
  assert.equal(other.status, 202);
  assert.deepEqual(written(other), []);
  // Nothing stored, nothing written: GPC, consent denied, a refused body.
  for (const [body, headers, status] of [
    [lead(), { 'sec-gpc': '1' }, 204],
    [lead({ consent: 'denied' }), {}, 204],
    [{ events: [{ event_name: 'Lead', event_id: randomUUID(), event_source_url: 'https://shop.example/', user: { email: 'raw@example.com' } }] }, {}, 400],
  ]) {
    const res = await browser(body, { cookie: `_fbc=${fbc}; _fbp=${fbp}`, ...headers });
    assert.equal(res.status, status);
    assert.deepEqual(written(res), []);
  }
});

test('bad input gets a stable error code and stores nothing', async () => {
  const cases = [
    [await api('{not json'), 400, 'body_invalid'],
    [await api({ events: [] }), 400, 'batch_empty'],
    [await api({ events: [{ event_name: 'Lead', user: { external_id: 'a' } }, { event_name: 5 }] }), 400, 'body_invalid', 1],
    [await api({ events: [{ event_name: 'Lead', user: { external_id: 'a', fbc: sha('x') } }] }), 400, 'must_not_be_hashed', 0],
    [await api({ events: [{ event_name: 'Lead', pixel_id: '999999', user: { external_id: 'a' } }] }), 400, 'pixel_unknown', 0],
    [await api({ events: [{ event_name: 'Lead', user: { external_id: 'a' } }] }, { authorization: 'Bearer wrong-key-wrong-key' }), 401, 'unauthorized'],
    [await api({ events: [] }, { authorization: '' }), 401, 'unauthorized'],
    [await browser('x'.repeat(70 * 1024)), 413, 'body_too_large'],
    [await api('{"events":[' + '{"event_name":"Lead"},'.repeat(250_000) + '{}]}'), 413, 'body_too_large'],
    [await fetch(`${worker.url}/capi/nope`), 404, 'not_found'],
  ];
  for (const [res, status, code, index] of cases) {
    assert.equal(res.status, status, code);
    const body = await res.json();
    assert.equal(body.error.code, code);
    assert.equal(typeof body.error.message, 'string');
    assert.equal(body.error.index, index);
  }
});

test('well-formed but unusable events are listed as rejected while the others are accepted', async () => {
  const good = randomUUID();
  const old = randomUUID();
  const res = await api({ events: [
    { event_name: 'Lead', event_id: good, user: { external_id: 'ok' } },
    { event_name: 'Lead', event_id: old, event_time: now() - 8 * 86400, user: { external_id: 'ok' } },
    { event_name: 'Lead', user: { city: 'Paris' } },
  ] });
  assert.equal(res.status, 202);
  const body = await res.json();
  assert.equal(body.accepted, 1);
  assert.deepEqual(body.rejected, [{ index: 1, code: 'event_too_old' }, { index: 2, code: 'no_customer_identifier' }]);
  assert.equal(body.event_ids.length, 3);
  assert.equal(body.event_ids[1], old);
  assert.equal(worker.query('SELECT count(*) AS n FROM events WHERE event_id = ?', old)[0].n, 0);
});

test('DELETE api/subjects erases everything stored about a person', async () => {
  const id = randomUUID();
  await api({ events: [{ event_name: 'Lead', event_id: id, user: { email: 'Erase.Me@Example.com', external_id: 'keep-other' } }] });
  await settled(id, 'sent');
  const other = randomUUID();
  await api({ events: [{ event_name: 'Lead', event_id: other, user: { email: 'someone.else@example.com' } }] });
  const del = (body) => fetch(`${worker.url}/capi/api/subjects`, { method: 'DELETE', headers: { authorization: `Bearer ${KEY}` }, body: JSON.stringify(body) });
  const res = await del({ email: ' erase.me@example.com' });
  assert.equal(res.status, 200);
  assert.deepEqual(await res.json(), { deleted: 1 });
  assert.equal(await record(id), null);
  assert.equal(worker.query('SELECT count(*) AS n FROM attempts WHERE event_id = ?', id)[0].n, 0);
  assert.notEqual(await record(other), null, 'other people are kept');
  const none = await del({ city: 'Paris' });
  assert.equal(none.status, 400);
  assert.equal((await none.json()).error.code, 'no_customer_identifier');
});

test('the access token never appears in a URL, a log line or an answer', async () => {
  await eventually(() => graph.requests.length > 0);
  for (const r of graph.requests) assert.ok(!r.path.includes(graph.token) && !r.path.includes('access_token'));
  assert.ok(graph.requests.every((r) => r.body?.access_token === graph.token), 'the token travels in the body');
  assert.ok(!worker.logs().includes(graph.token));
  const rows = worker.query('SELECT payload FROM events');
  assert.ok(rows.every((r) => !r.payload.includes(graph.token)));
  const anyId = worker.query('SELECT event_id FROM events LIMIT 1')[0].event_id;
  assert.ok(!JSON.stringify(await record(anyId)).includes(graph.token));
});
