// Main-thread time of the browser module in headless Chromium on this machine:
//
//   loader      t.js's script evaluation, from a Chrome trace (EvaluateScript), on a real demo page
//   wasm start  the loader's next task (fetching the wasm, adding the module script) and the module
//               script's evaluation (m.<hash>.js: the page driver and the wasm-bindgen glue), both
//               from the same trace, plus instantiating the compiled wasm, running start()
//               (listeners) and the task it leaves (consent, PageView, the landing's cookie call),
//               measured around the calls; compiling happens off the main thread (streaming, then
//               lazily per function)
//   submission  a lead form's submit (reading, classifying and hashing its fields in the capture
//               listener) plus firing one conversion whose fields are hashed (Pixel call, POST e
//               body, fetch), a moment after the page loaded (after the module's idle-time warm-up)
//
// Each figure is the median of several fresh pages; "first" is the first call on a page, which
// includes V8's lazy compilation of the wasm functions it reaches. Budgets (issue 4): loader
// <= 1 ms, wasm start <= 10 ms, one submission <= 3 ms. Run after the build (scripts/build-web.sh);
// no worker is needed: a local server plays the worker's routes.
//
//   node scripts/bench-browser.mjs [runs]
import { createServer } from 'node:http';
import { readFileSync, readdirSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

const REPO = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const WWW = join(REPO, 'www');
const MODULE = join(REPO, 'target/web/bindgen/module.mjs');
const RUNS = Number(process.argv[2] ?? 9);
const BUDGET = { loader: 1, start: 10, submission: 3 };
const CONFIG = {
  pixels: ['1234567890123'], events: { page_view: 'PageView', form: 'Lead', booking: 'Schedule' },
  excluded_forms: [], form_origins: [], consent_policy: 'opt-out', prefix: '/capi', country: null,
};

const wasmName = readdirSync(join(WWW, 'dist')).find((f) => /^t\.[0-9a-f]+\.wasm$/.test(f));
if (!wasmName) {
  console.error('bench-browser: www/dist is not built (bash scripts/build-web.sh)');
  process.exit(1);
}

const HARNESS = `<!doctype html><html><head><meta charset="utf-8"><title>bench</title></head><body>
<form id="lead" novalidate>
  <label for="email">Email</label><input id="email" name="email" type="email" value="Jo.Doe@Example.com">
  <label for="first">First name</label><input id="first" name="first_name" value="Jo">
  <label for="last">Last name</label><input id="last" name="last_name" value="Doe">
  <label for="phone">Phone</label><input id="phone" name="phone" type="tel" value="+49 30 1234567">
  <label for="country">Country</label><select id="country" name="country"><option value="DE" selected>Germany</option></select>
  <div style="position:absolute;left:-9999px" aria-hidden="true"><input name="website" tabindex="-1" autocomplete="off"></div>
  <button type="submit">Send</button>
</form>
<script type="module">
  import { initSync, start, call } from '/bench/module.mjs';
  document.getElementById('lead').addEventListener('submit', (e) => e.preventDefault());
  const module = await WebAssembly.compileStreaming(fetch('/capi/${wasmName}'));
  const script = document.createElement('script');
  script.src = '/capi/t.js';
  const t0 = performance.now();
  initSync({ module });
  const t1 = performance.now();
  start(${JSON.stringify(CONFIG)}, script, []);
  const t2 = performance.now();
  // start() leaves the PageView and the landing to its next task: time that task too (timers run
  // in order, so this one runs right after it).
  const t3 = await new Promise((r) => setTimeout(() => r(performance.now()), 0));
  // A visitor submits seconds later: let the idle work (warm-up) happen first.
  await new Promise((r) => setTimeout(r, 300));
  await new Promise((r) => (window.requestIdleCallback ? requestIdleCallback(r) : setTimeout(r, 50)));
  const form = document.getElementById('lead');
  const submit = [], fire = [];
  for (let i = 0; i < 10; i++) {
    const a = performance.now();
    form.requestSubmit();
    const b = performance.now();
    call(['track', 'Lead', {}, {}]);
    const c = performance.now();
    submit.push(b - a);
    fire.push(c - b);
    await new Promise((r) => setTimeout(r, 20));
  }
  window.__bench = { instantiate: t1 - t0, start: t2 - t1, deferred: t3 - t2, submit, fire };
</script></body></html>`;

function serve() {
  const t = readFileSync(join(WWW, 'dist/t.js'), 'utf8').replace('"__CAPIFLARE_CONFIG__"', JSON.stringify(CONFIG));
  const server = createServer((req, res) => {
    const path = new URL(req.url, 'http://x').pathname;
    const send = (type, body) => { res.writeHead(200, { 'Content-Type': type }); res.end(body); };
    if (path === '/capi/t.js') return send('text/javascript', t);
    if (path === `/capi/${wasmName}`) return send('application/wasm', readFileSync(join(WWW, 'dist', wasmName)));
    if (/^\/capi\/m\.[0-9a-f]+\.js$/.test(path)) return send('text/javascript', readFileSync(join(WWW, 'dist', path.slice('/capi/'.length))));
    if (path === '/capi/c') return send('application/json', '{"fbc":null,"fbp":null}');
    if (path === '/capi/e') { res.writeHead(202); return res.end('{}'); }
    if (path === '/bench.html') return send('text/html', HARNESS);
    if (path.startsWith('/bench/') && !path.includes('..')) {
      try {
        return send('text/javascript', readFileSync(join(dirname(MODULE), path.slice('/bench/'.length))));
      } catch { /* 404 below */ }
    }
    const file = path === '/' ? '/index.html' : path.includes('.') ? path : `${path}.html`;
    try {
      const type = file.endsWith('.css') ? 'text/css' : file.endsWith('.js') ? 'text/javascript' : 'text/html';
      send(type, readFileSync(join(WWW, file)));
    } catch {
      res.writeHead(404);
      res.end();
    }
  });
  return new Promise((r) => server.listen(0, '127.0.0.1', () => r(server)));
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const ms = (x) => `${x.toFixed(2)} ms`;

const server = await serve();
const origin = `http://127.0.0.1:${server.address().port}`;
const browser = await chromium.launch({
  executablePath: '/usr/bin/chromium',
  headless: true,
  args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
});
const stub = (route) => route.fulfill({ status: 200, contentType: 'text/javascript', body: 'window.fbq.callMethod=function(){};' });

const loader = [];
const kickTask = [];
const moduleEval = [];
const instantiate = [];
const start = [];
const startSync = [];
const submitFirst = [];
const submitWarm = [];
const fireFirst = [];
const fireWarm = [];
try {
  for (let i = 0; i < RUNS; i++) {
    const context = await browser.newContext();
    await context.route('https://connect.facebook.net/**', stub);
    const page = await context.newPage();
    page.on('pageerror', (e) => console.error('bench page error:', e.message));
    page.on('console', (m) => { if (m.type() === 'error') console.error('bench console error:', m.text()); });
    await browser.startTracing(page, { categories: ['devtools.timeline'] });
    await page.goto(`${origin}/lead`);
    await page.waitForFunction(() => window.capiflare && window.capiflare.l === 1);
    const trace = JSON.parse((await browser.stopTracing()).toString());
    const events = trace.traceEvents;
    const inside = (e, outer) => e.tid === outer.tid && e.ts >= outer.ts && e.ts + (e.dur ?? 0) <= outer.ts + outer.dur;
    const evaluation = (re) => {
      const evaluate = events.filter((e) => e.name === 'EvaluateScript' && re.test(e.args?.data?.url ?? ''));
      return evaluate.reduce((s, e) => s + e.dur, 0) / 1000;
    };
    loader.push(evaluation(/\/capi\/t\.js$/));
    // The loader's own next task (fetching the wasm, adding the module script).
    const loaderScript = events.filter((e) => e.name === 'EvaluateScript' && /\/capi\/t\.js$/.test(e.args?.data?.url ?? ''));
    const timers = new Set(events.filter((e) => e.name === 'TimerInstall' && loaderScript.some((o) => inside(e, o))).map((e) => e.args.data.timerId));
    const kick = events.filter((e) => e.name === 'TimerFire' && timers.has(e.args?.data?.timerId));
    if (kick.length !== 1) throw new Error(`expected the loader's one timer task, found ${kick.length}`);
    kickTask.push(kick[0].dur / 1000);
    moduleEval.push(evaluation(/\/capi\/m\.[0-9a-f]+\.js$/));
    await page.goto(`${origin}/bench.html`);
    const r = await page.waitForFunction(() => window.__bench, null, { timeout: 20_000 }).then((h) => h.jsonValue());
    instantiate.push(r.instantiate);
    start.push(kickTask.at(-1) + moduleEval.at(-1) + r.instantiate + r.start + r.deferred);
    startSync.push(r.instantiate + r.start);
    submitFirst.push(r.submit[0]);
    fireFirst.push(r.fire[0]);
    submitWarm.push(median(r.submit.slice(1)));
    fireWarm.push(median(r.fire.slice(1)));
    await context.close();
  }
} finally {
  await browser.close();
  server.close();
}

const rows = [
  ['loader (t.js evaluation)', median(loader), BUDGET.loader],
  ['module start (loader task, script, wasm, start)', median(start), BUDGET.start],
  ['submission, first on the page (submit + fire)', median(submitFirst) + median(fireFirst), BUDGET.submission],
  ['submission, later ones (submit + fire)', median(submitWarm) + median(fireWarm), BUDGET.submission],
];
console.log(`browser module main-thread time, headless Chromium, median of ${RUNS} fresh pages`);
for (const [name, value, budget] of rows) {
  console.log(`  ${name.padEnd(48)} ${ms(value).padStart(9)}   budget ${budget} ms${value > budget ? '  OVER' : ''}`);
}
console.log(`  (loader's next task ${ms(median(kickTask))}, module script evaluation ${ms(median(moduleEval))}, instantiate alone ${ms(median(instantiate))}, with start() ${ms(median(startSync))}; submit listener ${ms(median(submitFirst))} first, ${ms(median(submitWarm))} later; firing ${ms(median(fireFirst))} first, ${ms(median(fireWarm))} later)`);
