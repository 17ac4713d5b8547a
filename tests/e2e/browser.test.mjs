// The browser module end to end, in real headless Chromium against the real worker (wrangler dev,
// local D1 and Queues, dry-run): the demo pages in www/, the played builders from a second local
// origin, Meta's fbevents.js replaced by a recorder. Nothing leaves the machine.
//
// Build first: bash scripts/build.sh (www/dist and the worker).
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { startStack, openPage, moduleReady, eventually, sha256, delay } from './helpers.mjs';

const HEX64 = /^[0-9a-f]{64}$/;
/** Long enough for anything that would fire to have fired. */
const QUIET_MS = 1500;

let stack;
before(async () => { stack = await startStack({ EXCLUDED_FORMS: '#subscribe' }); });
after(async () => {
  // Every call reached the worker from a test's page (its cookie sent): none escaped the checks.
  const stray = stack?.calls.filter((c) => c.page === undefined) ?? [];
  await stack?.stop();
  assert.deepEqual(stray, [], 'no call to the worker without the page cookie');
});

/** Opens `path` on the page origin and waits for the module to run. */
async function visit(path, opts) {
  const p = await openPage(stack, opts);
  await p.page.goto(`${stack.origin}${path}`);
  await moduleReady(p.page);
  return p;
}

/** Every value of a posted `user` object is SHA-256 hex, except fbc/fbp (never hashed). */
function assertHashedOnly(user) {
  for (const [k, v] of Object.entries(user ?? {})) {
    if (k === 'fbc' || k === 'fbp') continue;
    for (const x of [v].flat()) assert.match(x, HEX64, `user.${k} must be hashed`);
  }
}

/** Exactly one conversion named `name`: one Pixel call and one worker event with the same id, and
 * the worker's stored copy. Returns { id, event, record }. */
async function oneConversion(p, name = 'Lead') {
  await eventually(() => p.tracks(name).length > 0 && p.events(name).length > 0, 10_000, `${name} on both channels`);
  await delay(300);
  const tracks = p.tracks(name);
  const events = p.events(name);
  assert.equal(tracks.length, 1, `one fbq track ${name}`);
  assert.equal(events.length, 1, `one ${name} event to the worker`);
  const id = tracks[0][3]?.eventID;
  assert.ok(id, 'the Pixel call carries an eventID');
  assert.equal(events[0].event_id, id, 'the same event_id on both channels');
  assertHashedOnly(events[0].user);
  const stored = await eventually(() => stack.stored(id), 10_000, 'the stored event');
  assert.equal(stored.records.length, 1);
  const record = stored.records[0];
  assert.equal(record.event_id, id);
  assert.equal(record.event_name, name);
  return { id, event: events[0], record };
}

/** No conversion named any of `names` (a Lead when none is given) on either channel. */
async function nothingFires(p, ...names) {
  await delay(QUIET_MS);
  for (const name of names.length ? names : ['Lead']) {
    assert.deepEqual(p.tracks(name), [], `no fbq track ${name}`);
    assert.deepEqual(p.events(name), [], `no ${name} event to the worker`);
  }
}

function noErrors(p) {
  assert.deepEqual(p.errors, [], 'no console errors');
}

describe('landing', () => {
  test('fbclid becomes _fbc = fb.0.<13 digits>.AbC-x_1 through the worker\'s Set-Cookie', async () => {
    const p = await visit('/lead?fbclid=AbC-x_1');
    await eventually(() => p.calls.find((c) => c.route === 'c' && c.status !== undefined), 10_000, 'POST c');
    const c = p.calls.find((x) => x.route === 'c');
    assert.equal(JSON.parse(c.body).fbclid, 'AbC-x_1', 'fbclid sent with its case kept');
    assert.equal(c.status, 200);
    assert.match(c.setCookie, /(^|\n)_fbc=fb\.0\.\d{13}\.AbC-x_1;/, 'Set-Cookie carries _fbc');
    // The proxy records the answer as it passes it on: the browser stores the cookies a moment later.
    const cookies = await eventually(async () => {
      const all = await p.context.cookies();
      return all.some((x) => x.name === '_fbc') && all;
    }, 10_000, 'the cookies stored');
    const fbc = cookies.find((x) => x.name === '_fbc');
    assert.match(fbc.value, /^fb\.0\.\d{13}\.AbC-x_1$/);
    assert.equal(fbc.domain, 'localhost', 'host-only on localhost');
    assert.ok(cookies.find((x) => x.name === '_fbp'), '_fbp created');
    // The PageView carries the cookies, and the same id on both channels.
    const { event } = await oneConversion(p, 'PageView');
    assert.equal(event.user.fbc, fbc.value);
    noErrors(p);
    await p.close();
  });

  test("a _fbp a script wrote (Safari keeps it 7 days at most) is written again by the worker, unchanged, for 90 days", async () => {
    const p = await openPage(stack);
    const fbp = 'fb.0.1795000000000.1234567890';
    const inAnHour = Math.floor(Date.now() / 1000) + 3600;
    await p.context.addCookies([{ name: '_fbp', value: fbp, url: stack.origin, expires: inAnHour }]);
    await p.page.goto(`${stack.origin}/lead`);
    await moduleReady(p.page);
    await oneConversion(p, 'PageView');
    const cookie = await eventually(async () => {
      const found = (await p.context.cookies()).find((x) => x.name === '_fbp');
      return found?.expires > inAnHour && found;
    }, 10_000, 'the cookie written again');
    assert.equal(cookie.value, fbp);
    assert.ok(cookie.expires > Date.now() / 1000 + 89 * 86400, '90 days from now');
    // By the PageView's POST e (sent with fetchLater): the landing had nothing to write.
    assert.deepEqual(p.calls.filter((c) => c.route === 'c'), []);
    noErrors(p);
    await p.close();
  });

  /** The lead page (`?query`), its landing's POST c sent and never answered. */
  async function leadPageUnanswered(query = '') {
    const p = await openPage(stack);
    let held = 0;
    await p.context.route('**/capi/c', () => { held++; });
    await p.page.goto(`${stack.origin}/lead${query}`);
    await moduleReady(p.page);
    await eventually(() => held === 1, 10_000, 'POST c sent');
    return p;
  }

  test("the worker not answering POST c: Meta's script loads all the same, after 2 s", async () => {
    const p = await leadPageUnanswered();
    const sent = Date.now();
    await eventually(() => p.fbevents.length === 1, 10_000, 'fbevents.js requested');
    assert.ok(Date.now() - sent > 1500, 'it waited for the cookies first');
    await eventually(() => p.tracks('PageView').length === 1, 10_000, 'the PageView on the Pixel');
    noErrors(p);
    await p.close();
  });

  test('a navigating form sent while the landing call is unanswered: the Lead still leaves as the page unloads, with the click', async () => {
    const p = await leadPageUnanswered('?fbclid=AbC-x_1');
    await p.page.fill('#cb-name', 'Ann Lee');
    await p.page.fill('#cb-email', 'ann@example.org');
    await Promise.all([p.page.waitForURL(/\/thanks/), p.page.click('#callback button[type=submit]')]);
    await eventually(() => p.events('Lead').length > 0, 10_000, 'the Lead at the worker');
    const [lead] = p.events('Lead');
    const stored = await eventually(() => stack.stored(lead.event_id), 10_000, 'the stored Lead');
    assert.deepEqual(stored.records[0].payload.user_data.em, [sha256('ann@example.org')]);
    assert.match(lead.user.fbc ?? '', /^fb\.0\.\d{13}\.AbC-x_1$/, 'the click the landing was setting');
    noErrors(p);
    await p.close();
  });

  test('the worker refusing POST c (429): no script cookies, the worker answered', async () => {
    const p = await openPage(stack);
    await p.context.route('**/capi/c', (route) => route.fulfill({ status: 429, contentType: 'application/json', body: '{"error":{"code":"rate_limited","message":"too many requests"}}' }));
    await p.page.goto(`${stack.origin}/lead?fbclid=AbC-x_1`);
    await moduleReady(p.page);
    await eventually(() => p.logs.some((l) => l.includes('cookies: the worker answered 429')), 10_000, 'the answer read');
    await delay(300);
    assert.deepEqual((await p.context.cookies()).filter((c) => c.name.startsWith('_fb')), [], 'no script cookies');
    assert.deepEqual(p.errors.filter((e) => !e.includes('429')), []);
    await p.close();
  });

  test('the worker unreachable for POST c: the module writes _fbc and _fbp itself, and conversions carry them', async () => {
    const p = await openPage(stack);
    const refused = [];
    await p.context.route('**/capi/c', (route) => {
      refused.push(route.request().method());
      return route.abort('connectionrefused');
    });
    const before = Date.now();
    await p.page.goto(`${stack.origin}/lead?fbclid=AbC-x_1`);
    await moduleReady(p.page);
    await eventually(() => p.logs.some((l) => l.includes('cookies: worker unreachable, script cookies')), 10_000, 'the fallback');
    assert.ok(refused.length >= 1, 'the landing tried the worker');
    assert.deepEqual(p.calls.filter((c) => c.route === 'c'), [], 'no POST c reached the worker');
    const cookies = await p.context.cookies();
    const fbc = cookies.find((x) => x.name === '_fbc');
    const fbp = cookies.find((x) => x.name === '_fbp');
    assert.match(fbc?.value ?? '', /^fb\.0\.\d{13}\.AbC-x_1$/, 'script _fbc, fbclid case kept');
    assert.match(fbp?.value ?? '', /^fb\.0\.\d{13}\.\d+$/, 'script _fbp');
    for (const c of [fbc, fbp]) {
      assert.ok(Math.abs(Number(c.value.split('.')[2]) - before) < 60_000, `${c.name}: created now`);
      assert.ok(c.expires * 1000 > before + 89 * 86_400_000, `${c.name}: lives 90 days`);
      assert.equal(c.path, '/');
      assert.equal(c.sameSite, 'Lax');
    }
    // The conversions still reach the worker (POST e), carrying the script cookies.
    const { event } = await oneConversion(p, 'PageView');
    assert.equal(event.user.fbc, fbc.value);
    assert.equal(event.user.fbp, fbp.value);
    // The only errors are the browser's own reports of the refused requests (the fetch, then the
    // beacon): nothing from the module.
    assert.deepEqual(p.errors.filter((e) => e !== 'console: Failed to load resource: net::ERR_CONNECTION_REFUSED'), []);
    await p.close();
  });
});

