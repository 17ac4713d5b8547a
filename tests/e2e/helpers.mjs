// Shared setup of the browser end-to-end tests: the real worker (wrangler dev, dry-run: no Meta
// token), a second local origin playing the form builders, headless Chromium with Meta's
// fbevents.js replaced by a recorder, and a page origin the worker allows.
import { createServer, request as httpRequest } from 'node:http';
import { createHash } from 'node:crypto';
import { chromium } from 'playwright-core';
import { startWorker, freePort, eventually } from '../support/worker.mjs';
import { startBuilderOrigin } from '../support/builder-origin.mjs';

export { eventually };

export const API_KEY = 'e2e-test-key-0123456789';
export const CHROMIUM_ARGS = ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync'];

/** SHA-256 hex, computed by the test itself (never by the module under test). */
export const sha256 = (s) => createHash('sha256').update(s).digest('hex');

/**
 * The page origin: http://localhost:PORT, a small proxy in front of the worker, so the origin is
 * known before the worker starts (ALLOWED_ORIGINS) and the page is on `localhost` (cookies are
 * host-only there, subdomain index 0).
 */
async function startProxy(port, target) {
  const server = createServer((req, res) => {
    const up = httpRequest({ host: '127.0.0.1', port: target(), path: req.url, method: req.method, headers: req.headers }, (r) => {
      res.writeHead(r.statusCode, r.headers);
      r.pipe(res);
    });
    up.on('error', () => { res.writeHead(502).end(); });
    req.pipe(up);
  });
  await new Promise((r) => server.listen(port, 'localhost', r));
  return { stop: () => new Promise((r) => { server.closeAllConnections(); server.close(r); }) };
}

/** Worker + builder origin + proxy + Chromium. `vars` are added to the worker's settings. */
export async function startStack(vars = {}) {
  const builder = await startBuilderOrigin();
  const port = await freePort();
  const origin = `http://localhost:${port}`;
  let workerPort = 0;
  const proxy = await startProxy(port, () => workerPort);
  const worker = await startWorker({
    vars: {
      ALLOWED_ORIGINS: origin,
      FORM_ORIGINS: builder.origin,
      CONSENT_POLICY: 'opt-out',
      META_GRAPH_URL: 'http://127.0.0.1:9',
      ...vars,
    },
    secrets: { CAPIFLARE_API_KEY: API_KEY },
  });
  workerPort = worker.port;
  const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', headless: true, args: CHROMIUM_ARGS });
  return {
    origin,
    builder,
    worker,
    browser,
    /** The worker's stored record of one event (dry-run), or null. */
    async stored(eventId) {
      const r = await fetch(`${worker.url}/capi/api/events/${encodeURIComponent(eventId)}`, { headers: { Authorization: `Bearer ${API_KEY}` } });
      return r.status === 200 ? r.json() : null;
    },
    async stop() {
      await browser.close().catch(() => {});
      await worker.stop();
      await proxy.stop();
      await builder.stop();
    },
  };
}

/** The recorder served in place of Meta's fbevents.js: it runs the queue and records every call. */
const RECORDER = `(function () {
  var n = window.fbq;
  function record() { window.__fbqRecord(JSON.parse(JSON.stringify(Array.prototype.slice.call(arguments)))); }
  n.callMethod = record;
  (n.queue || []).forEach(function (args) { record.apply(null, args); });
  n.queue = [];
})();`;

/**
 * A fresh context and page: fbevents.js answered by the recorder, every console error and page
 * error collected, every request to the worker's browser routes recorded.
 */
export async function openPage(stack, { gpc = false } = {}) {
  // A tall viewport: the demo pages fit without scrolling while embeds load and move the layout.
  const options = { viewport: { width: 1280, height: 2400 } };
  if (gpc) options.extraHTTPHeaders = { 'Sec-GPC': '1' };
  const context = await stack.browser.newContext(options);
  if (gpc) {
    await context.addInitScript(() => {
      Object.defineProperty(Navigator.prototype, 'globalPrivacyControl', { get: () => true, configurable: true });
    });
  }
  const fbevents = [];
  const fbqCalls = [];
  await context.exposeBinding('__fbqRecord', (_source, args) => { fbqCalls.push(args); });
  await context.route('https://connect.facebook.net/**', (route) => {
    fbevents.push(route.request().url());
    return route.fulfill({ status: 200, contentType: 'text/javascript', body: RECORDER });
  });
  const page = await context.newPage();
  const errors = [];
  const calls = [];
  const logs = [];
  page.on('console', (m) => {
    logs.push(m.text());
    if (m.type() === 'error') errors.push(`console: ${m.text()}`);
  });
  page.on('pageerror', (e) => errors.push(`pageerror: ${e.message}`));
  context.on('request', (req) => {
    const u = new URL(req.url());
    if (/\/capi\/(c|e)$/.test(u.pathname)) calls.push({ route: u.pathname.slice(-1), type: req.resourceType(), body: req.postData(), headers: req.headers() });
  });
  context.on('response', async (resp) => {
    const u = new URL(resp.url());
    if (/\/capi\/(c|e)$/.test(u.pathname)) {
      const call = calls.find((c) => c.route === u.pathname.slice(-1) && !c.answered);
      if (call) {
        // Claimed before the await (a second answer must not take this call), published after it:
        // a test that sees the status also sees the Set-Cookie.
        call.answered = true;
        const setCookie = (await resp.headerValue('set-cookie').catch(() => null)) ?? '';
        call.setCookie = setCookie;
        call.status = resp.status();
      }
    }
  });
  return {
    context,
    page,
    errors,
    calls,
    /** The console's messages (the demo pages run with data-debug: each decision is logged). */
    logs,
    fbevents,
    /** Every call Meta's pixel received so far (across navigations), as arrays of arguments. */
    fbq: () => fbqCalls,
    /** The pixel's track calls for one event name. */
    tracks: (name) => fbqCalls.filter((c) => (c[0] === 'track' || c[0] === 'trackCustom') && c[1] === name),
    /** The events posted to the worker so far (optionally only those named `name`). */
    events: (name) => calls.filter((c) => c.route === 'e').flatMap((c) => JSON.parse(c.body).events)
      .filter((e) => name === undefined || e.event_name === name),
    close: () => context.close(),
  };
}

/** Waits for the module to be running on the page (its start replaced the queue stub). */
export async function moduleReady(page) {
  await page.waitForFunction(() => window.capiflare && window.capiflare.l === 1, null, { timeout: 10_000 });
}

export const delay = (ms) => new Promise((r) => setTimeout(r, ms));
