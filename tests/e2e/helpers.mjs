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

/** The cookie that tells the proxy which test page made a call to the worker. */
const PAGE_COOKIE = 'capiflare_e2e_page';

/**
 * The page origin: http://localhost:PORT, a small proxy in front of the worker, so the origin is
 * known before the worker starts (ALLOWED_ORIGINS) and the page is on `localhost` (cookies are
 * host-only there, subdomain index 0).
 *
 * It also records every call to the worker's browser routes (`POST c`, `POST e`), with its answer,
 * under the page that made it (`PAGE_COOKIE`): a request the browser sends itself, as it does
 * `fetchLater`'s, is not reported to Playwright, so what reaches the worker is observed here.
 */
async function startProxy(port, target) {
  const calls = [];
  const server = createServer((req, res) => {
    const route = /\/capi\/(c|e)$/.exec(new URL(req.url, 'http://x').pathname)?.[1];
    const call = route && {
      page: new RegExp(`(?:^|;\\s*)${PAGE_COOKIE}=(\\d+)`).exec(req.headers.cookie ?? '')?.[1],
      route,
      mode: req.headers['sec-fetch-mode'],
      body: '',
    };
    if (call) {
      calls.push(call);
      req.on('data', (c) => { call.body += c; });
    }
    const up = httpRequest({ host: '127.0.0.1', port: target(), path: req.url, method: req.method, headers: req.headers }, (r) => {
      if (call) {
        call.setCookie = [r.headers['set-cookie'] ?? []].flat().join('\n');
        call.status = r.statusCode;
      }
      res.writeHead(r.statusCode, r.headers);
      r.pipe(res);
    });
    up.on('error', () => { res.writeHead(502).end(); });
    req.pipe(up);
  });
  await new Promise((r) => server.listen(port, 'localhost', r));
  return { calls, stop: () => new Promise((r) => { server.closeAllConnections(); server.close(r); }) };
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
  // With the back/forward cache a visitor's browser has (Playwright turns it off by default).
  const browser = await chromium.launch({
    executablePath: '/usr/bin/chromium', headless: true, args: CHROMIUM_ARGS, ignoreDefaultArgs: ['--disable-back-forward-cache'],
  });
  return {
    origin,
    builder,
    calls: proxy.calls,
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
 * error collected, the page's calls to the worker's browser routes (as the proxy saw them) at hand.
 */
let pages = 0;
export async function openPage(stack, { gpc = false } = {}) {
  // A tall viewport: the demo pages fit without scrolling while embeds load and move the layout.
  const options = { viewport: { width: 1280, height: 2400 } };
  if (gpc) options.extraHTTPHeaders = { 'Sec-GPC': '1' };
  const context = await stack.browser.newContext(options);
  const id = String(++pages);
  await context.addCookies([{ name: PAGE_COOKIE, value: id, url: stack.origin }]);
  if (gpc) {
    await context.addInitScript(() => {
      Object.defineProperty(Navigator.prototype, 'globalPrivacyControl', { get: () => true, configurable: true });
    });
  }
  const fbevents = [];
  const fbqCalls = [];
  await context.exposeBinding('__fbqRecord', (_source, args) => { fbqCalls.push(args); });
  await context.route('https://connect.facebook.net/**', (route) => {
    // Whether the worker had answered the page's landing call (POST c) by then.
    const landed = stack.calls.some((c) => c.page === id && c.route === 'c' && c.status !== undefined);
    fbevents.push({ url: route.request().url(), landed });
    return route.fulfill({ status: 200, contentType: 'text/javascript', body: RECORDER });
  });
  const page = await context.newPage();
  const errors = [];
  const logs = [];
  page.on('console', (m) => {
    logs.push(m.text());
    if (m.type() === 'error') errors.push(`console: ${m.text()}`);
  });
  page.on('pageerror', (e) => errors.push(`pageerror: ${e.message}`));
  return {
    context,
    page,
    errors,
    /** The page's calls to the worker so far, `{route, mode, body, status, setCookie}` each
     * (`status` and `setCookie` once answered). */
    get calls() {
      return stack.calls.filter((c) => c.page === id).map(({ page, ...call }) => call);
    },
    /** The console's messages (the demo pages run with data-debug: each decision is logged). */
    logs,
    fbevents,
    /** Every call Meta's pixel received so far (across navigations), as arrays of arguments. */
    fbq: () => fbqCalls,
    /** The pixel's track calls for one event name. */
    tracks: (name) => fbqCalls.filter((c) => (c[0] === 'track' || c[0] === 'trackCustom') && c[1] === name),
    /** The events posted to the worker so far (optionally only those named `name`). */
    events: (name) => stack.calls.filter((c) => c.page === id && c.route === 'e' && c.status !== undefined).flatMap((c) => JSON.parse(c.body).events)
      .filter((e) => name === undefined || e.event_name === name),
    close: () => context.close(),
  };
}

/** Waits for the module to be running on the page (its start replaced the queue stub). */
export async function moduleReady(page) {
  await page.waitForFunction(() => window.capiflare && window.capiflare.l === 1, null, { timeout: 10_000 });
}

export const delay = (ms) => new Promise((r) => setTimeout(r, ms));