describe('plain forms', () => {
  test('an AJAX form with a success message: one Lead, the same event_id stored with em = sha256(normalized email)', async () => {
    const p = await visit('/lead');
    await p.page.fill('#email', '  Jo.Doe@Example.COM ');
    await p.page.fill('#first', 'Jo');
    await p.page.fill('#last', 'Doe');
    await p.page.selectOption('#country', 'DE');
    await p.page.click('#lead button[type=submit]');
    const { event, record } = await oneConversion(p);
    const user = record.payload.user_data;
    assert.deepEqual(user.em, [sha256('jo.doe@example.com')]);
    assert.deepEqual(user.fn, [sha256('jo')]);
    assert.deepEqual(user.ln, [sha256('doe')]);
    assert.deepEqual(user.country, [sha256('de')]);
    assert.equal(record.status, 'dry_run');
    assert.equal(event.event_source_url, `${stack.origin}/lead`);
    const sent = p.calls.filter((c) => c.route === 'e');
    assert.ok(!/jo\.doe|example\.com|"Jo"|Doe/i.test(sent.map((c) => c.body).join('\n')), 'no raw personal data leaves the page');
    assert.deepEqual(sent.map((c) => c.mode), ['cors', 'cors']);
    for (const e of p.events()) {
      assert.ok(p.logs.some((l) => l.includes('sent: fetchLater') && l.includes(e.event_id)), `${e.event_name} by fetchLater`);
    }
    // Meta's Pixel loaded once and initialized with the configured pixel before any event.
    assert.equal(p.fbevents.length, 1, 'fbevents.js requested once');
    assert.ok(p.fbevents[0].landed, "fbevents.js requested once the worker had set the cookies, which it then keeps");
    const calls = p.fbq().map((c) => c.slice(0, 2).join(' '));
    assert.deepEqual(calls.filter((c) => c.startsWith('init')), ['init 1234567890123']);
    assert.ok(calls.indexOf('init 1234567890123') < calls.indexOf('track PageView'), 'init before the PageView');
    noErrors(p);
    await p.close();
  });

  test('a form that navigates: the Lead fires on submit; the next page\'s URL loses its personal data', async () => {
    const p = await visit('/lead');
    await p.page.fill('#cb-name', 'Ann Lee');
    await p.page.fill('#cb-email', 'ann@example.org');
    await Promise.all([p.page.waitForURL(/\/thanks/), p.page.click('#callback button[type=submit]')]);
    const { record } = await oneConversion(p);
    assert.deepEqual(record.payload.user_data.em, [sha256('ann@example.org')]);
    assert.deepEqual(record.payload.user_data.fn, [sha256('ann')]);
    assert.deepEqual(record.payload.user_data.ln, [sha256('lee')]);
    await eventually(() => p.events('PageView').some((e) => e.event_source_url.includes('/thanks')), 10_000, 'PageView on /thanks');
    const thanks = p.events('PageView').find((e) => e.event_source_url.includes('/thanks'));
    assert.equal(thanks.event_source_url, `${stack.origin}/thanks?plan=callback`);
    noErrors(p);
    await p.close();
  });

  test('a form that navigates, sent again before the next page has come (a double click): one Lead', async () => {
    const p = await visit('/lead');
    await p.page.route(/\/thanks/, async (route) => {
      await delay(1000);
      await route.continue();
    });
    await p.page.fill('#cb-name', 'Ann Lee');
    await p.page.fill('#cb-email', 'ann@example.org');
    // Two clicks 200 ms apart, while the next page is on its way.
    await p.page.evaluate(() => new Promise((done) => {
      const button = document.querySelector('#callback button[type=submit]');
      button.click();
      setTimeout(() => done(button.click()), 200);
    }));
    await p.page.waitForURL(/\/thanks/);
    const { record } = await oneConversion(p);
    assert.deepEqual(record.payload.user_data.em, [sha256('ann@example.org')]);
    noErrors(p);
    await p.close();
  });

  test('a form that navigates, sent again after coming back to its page (back/forward cache): a second Lead', async () => {
    const p = await openPage(stack);
    // Every page of the visit says whether it came back from the cache (a reloaded one: false).
    await p.context.addInitScript(() => addEventListener('pageshow', (e) => { window.restored = e.persisted; }));
    await p.page.goto(`${stack.origin}/lead`);
    await moduleReady(p.page);
    await p.page.fill('#cb-name', 'Ann Lee');
    await p.page.fill('#cb-email', 'ann@example.org');
    await Promise.all([p.page.waitForURL(/\/thanks/), p.page.click('#callback button[type=submit]')]);
    const first = Date.now();
    await eventually(() => p.tracks('Lead').length === 1, 10_000, 'the first Lead');
    // A page restored from the cache fires no load event.
    await p.page.goBack({ waitUntil: 'commit' });
    await p.page.waitForFunction(() => window.restored !== undefined);
    assert.equal(await p.page.evaluate(() => window.restored), true, 'the page came back from the cache');
    // Within the watch's window after the first send: a new send all the same.
    await p.page.fill('#cb-email', 'ann.lee@example.org');
    assert.ok(Date.now() - first < 8000, 'still within the 10 s window');
    await Promise.all([p.page.waitForURL(/\/thanks/), p.page.click('#callback button[type=submit]')]);
    await eventually(() => p.tracks('Lead').length === 2, 10_000, 'the second Lead');
    const ids = p.tracks('Lead').map((t) => t[3].eventID);
    assert.notEqual(ids[0], ids[1]);
    const { records } = await eventually(() => stack.stored(ids[1]), 10_000, 'the second stored event');
    assert.deepEqual(records[0].payload.user_data.em, [sha256('ann.lee@example.org')]);
    noErrors(p);
    await p.close();
  });

  test('an invalid submission gives nothing (AJAX form showing an error, navigating form blocked)', async () => {
    const p = await visit('/lead');
    await p.page.fill('#email', 'not-an-email');
    await p.page.click('#lead button[type=submit]');
    await p.page.waitForSelector('#lead-error:not([hidden])');
    await p.page.click('#callback button[type=submit]');
    await nothingFires(p);
    assert.match(p.page.url(), /\/lead$/);
    // The page's handler shows its error at once, before the watch starts: read as an error.
    assert.ok(p.logs.some((l) => l.includes('form: error shown')), 'the error message read as one');
    noErrors(p);
    await p.close();
  });

  test('a navigating form that skips the browser\'s validation (novalidate), sent invalid: no Lead', async () => {
    const p = await visit('/lead');
    await p.page.evaluate(() => {
      document.body.insertAdjacentHTML('beforeend', '<form id="nv" action="/thanks" method="get" novalidate><input name="email" type="email" required><button type="submit">Go</button></form>');
    });
    await p.page.fill('#nv input', 'not-an-email');
    await p.page.click('#nv button');
    await p.page.waitForURL(/\/thanks/);
    await moduleReady(p.page);
    await nothingFires(p);
    assert.ok(p.logs.some((l) => l.includes('form: invalid')), 'the submit seen and judged invalid');
    noErrors(p);
    await p.close();
  });

  test('an AJAX form sent twice before its answer (a double click): one Lead, with the fields of the later submit', async () => {
    const p = await visit('/lead');
    // Two clicks 100 ms apart, the second with the email corrected; the site answers 300 ms after each.
    await p.page.evaluate(() => new Promise((done) => {
      const email = document.getElementById('email');
      const button = document.querySelector('#lead button[type=submit]');
      email.value = 'first@example.com';
      button.click();
      setTimeout(() => {
        email.value = 'Second@Example.com';
        done(button.click());
      }, 100);
    }));
    await p.page.waitForSelector('#lead-success:not([hidden])');
    const { record } = await oneConversion(p);
    assert.deepEqual(record.payload.user_data.em, [sha256('second@example.com')]);
    noErrors(p);
    await p.close();
  });

  test("an AJAX form whose own submit handler shows its success message at once: one Lead", async () => {
    const p = await visit('/lead');
    await p.page.evaluate(() => {
      document.body.insertAdjacentHTML('beforeend', '<form id="instant"><input name="email" type="email" required><button type="submit">Send</button><p class="success" hidden>Thank you, we got it.</p></form>');
      const form = document.getElementById('instant');
      form.addEventListener('submit', (e) => {
        e.preventDefault();
        form.querySelector('.success').hidden = false;
      });
    });
    await p.page.fill('#instant input', 'Instant@Example.com');
    await p.page.click('#instant button');
    const { record } = await oneConversion(p);
    assert.deepEqual(record.payload.user_data.em, [sha256('instant@example.com')]);
    noErrors(p);
    await p.close();
  });

  test('a filled honeypot marks the submission as spam: nothing', async () => {
    const p = await visit('/lead');
    await p.page.fill('#email', 'bot@example.com');
    await p.page.evaluate(() => { document.getElementById('website').value = 'http://spam.example'; });
    await p.page.click('#lead button[type=submit]');
    await p.page.waitForSelector('#lead-success:not([hidden])');
    await nothingFires(p);
    noErrors(p);
    await p.close();
  });

  test("fields named only by their labels: a label elsewhere on the page, a wrapping one, and a control's first label", async () => {
    const p = await custom('<script async src="/capi/t.js" data-debug></script>', `
<label for="f1">E-mail</label>
<form id="plain"><input id="f1" name="field_1" value="Jo.Label@Example.com">
<label>Telefon <input name="field_2" value="+49 30 1234567"></label>
<label for="f3">First name</label><input id="f3" name="field_3" value="Jo"><label for="f3">Last name (as on your ID)</label>
<button>Send</button></form>
<p id="done" hidden>Thank you!</p>
<script>document.getElementById('plain').addEventListener('submit', (e) => { e.preventDefault(); setTimeout(() => { document.getElementById('done').hidden = false; }, 50); });</script>`);
    await p.page.click('#plain button');
    const user = (await oneConversion(p)).record.payload.user_data;
    assert.deepEqual(user.em, [sha256('jo.label@example.com')]);
    assert.deepEqual(user.ph, [sha256('49301234567')]);
    assert.deepEqual(user.fn, [sha256('jo')], 'a control with two labels takes its first');
    assert.equal(user.ln, undefined);
    noErrors(p);
    await p.close();
  });

  // After the submit, only what the page changes is looked at again: a message shown by a change
  // around the form, in the head, or inside the message's own markup, must still be seen.
  const shownBy = {
    'a class on the body': ['<style>.form-success{display:none} body.sent .form-success{display:block}</style>', "document.body.classList.add('sent')", '<p class="form-success">Thank you!</p>'],
    "text in a message's inner element": ['', "document.querySelector('.thanks-box span').textContent = 'We got it.'", '<div class="thanks-box"><span></span></div>'],
    'a stylesheet added to the head': ['<style>.form-success{display:none}</style>', `document.head.insertAdjacentHTML('beforeend', '<style>.form-success{display:block}</style>')`, '<p class="form-success">Thank you!</p>'],
  };
  for (const [what, [style, show, markup]] of Object.entries(shownBy)) {
    test(`an AJAX form whose success message is shown by ${what}: one Lead`, async () => {
      const p = await custom(`${style}<script async src="/capi/t.js" data-debug></script>`, `
<div id="wrap"><form id="f"><input name="email" type="email" value="shown@example.com"><button>Send</button></form>${markup}</div>
<script>document.getElementById('f').addEventListener('submit', (e) => { e.preventDefault(); setTimeout(() => { ${show}; }, 100); });</script>`);
      await p.page.click('#f button');
      const { record } = await oneConversion(p);
      assert.deepEqual(record.payload.user_data.em, [sha256('shown@example.com')]);
      noErrors(p);
      await p.close();
    });
  }

  test('a message shown before the submit and rendered again with the same text is no success', async () => {
    const p = await custom('<script async src="/capi/t.js" data-debug></script>', `
<div><form id="f"><input name="email" type="email" value="again@example.com"><button>Send</button></form><p role="status" id="s">Fill in the form</p></div>
<script>document.getElementById('f').addEventListener('submit', (e) => { e.preventDefault();
  setTimeout(() => { const s = document.getElementById('s'); s.replaceChildren(document.createTextNode('Fill in the form')); s.className = 'again'; }, 100); });</script>`);
    await p.page.click('#f button');
    await nothingFires(p);
    assert.ok(p.logs.some((l) => l.includes('form: AJAX, waiting for success')), 'the submit was seen');
    noErrors(p);
    await p.close();
  });

  // A visitor's focus in a form has what is beside it queried in idle time, and its submit uses
  // that while the page has changed nothing the query reads; any such change, even one made in the
  // submit's own task, has it queried again, so what was shown before the submit is no success.
  const QUERIED = 'form: success candidates queried, all beside the form';
  const focused = async (body) => {
    const p = await custom('<script async src="/capi/t.js" data-debug></script>', `
<div><form id="f"><input name="email" type="email" value="focus@example.com"><button>Send</button></form><p id="p">Welcome back</p></div>
<script>document.getElementById('f').addEventListener('submit', (e) => { e.preventDefault(); setTimeout(() => { ${body} }, 100); });</script>`);
    // Once the module has changed the page (Meta's script inserted, the PageView sent through it).
    await eventually(() => p.tracks('PageView').length > 0, 5000, 'the PageView');
    // A change after the module's warm-up (which queried it too): only the focus queries it again.
    await p.page.evaluate(() => document.body.append(document.createElement('i')));
    await p.page.focus('#f input');
    await p.page.evaluate(() => new Promise((r) => requestIdleCallback(() => requestIdleCallback(r))));
    return p;
  };

  test("after a visitor's focus in the form, its submit does not query all beside it again", async () => {
    const p = await focused("document.getElementById('p').insertAdjacentHTML('afterend', '<p role=\"status\">Thank you!</p>');");
    const queried = p.logs.filter((l) => l.includes(QUERIED)).length;
    assert.ok(queried > 0, 'queried before the submit');
    await p.page.evaluate(() => document.getElementById('f').requestSubmit());
    await oneConversion(p);
    // The submit's capture listener logs nothing; its next task tells the form is AJAX.
    const submitted = p.logs.findIndex((l) => l.includes('form: AJAX, waiting for success'));
    assert.equal(p.logs.slice(0, submitted).filter((l) => l.includes(QUERIED)).length, queried, 'the submit queried nothing beside the form');
    noErrors(p);
    await p.close();
  });

  const shownBefore = {
    'a class given in an earlier task': [(p) => p.page.evaluate(() => { document.getElementById('p').className = 'done'; }), "document.body.appendChild(document.createElement('i'));"],
    "an element added in the submit's own task": [() => {}, "document.body.classList.add('sent');", "document.getElementById('p').insertAdjacentHTML('afterend', '<p role=\"status\">Thanks for visiting</p>');"],
  };
  for (const [what, [change, after, inTask = '']] of Object.entries(shownBefore)) {
    test(`a message shown after the visitor's focus by ${what}, then a change around the form after the submit: no Lead`, async () => {
      const p = await focused(after);
      await change(p);
      await p.page.evaluate((js) => { new Function(js)(); document.getElementById('f').requestSubmit(); }, inTask);
      await nothingFires(p);
      assert.ok(p.logs.some((l) => l.includes('form: AJAX, waiting for success')), 'the submit was seen');
      noErrors(p);
      await p.close();
    });
  }

  test('excluded forms give nothing (data-capiflare-exclude, and EXCLUDED_FORMS)', async () => {
    const p = await visit('/lead');
    for (const [form, input, email] of [['#newsletter', '#nl-email', 'news@example.com'], ['#subscribe', '#sub-email', 'updates@example.com']]) {
      await p.page.fill(input, email);
      await p.page.evaluate((sel) => document.querySelector(sel).requestSubmit(), form);
      await p.page.waitForSelector(`${form} .success:not([hidden])`, { timeout: 5000 });
    }
    await nothingFires(p);
    assert.equal(p.logs.filter((l) => l.includes('excluded: ')).length, 2, 'both submits seen and excluded');
    noErrors(p);
    await p.close();
  });

  test('excluded forms give nothing in the production build too (no data-debug, no reason kept)', async () => {
    const p = await custom('<script async src="/capi/t.js"></script>', ['<form id="a" data-capiflare-exclude>', '<form id="subscribe">'].map((open) => `
${open}<input name="email" type="email" value="excluded@example.com"><button>Send</button></form><p class="success" hidden>Thanks!</p>`).join('') + `
<script>for (const f of document.forms) f.addEventListener('submit', (e) => { e.preventDefault(); setTimeout(() => { f.nextElementSibling.hidden = false; }, 50); });</script>`);
    for (const form of ['#a', '#subscribe']) await p.page.evaluate((sel) => document.querySelector(sel).requestSubmit(), form);
    await nothingFires(p);
    assert.ok(p.events('PageView').length > 0, 'the module runs');
    noErrors(p);
    await p.close();
  });
});

