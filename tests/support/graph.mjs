// A local HTTP server playing Meta's Graph API for the Conversions API: it validates every
// request the way Meta documents (token in the JSON body, data ≤ 1,000 events, event_time in
// seconds within 7 days, hashed keys as lists of SHA-256 hex, website events with URL and UA,
// whole-batch rejection) and can be told how to answer next.
import http from 'node:http';
import { randomBytes } from 'node:crypto';

const HASHED = ['em', 'ph', 'fn', 'ln', 'ge', 'db', 'ct', 'st', 'zp', 'country', 'external_id'];
const CLEAR = ['client_ip_address', 'client_user_agent', 'fbc', 'fbp'];
const SOURCES = ['email', 'website', 'app', 'phone_call', 'chat', 'physical_store', 'system_generated', 'business_messaging', 'other'];
const HEX64 = /^[0-9a-f]{64}$/;
const FB_COOKIE = /^fb\.[0-2]\.\d{13}\.[A-Za-z0-9_-]+(\.[A-Za-z0-9_-]+)?$/;

/** Why Meta would refuse this event, or null. */
export function invalidEvent(ev, nowSecs) {
  if (typeof ev !== 'object' || ev === null) return 'event is not an object';
  if (typeof ev.event_name !== 'string' || !ev.event_name) return 'event_name missing';
  if (!Number.isInteger(ev.event_time)) return 'event_time not an integer';
  if (ev.event_time > nowSecs + 60) return 'event_time in the future';
  if (ev.event_time < nowSecs - 7 * 86400) return 'event_time older than 7 days';
  if (!SOURCES.includes(ev.action_source)) return 'action_source invalid';
  const u = ev.user_data;
  if (typeof u !== 'object' || u === null) return 'user_data missing';
  for (const [k, v] of Object.entries(u)) {
    if (HASHED.includes(k)) {
      if (!Array.isArray(v) || !v.every((h) => HEX64.test(h))) return `user_data.${k} not a list of SHA-256 hex`;
    } else if (CLEAR.includes(k)) {
      if (typeof v !== 'string' || HEX64.test(v)) return `user_data.${k} must be a clear string`;
    } else return `user_data.${k} unknown`;
  }
  if (u.fbc && !FB_COOKIE.test(u.fbc)) return 'fbc malformed';
  if (u.fbp && !FB_COOKIE.test(u.fbp)) return 'fbp malformed';
  if (ev.action_source === 'website' && (!ev.event_source_url || !u.client_user_agent)) return 'website event without event_source_url or client_user_agent';
  return null;
}

function graphError(status, code, message, subcode) {
  const error = { message, type: 'OAuthException', code, fbtrace_id: 'A' + randomBytes(8).toString('hex') };
  if (subcode !== undefined) error.error_subcode = subcode;
  return { status, body: { error } };
}

/**
 * Start the stand-in. `token`: the access token it accepts.
 * Returns { url, requests, script(...answers), rejectIds, stop() }. Each recorded request:
 * { path, url, headers, body (parsed), answer: {status, body} }. `script` queues answers for the
 * next requests: { status, code?, subcode?, message?, delayMs? } or { delayMs } alone.
 */
export async function startGraph({ token = 'TEST_TOKEN_never_logged_123' } = {}) {
  const requests = [];
  const scripted = [];
  const rejectIds = new Set();
  const server = http.createServer((req, res) => {
    const chunks = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', async () => {
      const raw = Buffer.concat(chunks).toString('utf8');
      let body = null;
      try { body = JSON.parse(raw); } catch { /* recorded as null */ }
      const rec = { method: req.method, path: req.url, headers: req.headers, body, raw };
      requests.push(rec);
      const plan = scripted.shift();
      if (plan?.delayMs) await new Promise((r) => setTimeout(r, plan.delayMs));
      rec.answer = plan?.status ? graphError(plan.status, plan.code ?? 2, plan.message ?? 'scripted failure', plan.subcode) : validate(req, body);
      if (res.destroyed) return;
      res.writeHead(rec.answer.status, { 'content-type': 'application/json' });
      res.end(JSON.stringify(rec.answer.body));
    });
  });
  function validate(req, body) {
    const m = /^\/(v\d+\.\d+)\/(\d+)\/events$/.exec(req.url);
    if (req.method !== 'POST' || !m) return graphError(400, 100, 'Unsupported request');
    if (!/application\/json/.test(req.headers['content-type'] ?? '')) return graphError(400, 100, 'expected JSON');
    if (!body || typeof body !== 'object') return graphError(400, 100, 'body is not JSON');
    if (body.access_token !== token) return graphError(400, 190, 'Invalid OAuth access token - Cannot parse access token', 463);
    if (!Array.isArray(body.data) || body.data.length < 1 || body.data.length > 1000) return graphError(400, 100, 'data must hold 1 to 1000 events');
    const now = Math.floor(Date.now() / 1000);
    for (const ev of body.data) {
      const why = invalidEvent(ev, now) ?? (rejectIds.has(ev?.event_id) ? 'scripted invalid event' : null);
      // Meta: "If any event you send in a batch is invalid, we reject the entire batch."
      if (why) return graphError(400, 100, `Invalid parameter: ${why}`, 2804019);
    }
    return { status: 200, body: { events_received: body.data.length, messages: [], fbtrace_id: 'A' + randomBytes(8).toString('hex') } };
  }
  await new Promise((r) => server.listen(0, '127.0.0.1', r));
  const url = `http://127.0.0.1:${server.address().port}`;
  return {
    url,
    token,
    requests,
    rejectIds,
    script: (...answers) => scripted.push(...answers),
    /** Every event Meta accepted, in order. */
    delivered: () => requests.filter((r) => r.answer?.status === 200).flatMap((r) => r.body.data),
    stop: () => new Promise((r) => { server.closeAllConnections?.(); server.close(r); }),
  };
}