describe("a builder's own events at a plain form (Contact Form 7)", () => {
  /** A page playing Contact Form 7 5.x: its markup (a visually hidden live region beside the form)
   * and its AJAX answer `delay` ms after the submit, in its order: the form's status, the event
   * `wpcf7<event>` at `at` (the form; 4.x dispatched at its wrapper), then the message, here in
   * Dutch, which the page's success words cannot read. The first `unanswered` submits get no
   * answer. */
  const cf7 = (status, event, message, { at = 'form', delay = 150, unanswered = 0 } = {}) => custom('<script async src="/capi/t.js" data-debug></script>', `
<style>.screen-reader-response{position:absolute;overflow:hidden;clip:rect(1px,1px,1px,1px);height:1px;width:1px;margin:-1px;padding:0;border:0}</style>
<div class="wpcf7 no-js" id="wpcf7-f12-p34-o1" lang="nl-NL"><div class="screen-reader-response"><p role="status" aria-live="polite" aria-atomic="true"></p></div>
<form action="/contact/#wpcf7-f12-p34-o1" method="post" class="wpcf7-form init" novalidate data-status="init">
<div style="display:none"><input type="hidden" name="_wpcf7" value="12"><input type="hidden" name="_wpcf7_unit_tag" value="wpcf7-f12-p34-o1"></div>
<p><label>Je naam<br><span class="wpcf7-form-control-wrap" data-name="your-name"><input class="wpcf7-form-control wpcf7-text" autocomplete="name" type="text" name="your-name" value="Jo Doe"></span></label></p>
<p><label>Je e-mailadres<br><span class="wpcf7-form-control-wrap" data-name="your-email"><input class="wpcf7-form-control wpcf7-email" autocomplete="email" type="email" name="your-email" value=" Jo.CF7@Example.com "></span></label></p>
<p><input class="wpcf7-form-control wpcf7-submit" type="submit" value="Verzenden"></p>
<div class="wpcf7-response-output" aria-hidden="true"></div></form></div>
<script>
  const form = document.querySelector('.wpcf7-form');
  let submits = 0;
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    if (++submits <= ${unanswered}) return;
    setTimeout(() => {
      form.className = 'wpcf7-form ${status}';
      form.setAttribute('data-status', '${status}');
      (${JSON.stringify(at)} === 'form' ? form : form.parentElement).dispatchEvent(new CustomEvent('wpcf7${event}', { bubbles: true, detail: { contactFormId: 12, status: '${status}' } }));
      form.parentElement.querySelector('.screen-reader-response [role=status]').textContent = ${JSON.stringify(message)};
      form.querySelector('.wpcf7-response-output').textContent = ${JSON.stringify(message)};
    }, ${delay});
  });
</script>`);

  for (const at of ['form', 'wrapper']) {
    test(`wpcf7mailsent at the ${at}: one Lead, decided by the event`, async () => {
      const p = await cf7('sent', 'mailsent', 'Bedankt voor je bericht. Het is verzonden.', { at });
      await p.page.click('.wpcf7-submit');
      const { record } = await oneConversion(p);
      assert.deepEqual(record.payload.user_data.em, [sha256('jo.cf7@example.com')]);
      assert.ok(p.logs.some((l) => l.includes("form: the builder's success event")), 'the event decided');
      noErrors(p);
      await p.close();
    });
  }

  test('a submit left unanswered, then another: the second ends the first watch, which leaves the second its event', async () => {
    const failed = 'Er is een fout opgetreden bij het verzenden van je bericht. Probeer het later opnieuw.';
    const p = await cf7('failed', 'mailfailed', failed, { unanswered: 1, delay: 1500 });
    await p.page.click('.wpcf7-submit');
    await delay(500);
    await p.page.click('.wpcf7-submit');
    await eventually(() => p.logs.some((l) => l.includes("form: the builder's failure event")), 5000, 'the second watch read its event');
    assert.ok(p.logs.some((l) => l.includes('form: submitted again, the earlier watch ends')), 'the first watch ended at the second submit');
    await nothingFires(p);
    noErrors(p);
    await p.close();
  });

  test('wpcf7mailfailed: nothing, though the live region shows a message read as no error', async () => {
    const p = await cf7('failed', 'mailfailed', 'Er is een fout opgetreden bij het verzenden van je bericht. Probeer het later opnieuw.');
    await p.page.click('.wpcf7-submit');
    await nothingFires(p);
    assert.ok(p.logs.some((l) => l.includes("form: the builder's failure event")), 'the event decided');
    noErrors(p);
    await p.close();
  });
});

describe('form builders', () => {
  const page = () => `/builders?forms=${encodeURIComponent(stack.builder.origin)}`;

  /** The builders page with every embed rendered (they load asynchronously and move the layout). */
  async function visitBuilders() {
    const p = await visit(page());
    for (const sel of ['iframe.hs-form-iframe', '.hs-form-frame form', '[data-paperform-id] iframe', '.calendly-inline-widget iframe', '.tf-v1-widget iframe']) {
      await p.page.waitForSelector(sel);
    }
    return p;
  }

  test('HubSpot legacy embed (hsFormCallback onFormSubmitted, posted on the page by its script; the form in its shell iframe): one Lead', async () => {
    const p = await visitBuilders();
    const frame = p.page.frameLocator('#hubspot-legacy iframe.hs-form-iframe');
    await frame.locator('input[name=email]').fill('Hub.Legacy@Example.com');
    await frame.locator('input[name=firstname]').fill('Hub');
    await frame.locator('button[type=submit]').click();
    const { record } = await oneConversion(p);
    assert.deepEqual(record.payload.user_data.em, [sha256('hub.legacy@example.com')]);
    assert.deepEqual(record.payload.user_data.fn, [sha256('hub')]);
    noErrors(p);
    await p.close();
  });

  test('HubSpot legacy raw HTML form: one Lead from its message, none from its submit; excluded by its container, raw or in its shell iframe, nothing', async () => {
    const p = await visitBuilders();
    await p.page.evaluate(() => {
      for (const [id, exclude] of [['hubspot-raw', false], ['hubspot-shell-excluded', true]]) {
        const box = document.createElement('div');
        box.id = id;
        if (exclude) box.setAttribute('data-capiflare-exclude', '');
        document.body.appendChild(box);
      }
      hbspt.forms.create({ portalId: '1234567', formId: 'raw-form', target: '#hubspot-raw', css: '' });
      hbspt.forms.create({ portalId: '1234567', formId: 'shell-excluded-form', target: '#hubspot-shell-excluded' });
    });
    const shell = p.page.frameLocator('#hubspot-shell-excluded iframe.hs-form-iframe');
    for (const [root, email] of [[p.page.locator('#hubspot-newsletter'), 'news@example.com'], [shell, 'shell@example.com'], [p.page.locator('#hubspot-raw'), 'Hub.Raw@Example.com']]) {
      await root.locator('input[name=email]').fill(email);
      await root.locator('button[type=submit]').click();
      await root.locator('form[hidden]').waitFor({ state: 'attached' });
    }
    const { record } = await oneConversion(p);
    assert.deepEqual(record.payload.user_data.em, [sha256('hub.raw@example.com')]);
    assert.equal(p.logs.filter((l) => l.includes('excluded: data-capiflare-exclude')).length, 2, 'both excluded forms seen and excluded');
    noErrors(p);
    await p.close();
  });

  test('HubSpot new editor (hs-form-event:on-submission:success + HubSpotFormsV4 values): one Lead', async () => {
    const p = await visitBuilders();
    await p.page.fill('.hs-form-frame input[name="0-1/email"]', 'v4@example.com');
    await p.page.fill('.hs-form-frame input[name="0-1/phone"]', '+1 (650) 555-1212');
    await p.page.click('.hs-form-frame button[type=submit]');
    const { record } = await oneConversion(p);
    assert.deepEqual(record.payload.user_data.em, [sha256('v4@example.com')]);
    assert.deepEqual(record.payload.user_data.ph, [sha256('16505551212')]);
    noErrors(p);
    await p.close();
  });

  test('HubSpot new editor: a failed submission gives nothing', async () => {
    const p = await visitBuilders();
    await p.page.evaluate(() => window.addEventListener('hs-form-event:on-submission:failed', () => { window.__failed = true; }));
    await p.page.click('.hs-form-frame button[type=submit]');
    await p.page.waitForFunction(() => window.__failed === true);
    await nothingFires(p);
    noErrors(p);
    await p.close();
  });

  test('Paperform (raw paperform: message from its iframe, verified): one Lead', async () => {
    const p = await visitBuilders();
    const frame = await eventually(() => p.page.frames().find((f) => f.url().includes('paperform/form.html')), 10_000, 'Paperform frame');
    await frame.waitForSelector('input[name=e1]');
    await frame.fill('input[name=e1]', 'paper@example.com');
    await frame.fill('input[name=n1]', 'Pat Paper');
    await frame.click('button[type=submit]');
    const { record } = await oneConversion(p);
    assert.deepEqual(record.payload.user_data.em, [sha256('paper@example.com')]);
    assert.deepEqual(record.payload.user_data.fn, [sha256('pat')]);
    assert.deepEqual(record.payload.user_data.ln, [sha256('paper')]);
    noErrors(p);
    await p.close();
  });

  test('Typeform (form-submit from its widget, for its embed id): one Lead', async () => {
    const p = await visitBuilders();
    const frame = await eventually(() => p.page.frames().find((f) => f.url().includes('typeform/form.html')), 10_000, 'Typeform frame');
    await frame.fill('input[name=email]', 'typed@example.com');
    await frame.click('button[type=submit]');
    const { event } = await oneConversion(p);
    assert.equal(event.user.em, undefined, 'Typeform posts no answers');
    noErrors(p);
    await p.close();
  });

  test('Calendly (calendly.event_scheduled from its inline widget): one Schedule; viewing and picking a time give nothing', async () => {
    const p = await visitBuilders();
    const frame = await eventually(() => p.page.frames().find((f) => f.url().includes('calendly/scheduling.html')), 10_000, 'Calendly frame');
    await frame.click('#times button');
    await frame.waitForSelector('#confirm:not([hidden])');
    await nothingFires(p, 'Schedule', 'Lead');
    await frame.click('#confirm button');
    const { record } = await oneConversion(p, 'Schedule');
    assert.equal(record.payload.action_source, 'website');
    assert.ok(record.payload.user_data.client_user_agent, 'the worker adds the browser');
    assert.deepEqual(p.tracks('Lead'), [], 'a booking is no Lead');
    noErrors(p);
    await p.close();
  });

  test('Calendly popup widget (.calendly-overlay): one Schedule', async () => {
    const p = await visitBuilders();
    const url = `${stack.builder.origin}/played/calendly/scheduling.html?auto=1`;
    await p.page.evaluate((url) => window.Calendly.initPopupWidget({ url }), url);
    await oneConversion(p, 'Schedule');
    noErrors(p);
    await p.close();
  });

  /** How many builder-shaped messages the module logged as ignored (untrusted sender). */
  const ignored = (p) => p.logs.filter((l) => l.includes('message ignored: untrusted sender')).length;

  test("a Calendly iframe pasted without its widget: one Schedule from calendly.com, nothing from a look-alike host", async () => {
    const p = await openPage(stack);
    const scheduling = readFileSync(new URL('../../www/played/calendly/scheduling.html', import.meta.url), 'utf8');
    await p.context.route(/^https:\/\/(calendly\.com|calendly\.com\.evil\.test)\//, (r) => r.fulfill({ contentType: 'text/html', body: scheduling }));
    await p.page.goto(`${stack.origin}${page()}`);
    await moduleReady(p.page);
    await addFrame(p, { src: 'https://calendly.com.evil.test/acme/intro?embed_domain=localhost&embed_type=Inline&auto=1' });
    await eventually(() => ignored(p) >= 1, 10_000, 'the look-alike message seen and ignored');
    await nothingFires(p, 'Schedule', 'Lead');
    await addFrame(p, { src: 'https://calendly.com/acme/intro?embed_domain=localhost&embed_type=Inline&auto=1' });
    await oneConversion(p, 'Schedule');
    noErrors(p);
    await p.close();
  });

  test("a Typeform frame whose URL names calendly.com (a hidden field) is still Typeform's: one Lead", async () => {
    const p = await visitBuilders();
    await addFrame(p, { src: `${stack.builder.origin}/played/typeform/form.html?formId=x&typeform-embed-id=e1&booking=calendly.com%2Facme&auto=1` });
    await oneConversion(p);
    noErrors(p);
    await p.close();
  });

  /** Adds an iframe (in a builder's container or not) that submits at once. */
  async function addFrame(p, { container, className = '', src }) {
    await p.page.evaluate(({ container, className, src }) => {
      const f = document.createElement('iframe');
      f.className = className;
      f.src = src;
      const host = container ? document.createElement('div') : document.body;
      if (container === 'paperform') host.setAttribute('data-paperform-id', 'rogue');
      if (container === 'calendly') host.className = 'calendly-inline-widget';
      if (container) document.body.appendChild(host);
      host.appendChild(f);
    }, { container, className, src });
  }

  test('a message from a wrong origin gives nothing (builder iframes on an origin not in FORM_ORIGINS)', async () => {
    const p = await visitBuilders();
    const other = stack.builder.otherOrigin;
    await addFrame(p, { className: 'hs-form-iframe', src: `${other}/played/hubspot/legacy-form.html?formId=x&auto=1` });
    await addFrame(p, { container: 'paperform', src: `${other}/played/paperform/form.html?id=x&embed=1&_embed_id=9&auto=1` });
    await addFrame(p, { container: 'calendly', src: `${other}/played/calendly/scheduling.html?auto=1` });
    await addFrame(p, { src: `${other}/played/typeform/form.html?formId=x&typeform-embed-id=e1&auto=1` });
    await eventually(() => ignored(p) >= 4, 10_000, 'the four messages seen and ignored');
    await nothingFires(p, 'Lead', 'Schedule');
    noErrors(p);
    await p.close();
  });

  test('a message from the right origin but another frame gives nothing', async () => {
    const p = await visitBuilders();
    const origin = stack.builder.origin;
    await addFrame(p, { src: `${origin}/played/hubspot/legacy-form.html?formId=x&auto=1` });
    await addFrame(p, { src: `${origin}/played/paperform/form.html?id=x&embed=1&_embed_id=0&auto=1` });
    await addFrame(p, { src: `${origin}/played/calendly/scheduling.html?auto=1` });
    await addFrame(p, { src: `${origin}/played/typeform/form.html?formId=x&auto=1` });
    await eventually(() => ignored(p) >= 4, 10_000, 'the four messages seen and ignored');
    await nothingFires(p, 'Lead', 'Schedule');
    noErrors(p);
    await p.close();
  });

  test('a message from a look-alike host gives nothing; the builder\'s real host counts', async () => {
    const p = await openPage(stack);
    const form = readFileSync(new URL('../../www/played/paperform/form.html', import.meta.url), 'utf8');
    const hub = readFileSync(new URL('../../www/played/hubspot/legacy-form.html', import.meta.url), 'utf8');
    await p.context.route(/^https:\/\/(paperform\.co|paperform\.co\.evil\.test|evilpaperform\.co)\//, (r) => r.fulfill({ contentType: 'text/html', body: form }));
    await p.context.route(/^https:\/\/(hsforms\.com\.evil\.test)\//, (r) => r.fulfill({ contentType: 'text/html', body: hub }));
    await p.page.goto(`${stack.origin}${page()}`);
    await moduleReady(p.page);
    await addFrame(p, { container: 'paperform', src: 'https://paperform.co.evil.test/form/x?embed=1&_embed_id=5&auto=1&email=evil%40example.com' });
    await addFrame(p, { container: 'paperform', src: 'https://evilpaperform.co/form/x?embed=1&_embed_id=6&auto=1&email=evil%40example.com' });
    await addFrame(p, { className: 'hs-form-iframe', src: 'https://hsforms.com.evil.test/form?formId=x&auto=1' });
    await eventually(() => ignored(p) >= 3, 10_000, 'the three messages seen and ignored');
    await nothingFires(p);
    // Control: the same played form from Paperform's own host is trusted.
    await addFrame(p, { container: 'paperform', src: 'https://paperform.co/form/x?embed=1&_embed_id=7&auto=1&email=real%40example.com' });
    const { record } = await oneConversion(p);
    assert.deepEqual(record.payload.user_data.em, [sha256('real@example.com')]);
    noErrors(p);
    await p.close();
  });

  test("a Typeform frame's submission for another embed id gives nothing", async () => {
    const p = await visitBuilders();
    await addFrame(p, { src: `${stack.builder.origin}/played/typeform/form.html?formId=x&typeform-embed-id=e1&as=e2&auto=1` });
    await eventually(() => p.logs.some((l) => l.includes('message ignored: not a submission')), 10_000, 'the message seen and ignored');
    await nothingFires(p);
    noErrors(p);
    await p.close();
  });

  test('a forged PaperformSubmission event alone gives nothing', async () => {
    const p = await visitBuilders();
    await p.page.evaluate(() => {
      const div = document.querySelector('[data-paperform-id]');
      div.dispatchEvent(new CustomEvent('PaperformSubmission', { bubbles: true, detail: { data: [{ type: 'email', value: 'forged@example.com' }] } }));
      window.postMessage('paperform:' + JSON.stringify({ action: 'submission', embed_id: 0, details: { data: [] } }), '*');
    });
    await nothingFires(p);
    noErrors(p);
    await p.close();
  });
});

describe('consent', () => {
  test('GPC (navigator.globalPrivacyControl and Sec-GPC: 1): no fbq, no request, no cookie', async () => {
    const p = await visit('/lead?fbclid=AbC-x_1', { gpc: true });
    await p.page.fill('#email', 'gpc@example.com');
    await p.page.click('#lead button[type=submit]');
    await p.page.waitForSelector('#lead-success:not([hidden])');
    await p.page.evaluate(() => window.capiflare('track', 'Purchase', { value: 1, currency: 'EUR' }));
    await delay(QUIET_MS);
    assert.ok(p.logs.some((l) => l.includes('consent: deny by gpc')), 'the module decided: deny by GPC');
    assert.deepEqual(p.fbevents, [], 'fbevents.js never requested');
    assert.equal(await p.page.evaluate(() => typeof window.fbq), 'undefined', 'no fbq');
    assert.deepEqual(p.fbq(), []);
    // The site's PageView, made under consent, still waits for the landing (it leaves as the page
    // is left): nothing has reached the worker.
    assert.deepEqual(p.calls, [], 'no call to the worker');
    assert.deepEqual((await p.context.cookies()).filter((c) => c.name.startsWith('_fb')), [], 'no cookie');
    noErrors(p);
    await p.close();
  });

  test('opt-in: a conversion waits for consent, then fires once with its original event_id and time', async () => {
    const p = await visit('/consent?fbclid=AbC-x_1');
    await p.page.fill('#email', 'optin@example.com');
    const before = Math.floor(Date.now() / 1000);
    await p.page.click('#lead button[type=submit]');
    await p.page.waitForSelector('#lead-success:not([hidden])');
    await delay(QUIET_MS);
    assert.deepEqual(p.fbevents, [], 'no pixel before consent');
    assert.deepEqual(p.calls, [], 'no worker call before consent');
    assert.deepEqual((await p.context.cookies()).filter((c) => c.name.startsWith('_fb')), [], 'no cookie before consent');
    await delay(1200);
    const granted = Math.floor(Date.now() / 1000);
    await p.page.click('#accept');
    const { event, record } = await oneConversion(p);
    assert.ok(event.event_time >= before && event.event_time < granted, 'the time of the conversion, not of the consent');
    assert.deepEqual(record.payload.user_data.em, [sha256('optin@example.com')]);
    await oneConversion(p, 'PageView');
    assert.ok(p.fbq().some((c) => c[0] === 'consent' && c[1] === 'grant'), 'fbq consent mirrors the grant');
    await delay(QUIET_MS);
    assert.equal(p.tracks('Lead').length, 1, 'fired once');
    assert.equal(p.events('Lead').length, 1, 'sent once');
    noErrors(p);
    await p.close();
  });

  test('opt-in: a held conversion is dropped on revoke', async () => {
    const p = await visit('/consent');
    await p.page.fill('#email', 'declined@example.com');
    await p.page.click('#lead button[type=submit]');
    await p.page.waitForSelector('#lead-success:not([hidden])');
    await p.page.click('#decline');
    await delay(QUIET_MS);
    assert.deepEqual(p.calls, []);
    assert.deepEqual(p.fbevents, []);
    assert.deepEqual((await p.context.cookies()).filter((c) => c.name.startsWith('_fb')), []);
    noErrors(p);
    await p.close();
  });

  test('consent granted, then revoked: fbq consent mirrors the revoke and later conversions go nowhere', async () => {
    const p = await visit('/consent');
    await p.page.click('#accept');
    await oneConversion(p, 'PageView');
    const calls = p.calls.length;
    await p.page.evaluate(() => window.capiflare('consent', 'revoke'));
    await p.page.evaluate(() => window.capiflare('track', 'Purchase', { value: 1, currency: 'EUR' }));
    await delay(QUIET_MS);
    const consent = p.fbq().filter((c) => c[0] === 'consent').map((c) => c[1]);
    assert.deepEqual(consent.slice(-2), ['grant', 'revoke'], 'the Pixel told of the grant, then of the revoke');
    assert.deepEqual(p.tracks('Purchase'), [], 'no Pixel event after the revoke');
    assert.equal(p.calls.length, calls, 'no worker call after the revoke');
    noErrors(p);
    await p.close();
  });
});

/** A page made for one test, on the page origin (served by the test, not by www/). */
async function custom(head, body = '') {
  const p = await openPage(stack);
  const path = `/test-page-${Math.random().toString(36).slice(2)}`;
  const html = `<!doctype html><html><head><meta charset="utf-8"><title>test</title>${head}</head><body>${body}</body></html>`;
  await p.context.route(`${stack.origin}${path}`, (r) => r.fulfill({ contentType: 'text/html', body: html }));
  await p.page.goto(`${stack.origin}${path}`);
  await moduleReady(p.page);
  return p;
}

describe('consent managers', () => {
  const tag = '<script async src="/capi/t.js" data-consent="opt-in" data-debug></script>';
  const lead = (p) => p.page.evaluate(() => window.capiflare('track', 'Lead', {}, { user: { email: 'cmp@example.com' } }));

  test('IAB TCF v2.2 with purposes 1, 3, 4, 7 granted allows under opt-in', async () => {
    const p = await custom(`<script>
      window.__tcfapi = function (cmd, version, cb) {
        if (cmd === 'addEventListener') setTimeout(function () {
          cb({ gdprApplies: true, eventStatus: 'useractioncomplete', listenerId: 1,
               purpose: { consents: { 1: true, 2: true, 3: true, 4: true, 7: true } }, vendor: { consents: {} } }, true);
        }, 200);
      };</script>${tag}`);
    await lead(p);
    await oneConversion(p);
    assert.ok(p.logs.some((l) => l.includes('consent: allow by cmp')));
    noErrors(p);
    await p.close();
  });

  test('IAB TCF v2.2 from a CMP loaded after the module: a conversion held until then fires on its grant', async () => {
    const p = await custom(tag);
    await lead(p);
    await delay(300);
    assert.deepEqual(p.calls, [], 'held: no consent yet');
    await p.page.evaluate(() => {
      window.__tcfapi = function (cmd, version, cb) {
        if (cmd === 'addEventListener') cb({ gdprApplies: true, eventStatus: 'useractioncomplete', purpose: { consents: { 1: true, 3: true, 4: true, 7: true } } }, true);
      };
    });
    await oneConversion(p);
    assert.ok(p.logs.some((l) => l.includes('consent: allow by cmp')));
    noErrors(p);
    await p.close();
  });

  test('IAB TCF v2.2 without purpose 4 denies', async () => {
    const p = await custom(`<script>
      window.__tcfapi = function (cmd, version, cb) {
        if (cmd === 'addEventListener') cb({ gdprApplies: true, eventStatus: 'tcloaded', purpose: { consents: { 1: true, 3: true, 7: true } } }, true);
      };</script>${tag}`);
    await lead(p);
    await delay(QUIET_MS);
    assert.deepEqual(p.calls, []);
    assert.deepEqual(p.fbevents, []);
    noErrors(p);
    await p.close();
  });

  test('Google consent mode: denied by the dataLayer default, allowed after the update', async () => {
    const p = await custom(`<script>
      window.dataLayer = window.dataLayer || [];
      function gtag() { dataLayer.push(arguments); }
      gtag('consent', 'default', { ad_storage: 'denied', ad_user_data: 'denied' });</script>${tag}`);
    await lead(p);
    await delay(800);
    assert.deepEqual(p.calls, [], 'nothing while denied (a denied signal drops, as the core decides)');
    await p.page.evaluate(() => window.gtag('consent', 'update', { ad_storage: 'granted', ad_user_data: 'granted' }));
    await eventually(() => p.logs.some((l) => l.includes('consent: allow by cmp')), 5000, 'the update read');
    const id = await p.page.evaluate(() => new Promise((r) => window.capiflare('track', 'Lead', {}, { callback: (x) => r(x.eventId) })));
    const { id: fired } = await oneConversion(p);
    assert.equal(fired, id, 'only the conversion made after consent');
    noErrors(p);
    await p.close();
  });

  test('OneTrust without the targeting group (C0004) denies even under opt-out', async () => {
    const p = await custom(`<script>window.OnetrustActiveGroups = ',C0001,C0002,';</script><script async src="/capi/t.js" data-consent="opt-out" data-debug></script>`);
    await lead(p);
    await delay(QUIET_MS);
    assert.deepEqual(p.calls, []);
    assert.ok(p.logs.some((l) => l.includes('consent: deny by cmp')));
    noErrors(p);
    await p.close();
  });

  test('Cookiebot marketing consent allows under opt-in', async () => {
    const p = await custom(`<script>window.Cookiebot = { consent: { necessary: true, marketing: true } };</script>${tag}`);
    await lead(p);
    await oneConversion(p);
    noErrors(p);
    await p.close();
  });
});

describe('JavaScript API and pages', () => {
  test('a site names its own success element with data-capiflare-success', async () => {
    const p = await custom('<script async src="/capi/t.js" data-debug></script>', `
      <form id="f" data-capiflare-success="#done"><input name="email" type="email" value="own@example.com"><button>Send</button></form>
      <div><p>elsewhere</p><div id="done" hidden>Got it.</div></div>
      <script>document.getElementById('f').addEventListener('submit', function (e) { e.preventDefault();
        setTimeout(function () { document.getElementById('done').hidden = false; }, 300); });</script>`);
    await p.page.click('#f button');
    const { record } = await oneConversion(p);
    assert.deepEqual(record.payload.user_data.em, [sha256('own@example.com')]);
    noErrors(p);
    await p.close();
  });

  test('single-page app: track with data and callback, identify, virtual PageViews', async () => {
    const p = await visit('/spa');
    await p.page.fill('#si-email', 'spa@example.com');
    await p.page.click('#signin button');
    await p.page.click('#buy');
    const { event, record } = await oneConversion(p, 'Purchase');
    assert.deepEqual(p.tracks('Purchase')[0][2], { value: 49, currency: 'EUR' });
    assert.deepEqual(event.custom_data, { value: 49, currency: 'EUR' });
    assert.deepEqual(record.payload.user_data.em, [sha256('spa@example.com')]);
    assert.deepEqual(record.payload.user_data.external_id, [sha256('user-42')]);
    const log = await p.page.textContent('#log');
    assert.ok(log.includes(`Purchase {"eventId":"${event.event_id}"}`), 'the callback gets the event id');
    noErrors(p);
    await p.close();
  });

  test("a custom event name goes to the Pixel as trackCustom; a malformed one is refused with its code", async () => {
    const p = await visit('/spa');
    const track = (name) => p.page.evaluate((n) => new Promise((r) => window.capiflare('track', n, { topic: 'ads' }, { callback: r })), name);
    const made = await track('WebinarSignup');
    const { id, event } = await oneConversion(p, 'WebinarSignup');
    assert.equal(p.tracks('WebinarSignup')[0][0], 'trackCustom', 'not one of Meta\'s standard events');
    assert.deepEqual(made, { eventId: id });
    assert.deepEqual(event.custom_data, { topic: 'ads' });
    assert.equal(p.tracks('Purchase').length, 0);
    const refused = await track('Webinar <Signup>');
    assert.equal(refused.error?.code, 'event_name_invalid');
    assert.ok(!/Webinar <Signup>/.test(refused.error.message), 'the message does not echo the input');
    await nothingFires(p, 'Webinar <Signup>');
    noErrors(p);
    await p.close();
  });

  test('queued calls made before the module loaded are replayed; an own eventID is kept', async () => {
    const p = await openPage(stack);
    await p.context.addInitScript(() => {
      window.capiflare = function () { (window.capiflare.q = window.capiflare.q || []).push(arguments); };
      window.capiflare('track', 'Contact', {}, { eventID: 'order-1234', user: { em: 'q@example.com' } });
    });
    await p.page.goto(`${stack.origin}/spa`);
    const { id, record } = await oneConversion(p, 'Contact');
    assert.equal(id, 'order-1234');
    assert.deepEqual(record.payload.user_data.em, [sha256('q@example.com')]);
    noErrors(p);
    await p.close();
  });

  /** Serves, at `path` in `p`'s context, a page that runs Meta's Pixel itself: its base code as a
   * site pastes it (less the insertion of fbevents.js) and its init, then `script`, then the tag. */
  async function ownPixelPage(p, path, script) {
    const html = `<!doctype html><html><head><title>own pixel</title>
<script>!function(f,b,e,v,n,t,s){if(f.fbq)return;n=f.fbq=function(){n.callMethod?n.callMethod.apply(n,arguments):n.queue.push(arguments)};if(!f._fbq)f._fbq=n;n.push=n;n.loaded=!0;n.version='2.0';n.queue=[];}(window,document,'script');
fbq('init','1234567890123');${script}</script>
<script async src="/capi/t.js"></script></head><body>own pixel</body></html>`;
    await p.context.route((url) => url.pathname === path, (r) => r.fulfill({ contentType: 'text/html', body: html }));
  }

  // The site's own `fbq` base code, then its PageView call as `pixel` writes it.
  for (const [what, pixel, own] of [
    ['queued without an eventID: tagged and mirrored', "fbq('track','PageView');", ''],
    ['queued with its own eventID: mirrored with it', "fbq('track','PageView',{},{eventID:'pv-own-1'});", 'pv-own-1'],
    ['already sent by the pixel: no CAPI copy', "fbq('track','PageView');fbq.callMethod=function(){};", null],
  ]) {
    test(`a page that already runs the pixel keeps one browser PageView, ${what}`, async () => {
      const p = await openPage(stack);
      await ownPixelPage(p, '/own-pixel', pixel);
      await p.page.goto(`${stack.origin}/own-pixel`);
      await moduleReady(p.page);
      if (own === null) {
        // The page view has run once the landing's cookie call is made.
        await eventually(() => p.calls.some((c) => c.route === 'c'), 10_000, 'the landing');
        await delay(500);
        assert.equal(p.events('PageView').length, 0, 'no unpaired server copy');
      } else {
        await eventually(() => p.events('PageView').length === 1, 10_000, 'the CAPI PageView');
        const queued = await p.page.evaluate(() => JSON.parse(JSON.stringify(window.fbq.queue.map((a) => Array.from(a)))));
        const pv = queued.filter((a) => a[0] === 'track' && a[1] === 'PageView');
        assert.equal(pv.length, 1, 'still one browser PageView');
        assert.equal(pv[0][3].eventID, p.events('PageView')[0].event_id, "the site's PageView carries the CAPI copy's id");
        if (own) assert.equal(pv[0][3].eventID, own, 'its own id kept');
        await delay(500);
        assert.equal(p.events('PageView').length, 1);
      }
      // Without data-debug: the production build, which logs nothing.
      assert.deepEqual(p.logs.filter((l) => l.includes('[capiflare]')), []);
      noErrors(p);
      await p.close();
    });
  }

  test("a page that runs the pixel itself: its script's _fbp is kept, not replaced by the worker's mid-flight", async () => {
    const p = await openPage(stack);
    // The site's base code; its script writes _fbp 200 ms after the module has started, unless one
    // is there (as Meta's does), while the worker's answer to POST c takes 600 ms.
    const SITE_FBP = 'fb.0.1700000000000.4242';
    await ownPixelPage(p, '/own-pixel-cookies', `fbq('track','PageView');
var wait = setInterval(function () {
  if (!window.capiflare || window.capiflare.l !== 1) return;
  clearInterval(wait);
  setTimeout(function () { if (!/(^|; )_fbp=/.test(document.cookie)) document.cookie = '_fbp=${SITE_FBP}; path=/'; }, 200);
}, 10);`);
    await p.context.route('**/capi/c', async (route) => {
      const answer = await route.fetch();
      await delay(600);
      await route.fulfill({ response: answer });
    });
    await p.page.goto(`${stack.origin}/own-pixel-cookies?fbclid=AbC-x_1`);
    await moduleReady(p.page);
    await eventually(() => p.events('PageView').length === 1, 10_000, 'the CAPI PageView');
    const c = p.calls.find((x) => x.route === 'c');
    assert.doesNotMatch(c.setCookie, /(^|\n)_fbp=/, "the worker did not create another _fbp");
    assert.match(c.setCookie, /(^|\n)_fbc=fb\.0\.\d{13}\.AbC-x_1;/, 'it set _fbc');
    const cookies = await p.context.cookies();
    assert.equal(cookies.find((x) => x.name === '_fbp')?.value, SITE_FBP, "the site's _fbp kept");
    assert.equal(p.events('PageView')[0].user.fbp, SITE_FBP, 'and sent with the events');
    noErrors(p);
    await p.close();
  });

  test("consent revoked while the landing waits for the site's Pixel: no cookie call, no cookie", async () => {
    const p = await openPage(stack);
    await ownPixelPage(p, '/own-pixel-revoke', "fbq('track','PageView');");
    await p.page.goto(`${stack.origin}/own-pixel-revoke?fbclid=AbC-x_1`);
    await moduleReady(p.page);
    await p.page.evaluate(() => window.capiflare('consent', 'revoke'));
    // Past the landing's longest wait for the Pixel's _fbp.
    await delay(2600);
    assert.deepEqual(p.calls, [], 'no call to the worker');
    assert.deepEqual((await p.context.cookies()).filter((c) => c.name.startsWith('_fb')), [], 'no cookie');
    const queued = await p.page.evaluate(() => window.fbq.queue.map((a) => a[0] + ' ' + a[1]));
    assert.equal(queued.at(-1), 'consent revoke', 'the Pixel told');
    noErrors(p);
    await p.close();
  });

  test('a page whose fbq and callback throw still gets every CAPI copy, and no error reaches it', async () => {
    const p = await openPage(stack);
    const html = `<!doctype html><html><head><title>broken pixel</title>
<script>window.fbq = function () { throw new Error('broken pixel'); }; window.fbq.callMethod = window.fbq;
window.capiflare = function () { (window.capiflare.q = window.capiflare.q || []).push(arguments); };
capiflare('track', 'Contact', {}, { callback: function () { throw new Error('broken callback'); } });
capiflare('track', 'Purchase', { value: 5, currency: 'EUR' }, { user: { email: 'broken@example.com' } });</script>
<script async src="/capi/t.js" data-debug></script></head><body>broken pixel</body></html>`;
    await p.context.route(`${stack.origin}/broken-pixel`, (r) => r.fulfill({ contentType: 'text/html', body: html }));
    await p.page.goto(`${stack.origin}/broken-pixel`);
    await moduleReady(p.page);
    await eventually(() => p.events('Contact').length === 1 && p.events('Purchase').length === 1, 10_000, 'both CAPI copies');
    assert.deepEqual(p.events('Purchase')[0].user.email, sha256('broken@example.com'));
    assert.ok(p.logs.some((l) => l.includes('fbq threw')), 'the module saw the pixel fail');
    noErrors(p);
    await p.close();
  });

  /** A page whose browser lacks `fetchLater` (and, with `beacon: false`, will not queue a beacon):
   * one `capiflare('track', 'Contact')`. */
  async function withoutFetchLater({ beacon }) {
    const p = await openPage(stack);
    const html = `<!doctype html><html><head><title>no fetchLater</title>
<script>window.fetchLater = undefined;
${beacon ? '' : 'navigator.sendBeacon = function () { return false; };'}
window.capiflare = function () { (window.capiflare.q = window.capiflare.q || []).push(arguments); };
capiflare('track', 'Contact');</script>
<script async src="/capi/t.js" data-debug></script></head><body>no fetchLater</body></html>`;
    await p.context.route(`${stack.origin}/no-fetch-later`, (r) => r.fulfill({ contentType: 'text/html', body: html }));
    await p.page.goto(`${stack.origin}/no-fetch-later`);
    await moduleReady(p.page);
    return p;
  }

  test('a browser without fetchLater: the conversion goes as a beacon and is stored', async () => {
    const p = await withoutFetchLater({ beacon: true });
    const { id } = await oneConversion(p, 'Contact');
    assert.deepEqual(p.calls.filter((c) => c.route === 'e').map((c) => c.mode), ['no-cors', 'no-cors'], 'the PageView and the Contact as beacons');
    assert.ok(p.logs.some((l) => l.includes('sent: beacon') && l.includes(id)));
    noErrors(p);
    await p.close();
  });

  test('a browser that will not queue a beacon either: the conversion goes by fetch and is stored', async () => {
    const p = await withoutFetchLater({ beacon: false });
    const { id } = await oneConversion(p, 'Contact');
    assert.deepEqual(p.calls.filter((c) => c.route === 'e').map((c) => c.mode), ['cors', 'cors'], 'the PageView and the Contact by fetch');
    assert.ok(p.logs.some((l) => l.includes('sent: accepted') && l.includes(id)), "the worker's answer logged");
    noErrors(p);
    await p.close();
  });

  test('under a strict CSP (\'self\' \'wasm-unsafe-eval\') the module runs and logs no error', async () => {
    const p = await visit('/csp');
    await p.page.click('#lead');
    await eventually(() => p.events('Lead').length === 1, 10_000, 'Lead to the worker');
    const [ev] = p.events('Lead');
    assert.deepEqual(ev.user.email, sha256('csp@example.com'));
    assert.deepEqual(p.fbevents, [], 'data-fbq="off": no fbevents.js');
    noErrors(p);
    await p.close();
  });

  test('no page of the demo logs a console error', async () => {
    for (const path of ['/', '/lead', '/thanks', `/builders?forms=${encodeURIComponent(stack.builder.origin)}`, '/consent', '/spa', '/csp']) {
      const p = await visit(path);
      await delay(500);
      assert.deepEqual(p.errors, [], `${path}: no console errors`);
      await p.close();
    }
  });
});

describe('several pixels (PIXELS, one receiving only some events)', () => {
  const ALL = '1111111111111';
  const PAGE_VIEWS = '2222222222222';
  let two;
  before(async () => {
    two = await startStack({ META_PIXEL_ID: '', PIXELS: JSON.stringify([{ id: ALL }, { id: PAGE_VIEWS, events: ['PageView'] }]) });
  });
  after(async () => { await two?.stop(); });

  test("each event goes to the same pixels on both channels: track for all, trackSingle for some", async () => {
    const p = await openPage(two);
    await p.page.goto(`${two.origin}/lead`);
    await moduleReady(p.page);
    await p.page.fill('#email', 'jo@example.com');
    await p.page.click('#lead button[type=submit]');
    await eventually(() => p.events('Lead').length > 0 && p.fbq().some((c) => c[2] === 'Lead'), 10_000, 'the Lead on both channels');
    await delay(300);
    const tracks = p.fbq().filter((c) => c[0].startsWith('track'));
    const [pageView, lead] = ['PageView', 'Lead'].map((name) => p.events(name)[0].event_id);
    assert.deepEqual(tracks, [
      ['track', 'PageView', {}, { eventID: pageView }],
      ['trackSingle', ALL, 'Lead', {}, { eventID: lead }],
    ]);
    const pixelsOf = async (id) => (await eventually(() => two.stored(id), 10_000, 'stored')).records.map((r) => r.pixel_id).sort();
    assert.deepEqual(await pixelsOf(pageView), [ALL, PAGE_VIEWS]);
    assert.deepEqual(await pixelsOf(lead), [ALL]);
    const inits = p.fbq().filter((c) => c[0] === 'init').map((c) => c[1]);
    assert.deepEqual(inits, [ALL, PAGE_VIEWS]);
    noErrors(p);
    await p.close();
  });
});
