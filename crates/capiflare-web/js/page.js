// capiflare's browser module, its page half: the driver in the module script (m.<hash>.js, with
// the wasm-bindgen glue; js/boot.js starts it).
//
// It reads the page (URL, cookies, forms, messages, consent signals), the clock and
// crypto.getRandomValues, asks the wasm half (src/lib.rs, capiflare-core behind it) for every
// decision, and performs what it answers: Meta's Pixel calls and the worker's POST c and POST e.
// No rule lives here: which consent applies, which cookies to write, what a field is, whether a
// control is a honeypot, whether a message may be trusted and what it reports, what an AJAX form
// reports and for how long it is watched, what becomes of a site's own PageView, what leaves the
// page and how it is normalized and hashed are all the core's. What lives here is how to reach
// the page, the browser's own verdict on a plain submit (see `afterSubmit`), which configured
// pixels an event's Pixel call goes to (a lookup in the lists the worker inlined, see `fire`:
// asking the core cost the download 300 bytes), and the module's state (one page).
//
// Every entry point (listeners, timers, callbacks, the loader's calls) runs through `safe`:
// nothing throws into the host page.
//
// Debug mode (`data-debug` on the tag) is this script's other build, which the loader fetches
// instead: there `DEBUG` is true and `log` prints each decision and why. In the production build
// `DEBUG` is false, so every `DEBUG && log(…)` is skipped, arguments and all, and esbuild drops
// it with its message: both builds behave alike but for the console.
import { call as wasmCall } from 'capiflare-glue';

/** The wasm half's function `name` (`src/lib.rs`) on these arguments: its answer, a string. Every
 * call names its function with a literal, which the build (`js/build.mjs`) writes as its index. */
const core = (name, ...args) => wasmCall([name, ...args]);

const w = window;
const d = document;
const SEP = '\x1f';
const FBEVENTS = 'https://connect.facebook.net/en_US/fbevents.js';
// How long a change on the page may wait before an AJAX form's outcome is read again (ms).
const SETTLE_MS = 50;
// How many idle periods run the submission's code before one happens: V8 optimizes what has run a
// few times, so the visitor's first submission costs about what a later one does.
const WARM_ROUNDS = 4;
const CMPS = ['__tcfapi', 'dataLayer', 'OnetrustActiveGroups', 'Cookiebot'];
// How long Meta's script waits for the landing's cookie call at most (ms).
const PIXEL_WAIT_MS = 2000;

let started = false;
let cfg = {};
let fbqOff = false;
let policy = ['', ''];
let urlC = '';
let urlE = '';
// [builder containers, AJAX success candidates, every builder's iframes ("name\tselector" lines),
// HubSpot new-editor containers, HubSpot's legacy message type, Paperform's message prefix,
// Calendly's booking event, Typeform's submission type, builders' events that settle an AJAX
// form, how long an AJAX form is watched (ms)], from the core (src/lib.rs `selectors`).
let SEL = [];
// The submitted forms being watched: form → its check (whose `end` ends the watch).
const watching = new Map();
// Forms whose submit navigated: form → when. Another submit within the watch's window, before the
// page has gone (a double click), is the same conversion; once it has gone (to come back from the
// back/forward cache), a new one.
let navigated = new WeakMap();
// Consent: explicit and TCF signals ('granted', 'denied' or '' for none), whether the TCF CMP is
// listened to, the last decision, whether a signal granted, whether the last evaluation saw a
// consent platform's global, whether the first `allow` has happened, conversions held until
// consent.
let explicit = '';
let tcfSignal = '';
let tcfHeard = false;
let decision = '';
let granted = false;
let cmpSeen = false;
let active = false;
let held = [];
// What capiflare('identify', …) gave: a hashed user object.
let identity = {};
// Conversions wait for the landing's cookie call (`waiting`; `calling` while it is under way), and
// calls made before the queued ones were replayed wait too (`pending`).
let landed = false;
let calling = false;
// The `_fbc` the landing asked the worker for (its Set-Cookie line); a valid `_fbc` the page holds
// comes first.
let planned = '';
let waiting = [];
// Meta's script, until it is inserted; whether the page runs Meta's Pixel itself.
let pixelTag;
let sitePixel = false;
let replayed = false;
let pending = [];
// `EXCLUDED_FORMS` as the core read it for a path: [path, answer].
let exclusions = [];

const str = (v) => (typeof v == 'string' ? v : '');
const isObj = (v) => typeof v == 'object' && v !== null;
const strings = (v) => (Array.isArray(v) ? v.filter((x) => typeof x == 'string') : []);
const now = () => Date.now();
/** `f` in the browser's next idle period. */
const idle = (f) => (w.requestIdleCallback || setTimeout)(safe(f));

function log(msg, value) {
  console.log('[capiflare]', msg, ...(value === undefined ? [] : [value]));
}

/** `f`, never throwing into the page. */
function safe(f) {
  return function () {
    try {
      return f.apply(this, arguments);
    } catch (e) {
      if (DEBUG) console.warn('[capiflare]', e);
    }
  };
}

function all(root, selector) {
  try {
    return Array.from(root.querySelectorAll(selector));
  } catch (e) {
    return [];
  }
}

/** `el.closest(selector)` is an element (an invalid selector matches nothing). */
function within(el, selector) {
  try {
    return !!el.closest(selector);
  } catch (e) {
    return false;
  }
}

const attr = (el, name) => (el.getAttribute && el.getAttribute(name)) || '';
const text = (el) => str(el.textContent).trim();
const newId = () => core('new_event_id', Array.from(crypto.getRandomValues(new Uint32Array(4))));
const parse = (json) => JSON.parse(json);

/** The worker's route `name` next to the script (`…/capi/t.js` → `…/capi/e`), or under the
 * configured prefix when the script has no `src`. */
function route(src, name) {
  try {
    if (src) return new URL(name, new URL(src, d.baseURI)).href;
  } catch (e) {}
  return (str(cfg.prefix) || '/capi') + '/' + name;
}

/** Starts the module once: the configuration, the tag's `data-*` attributes (`data-fbq="off"`,
 * `data-consent`), the listeners, then (as the next task) consent, the PageView and the queued
 * calls. */
export function start(config, script, queue) {
  if (started) return;
  started = true;
  const el = script instanceof Element ? script : d.createElement('i');
  cfg = isObj(config) ? config : {};
  policy = [attr(el, 'data-consent'), str(cfg.consent_policy)];
  urlC = route(attr(el, 'src'), 'c');
  urlE = route(attr(el, 'src'), 'e');
  fbqOff = attr(el, 'data-fbq') == 'off';
  SEL = core('selectors').split(SEP);
  if (cfg !== config) DEBUG && log('not configured: t.js was not served by the worker');
  DEBUG && log('started', config);
  const queued = Array.from(queue || []);
  // Explicit consent calls made before the module loaded count before the first decision.
  for (const args of queued) if (args && args[0] == 'consent') explicit = core('explicit', args[1]) || explicit;
  installConsent();
  w.addEventListener('submit', safe(onSubmit), true);
  w.addEventListener('message', safe(onMessage));
  w.addEventListener('hs-form-event:on-submission:success', safe(onHubspotV4));
  // A visitor in a form: what its submit will read is read in idle time, so the submit finds it at
  // hand: what is beside the form (see `whole`), and the cookies, which the browser then holds
  // until they change (read again after a change, such as the worker's refresh of `_fbp` on
  // `POST e`, they wait on the network process: 0.5 to 0.6 ms on this machine).
  w.addEventListener('focusin', safe((ev) => ev.target.form && idle(() => [candidates(ev.target.form), d.cookie])));
  // A page left before the landing's cookie call is answered sends what waits for it now, with the
  // cookies it holds: fetchLater and beacons still leave as it unloads.
  w.addEventListener(
    'pagehide',
    safe(() => {
      navigated = new WeakMap();
      flush();
    }),
  );
  for (const type of SEL[8].split(' ')) w.addEventListener(type, safe(onFormEvent), true);
  setTimeout(safe(() => begin(queued)), 0);
}

/** One `capiflare(...)` call, as its arguments. */
export function call(args) {
  if (replayed) dispatch(args);
  else pending.push(args);
}

/** The PageView, then the calls queued before the module loaded and those made since. */
function begin(queued) {
  const site = sitePageView();
  evaluate();
  const pageView = eventName('page_view');
  if (site === undefined) convert(pageView, undefined, {}, '', true);
  else if (site) {
    DEBUG && log("PageView: the site's, tagged; mirrored through CAPI");
    convert(pageView, undefined, {}, site, false);
  } else DEBUG && log("PageView: the site's pixel sent it untagged; no CAPI copy");
  replayed = true;
  const later = pending;
  pending = [];
  for (const args of queued) if (!args || args[0] != 'consent') dispatch(args);
  later.forEach(dispatch);
  idle(() => warmUp(WARM_ROUNDS));
}

/** Runs, in idle time, what a submission needs (reading and hashing the page's forms, reading an
 * AJAX form's outcome, the event's URL, ids and body; nothing is kept or sent),
 * so the browser compiles it then rather than while the visitor waits on a submit. */
function warmUp(rounds) {
  for (const form of Array.from(d.forms)) {
    within(form, SEL[0]);
    excluded(form);
    readForm(form);
    outcome(form, shownNow(form), [form]);
  }
  // Every field's normalization, once (a page's forms may not have them all).
  if (rounds == WARM_ROUNDS) hash(['email', 'w@example.com', 'phone', '+1 650 555 1212', 'full_name', 'Warm Up', 'city', 'Menlo Park', 'state', 'California', 'zip', '94025', 'country', 'United States', 'date_of_birth', '1990-02-13', 'gender', 'female']);
  JSON.stringify([core('outcome', true, ['', 'status', 'Thank you', '']), core('check_track', 'Lead'), core('source_url', location.href), core('browser_ids', d.cookie), core('standard', 'Lead'), newId()]);
  if (--rounds) idle(() => warmUp(rounds));
}

/** One call; one that fails (a site's callback that throws) stops no other. */
const dispatch = safe((args) => {
  const command = args && args[0];
  if (command == 'track') track(args);
  else if (command == 'consent') {
    const signal = core('explicit', args[1]);
    if (!signal) return DEBUG && log('consent: grant|revoke?');
    explicit = signal;
    evaluate();
  } else if (command == 'identify') {
    // The first value given for a field is kept.
    identity = { ...userFrom(args[1]), ...identity };
    DEBUG && log("identify: hashed and kept for this page's events");
  } else DEBUG && log('unknown command');
});

/** The event name configured for a trigger (`page_view`, `form`, `booking`). */
function eventName(trigger) {
  const name = isObj(cfg.events) && cfg.events[trigger];
  return typeof name == 'string' ? name : core('default_event', trigger);
}

/** Raw `[name, value, …]` → a hashed user object (normalized and hashed in wasm). */
function hash(entries) {
  const [json, ...unknown] = core('hash', entries, now()).split(SEP);
  if (unknown.length) DEBUG && log('identify/track: unknown user fields ignored', unknown);
  return parse(json);
}

/** A site's `{email: …, phone: […]}` (or Meta's keys `em`, `ph`, …) → a hashed user object. */
function userFrom(v) {
  const raw = [];
  if (isObj(v)) {
    for (const [name, value] of Object.entries(v)) {
      for (const x of Array.isArray(value) ? value : [value]) {
        if (typeof x == 'string' || typeof x == 'number') raw.push(name, String(x));
      }
    }
  }
  return hash(raw);
}

/** `capiflare('track', name, data?, {eventID?, user?, callback?})`. */
function track(args) {
  const opts = isObj(args[3]) ? args[3] : {};
  const answer = safe((result) => typeof opts.callback == 'function' && opts.callback(result));
  const id = typeof opts.eventID == 'string' ? opts.eventID : typeof opts.eventId == 'string' ? opts.eventId : undefined;
  // The name as the worker stores it, so both channels carry the same; or an error.
  const [name, message] = core('check_track', str(args[1]), id).split(SEP);
  if (message) return answer({ error: { code: name, message } });
  const made = convert(name, args[2], userFrom(opts.user), id, true);
  answer(made ? { eventId: made } : undefined);
}

/** Makes a conversion now (its event_id and time are fixed here) and fires, holds or drops it, as
 * consent decides. Returns the event id unless consent is denied. */
function convert(name, custom, user, id, pixel) {
  id = id || newId();
  for (const [k, v] of Object.entries(identity)) if (user[k] === undefined) user[k] = v;
  const ev = {
    event_name: name,
    event_id: id,
    event_time: Math.floor(now() / 1000),
    event_source_url: core('source_url', location.href),
    user,
  };
  if (isObj(custom)) ev.custom_data = custom;
  const conversion = [ev, pixel];
  const decided = decision && !cmpSeen && !cmpPresent() ? decision : evaluate();
  if (decided == 'allow') fire(conversion);
  else if (decided == 'pending') {
    DEBUG && logEvent('held: no consent yet', ev);
    held.push(conversion);
  } else {
    DEBUG && logEvent('dropped: no consent', ev);
    return;
  }
  return id;
}

function logEvent(what, ev) {
  log(what, ev.event_name + ' ' + ev.event_id);
}

function fire([ev, pixel]) {
  DEBUG && logEvent('fire', ev);
  if (pixel) {
    // To the pixels the worker sends the CAPI copy to: the configuration lists, for each pixel
    // that does not receive every event (`PIXELS` `events`), the names it does. One `track`
    // when all receive it, else a `trackSingle` for each that does.
    const name = ev.event_name;
    const only = isObj(cfg.pixel_events) ? cfg.pixel_events : {};
    const ids = strings(cfg.pixels);
    const to = ids.filter((id) => !Array.isArray(only[id]) || only[id].includes(name));
    const kind = core('standard', name) ? '' : 'Custom';
    const args = [name, isObj(ev.custom_data) ? ev.custom_data : {}, { eventID: ev.event_id }];
    if (to.length == ids.length) fbq('track' + kind, ...args);
    else {
      DEBUG && log('pixel: only to ' + (to.join(', ') || 'none'));
      for (const id of to) fbq('trackSingle' + kind, id, ...args);
    }
  }
  send(ev);
}

// ---- consent ----

function installConsent() {
  listenTcf();
  for (const name of ['CookiebotOnConsentReady', 'CookiebotOnAccept', 'CookiebotOnDecline', 'OneTrustGroupsUpdated']) {
    w.addEventListener(name, safe(evaluate));
  }
  // CMPs change their answer later, or load later: a light poll while one is present or the
  // decision pending.
  setInterval(
    safe(() => {
      listenTcf();
      (decision == 'pending' || cmpPresent()) && evaluate();
    }),
    1000,
  );
}

/** Listens to the TCF CMP's `__tcfapi` once it is on the page (a site may load its CMP late). */
function listenTcf() {
  if (!tcfHeard && typeof w.__tcfapi == 'function') {
    tcfHeard = true;
    try {
      w.__tcfapi('addEventListener', 2, safe(onTcf));
    } catch (e) {}
  }
}

/** `__tcfapi`'s callback: `cb(tcData, success)`; a failed call passes no data. */
function onTcf(data) {
  if (!isObj(data)) return;
  const consents = isObj(data.purpose) ? data.purpose.consents : undefined;
  let purposes = 0;
  for (let p = 1; p <= 11; p++) if (isObj(consents) && consents[p] === true) purposes |= 1 << p;
  tcfSignal = core('tcf', data.gdprApplies, data.eventStatus, purposes);
  DEBUG && log('tcf', data);
  evaluate();
}

/** Google consent mode's commands in the `dataLayer`, four strings each. */
function googleConsent() {
  const out = [];
  const layer = w.dataLayer;
  if (Array.isArray(layer)) {
    for (const entry of layer) {
      if (!entry || entry[0] != 'consent') continue;
      const p = isObj(entry[2]) ? entry[2] : {};
      out.push(entry[1], p.region !== undefined ? '1' : '', p.ad_storage, p.ad_user_data);
    }
  }
  return out;
}

/** Whether the page has a consent platform's global. */
const cmpPresent = () => CMPS.some((k) => w[k] !== undefined);

/** Reads every consent signal, asks the core, and applies a changed decision. Without a consent
 * platform's global on the page, now and at the last evaluation, every input it reads is as it
 * was then (the others come with events that evaluate at once): a conversion reuses that
 * decision rather than asking again while the visitor waits. */
function evaluate() {
  cmpSeen = cmpPresent();
  const answer = core(
    'consent',
    policy[0],
    policy[1],
    cfg.country,
    navigator.globalPrivacyControl,
    explicit,
    tcfSignal,
    googleConsent(),
    w.OnetrustActiveGroups,
    isObj(w.Cookiebot) && isObj(w.Cookiebot.consent) ? w.Cookiebot.consent.marketing : undefined,
  );
  const [decided, , why, signal] = answer.split(' ');
  granted = signal == 'granted';
  if (decided != decision) {
    decision = decided;
    DEBUG && log('consent: ' + decided + ' by ' + why);
    apply();
  }
  return decided;
}

function apply() {
  fbq('consent', decision == 'allow' ? 'grant' : 'revoke');
  if (decision == 'allow') {
    if (!active) {
      active = true;
      loadPixel();
    }
    if (!landed && !calling) landing();
    const release = held;
    held = [];
    release.forEach(fire);
  } else if (decision == 'deny' && held.length) {
    // Made before any consent. Those made while it was given (their Pixel calls queued already)
    // still go on both channels, whatever waits for the landing.
    held = [];
    DEBUG && log('held dropped');
  }
}

// ---- Meta's Pixel ----

/** `fbq(...args)` when the page has it; a page's `fbq` that throws stops nothing of ours. */
function fbq(...args) {
  try {
    if (typeof w.fbq == 'function') w.fbq(...args);
  } catch (e) {
    DEBUG && log('fbq threw', e);
  }
}

/** On the first `allow`: Meta's pixel and `init` per pixel, unless the page has `fbq` or the tag
 * says `data-fbq="off"`. */
function loadPixel() {
  // `data-fbq="off"`: the site loads the Pixel itself (or runs CAPI only), perhaps later.
  sitePixel = fbqOff || typeof w.fbq == 'function';
  if (fbqOff) return DEBUG && log('pixel: data-fbq=off');
  if (typeof w.fbq == 'function') return DEBUG && log("pixel: the page's own");
  // Meta's own queue stub (the base code's first half).
  const n = (w.fbq = function () {
    n.callMethod ? n.callMethod.apply(n, arguments) : n.queue.push(arguments);
  });
  if (!w._fbq) w._fbq = n;
  n.push = n;
  n.loaded = true;
  n.version = '2.0';
  n.queue = [];
  const s = (pixelTag = d.createElement('script'));
  s.async = true;
  s.src = FBEVENTS;
  // Inserted once the landing's cookies are in place (`land`): Meta's script then keeps the
  // worker's `_fbc` and `_fbp` rather than writing its own for the worker's answer to replace. At
  // the latest after PIXEL_WAIT_MS, should the worker not answer.
  setTimeout(safe(insertPixel), PIXEL_WAIT_MS);
  fbq('consent', 'grant');
  for (const id of strings(cfg.pixels)) fbq('init', id);
  DEBUG && log('pixel: loading');
}

/** Meta's script into the page, once. */
function insertPixel() {
  if (pixelTag) d.documentElement.appendChild(pixelTag);
  pixelTag = 0;
}

/** The site's own queued `fbq('track', 'PageView', …)`, as the core decides: `undefined` when the
 * page has no `fbq`, its eventID when mirrored (its own, or a new one given to it), '' for no CAPI
 * copy. */
function sitePageView() {
  const f = w.fbq;
  if (typeof f != 'function') return;
  const queue = f.queue;
  // The first PageView waiting in the queue, unless the pixel has run (its calls are gone).
  const i = typeof f.callMethod == 'function' || !Array.isArray(queue) ? -1 : queue.findIndex((args) => args && args[0] == 'track' && args[1] == 'PageView');
  const args = i < 0 ? undefined : queue[i];
  const what = core('site_page_view', args && str(isObj(args[3]) && args[3].eventID));
  if (what == 'own') return args[3].eventID;
  if (what != 'tag') return '';
  const id = newId();
  queue.splice(i, 1, ['track', 'PageView', isObj(args[2]) ? args[2] : {}, { eventID: id }]);
  return id;
}

// ---- the worker ----

/** `POST url` (fetch with keepalive, else a beacon), then `done(status)`: the answer's status,
 * 1 or 0 when the beacon was or was not queued. Bodies are text/plain JSON: no CORS preflight. */
function post(url, body, done) {
  fetch(url, { method: 'POST', body, keepalive: true, credentials: 'include' })
    .then((r) => r.status)
    .catch(() => (beacon(url, body) ? 1 : 0))
    .then(safe(done));
}

/** `navigator.sendBeacon(url, body)`: whether the browser queued it. */
function beacon(url, body) {
  try {
    return navigator.sendBeacon(url, body);
  } catch (e) {
    return false;
  }
}

/** The landing: the worker sets `_fbc` (from the URL's fbclid) and `_fbp` as first-party HTTP
 * cookies when the core's plan writes one; script cookies only when it cannot be reached. Then the
 * conversions waiting for it go, carrying the cookies the page holds from then on. On a page that
 * runs Meta's Pixel itself, whose script writes `_fbp` (and `_fbc`) when it runs, the plan waits
 * for its `_fbp` (every 100 ms, at most PIXEL_WAIT_MS): the worker's answer would otherwise replace
 * a value the Pixel wrote while the call was in flight, and the Pixel has sent it already. */
function landing(waited = 0) {
  // Consent withdrawn while it waited: nothing is asked or written; the next `allow` starts over.
  if (!(calling = decision == 'allow')) return;
  if (sitePixel && waited < PIXEL_WAIT_MS && !core('browser_ids', d.cookie).split(SEP)[1]) {
    DEBUG && !waited && log("cookies: waiting for the site's Pixel to write _fbp");
    return setTimeout(safe(() => landing(waited + 100)), 100);
  }
  const plan = core('landing', location.search, location.host, d.cookie, now(), crypto.getRandomValues(new Uint32Array(1))[0], location.protocol == 'https:', cfg.cookie_domain);
  if (!plan) {
    DEBUG && log('cookies: in place');
    return land();
  }
  const [fbclid, ...fallback] = plan.split(SEP);
  planned = fallback[0];
  const body = {};
  if (fbclid) body.fbclid = fbclid;
  if (granted) body.consent = 'granted';
  post(urlC, JSON.stringify(body), (status) => {
    // Script cookies only when the worker could not be reached: no answer, or its platform's 5xx. A
    // refusal (4xx: an origin it does not serve, a rate limit) is its answer.
    if (status > 199 && status < 500) DEBUG && log('cookies: the worker answered ' + status);
    else if (decision == 'allow') {
      DEBUG && log('cookies: worker unreachable, script cookies');
      for (const line of fallback) if (line) d.cookie = line;
    }
    land();
  });
}

function land() {
  landed = true;
  insertPixel();
  flush();
}

/** Sends the conversions waiting for the landing: once it is done, or as the page is left before
 * (the landing is not done for that: a page restored from the back/forward cache still waits). */
function flush() {
  const ready = waiting;
  waiting = [];
  for (const ev of ready) send(ev, true);
}

/** Sends one conversion to the worker once the landing's cookies are settled (or at once: `go`),
 * with the valid `_fbc`/`_fbp` the page's cookies hold then. */
function send(ev, go) {
  if (!landed && !go) return waiting.push(ev);
  // The page's `_fbc`, else the click the landing is setting (CAPI takes an `fbc` made from the
  // URL's fbclid as it is): an event sent before its answer (the page left), or refused, keeps it.
  const [fbc, fbp] = core('browser_ids', d.cookie + ';' + planned).split(SEP);
  if (fbc) ev.user.fbc = fbc;
  if (fbp) ev.user.fbp = fbp;
  const body = { events: [ev] };
  if (granted) body.consent = 'granted';
  let json;
  try {
    json = JSON.stringify(body);
  } catch (e) {
    return DEBUG && log('not sent: custom_data is not JSON', ev.event_id);
  }
  // `fetchLater` first, activated at once: the browser itself sends it, even as the page unloads,
  // and the page neither pays for a request of its own nor gets an answer to process (tasks on its
  // main thread). Where it is missing or refuses (another browser, an insecure page, its quota), a
  // beacon, sent even as the page unloads too; fetch when the browser will not queue that either.
  try {
    fetchLater(urlE, { method: 'POST', body: json, credentials: 'include', activateAfter: 0 });
    return DEBUG && log('sent: fetchLater', ev.event_id);
  } catch (e) {}
  if (beacon(urlE, json)) return DEBUG && log('sent: beacon', ev.event_id);
  post(urlE, json, (status) => {
    const what = DEBUG && { 202: 'sent: accepted', 204: 'sent: refused for consent', 1: 'sent: beacon', 0: 'not sent: worker unreachable' };
    DEBUG && log(what[status] || 'sent: error answer', ev.event_id);
  });
}

// ---- plain forms ----

/** Whether a form (the element `el` holding it; without one, only the path counts) never fires:
 * truthy if so, and in debug mode why (`data-capiflare-exclude`, an `EXCLUDED_FORMS` selector, or
 * the page's path in `EXCLUDED_FORMS`; the production build keeps no message). */
function excluded(el) {
  if (within(el, '[data-capiflare-exclude]')) return DEBUG ? 'excluded: data-capiflare-exclude' : 1;
  // The core's answer changes only with the path (a single-page app's navigation).
  if (exclusions[0] !== location.pathname) exclusions = [location.pathname, core('excluded', strings(cfg.excluded_forms), location.pathname)];
  const selectors = exclusions[1];
  if (selectors == '/') return DEBUG ? 'excluded: path in EXCLUDED_FORMS' : 1;
  for (const s of selectors.split(SEP)) if (s && within(el, s)) return DEBUG ? 'excluded: EXCLUDED_FORMS' : 1;
}

function onSubmit(ev) {
  const form = ev.target;
  if (!(form instanceof HTMLFormElement)) return;
  if (now() - navigated.get(form) < +SEL[9]) return DEBUG && log('form: submitted again as the page leaves, the same conversion');
  if (within(form, SEL[0])) return DEBUG && log("form: a builder's, its own event decides");
  const why = excluded(form);
  if (why) return DEBUG && log(why);
  // Read and hashed now, so the page's own reset cannot lose the fields and raw values do not linger.
  const user = readForm(form);
  if (!user) return DEBUG && log('form: honeypot filled, spam');
  // What the form reports before the page's own handlers run, and a watch on what they change: a
  // message they show at once (an error, or a success that needs no answer) is then new, and seen.
  const end = watch(form, user, shownNow(form));
  setTimeout(safe(() => afterSubmit(ev, form, user, end)), 0);
}

/** The label text of a control: its `<label>` (the first of the document's `labels` whose control
 * it is), `aria-label`, `aria-labelledby`, placeholder or title. */
function labelOf(el, labels) {
  const label = labels.get(el);
  if (label) return text(label);
  if (el.hasAttribute('aria-label')) return attr(el, 'aria-label');
  const by = el.hasAttribute('aria-labelledby') && d.getElementById(attr(el, 'aria-labelledby'));
  if (by) return text(by);
  return attr(el, 'placeholder') || attr(el, 'title');
}

/** A form's controls → the hashed user object, or null when a honeypot is filled (spam). */
function readForm(form) {
  const facts = [];
  const els = [];
  // Each control's first label in document order, from one pass over the document's labels (a
  // control's own `labels` walks the document to its end for each control without one); in
  // reverse, as a Map keeps the last value given for a key.
  const labels = new Map(Array.from(d.getElementsByTagName('label'), (label) => [label.control, label]).reverse());
  for (const el of Array.from(form.elements)) {
    const type = str(el.type);
    if (!type || type == 'fieldset' || type == 'output') continue;
    const parent = el.parentElement;
    const flags = (attr(el, 'tabindex').trim().startsWith('-') ? 1 : 0) | (within(el, '[aria-hidden="true"]') ? 2 : 0) | (el.checked === true ? 4 : 0);
    // One string per control: each string crossing into the wasm is a round trip of its own.
    facts.push([type, attr(el, 'name'), attr(el, 'id'), attr(el, 'autocomplete'), labelOf(el, labels), str(el.className) + ' ' + str(parent && parent.className), flags, str(el.value)].join(SEP));
    els.push(el);
  }
  let answer = core('form', facts, now());
  // The controls measured (one forced layout) only when the core needs that to tell a honeypot.
  if (answer == '?') answer = core('form', facts, now(), els.map(layout));
  return answer == '!' ? null : parse(answer);
}

/** Whether an element is rendered and not `visibility: hidden` or fully transparent. */
function rendered(el) {
  if (!el.getClientRects().length) return false;
  const style = getComputedStyle(el);
  return style.visibility != 'hidden' && style.opacity != '0';
}

/** Where an element sits: `[rendered, width, height, right, bottom]`, its box measured from the
 * page's top-left corner; the core decides whether humans can see it. */
function layout(el) {
  const r = el.getBoundingClientRect();
  return [rendered(el), r.width, r.height, r.right + w.scrollX, r.bottom + w.scrollY];
}

/** After the page's own submit handlers: a submit they did not prevent, of a valid form, navigates,
 * which is the browser's own verdict of success (DESIGN.md section 2 item 4), not asked of the core:
 * reading validity is `checkValidity`, which fires `invalid` events, so only such a submit reads it,
 * and its watch (`end`) is ended. A prevented one is AJAX: its watch goes on, and the core reads the
 * outcome. */
function afterSubmit(ev, form, user, end) {
  if (ev.defaultPrevented) return DEBUG && log('form: AJAX, waiting for success');
  // Ended already: a builder's own event has decided, or a later submit of the form took over.
  if (!end()) return;
  if (form.checkValidity()) {
    DEBUG && log('form: submitted, navigating');
    navigated.set(form, now());
    formConversion(user);
  } else DEBUG && log('form: invalid');
}

// A region's success candidates (see `candidates`), `[region, elements]`, as last queried whole,
// while the page has added, removed or re-attributed nothing their selector reads (elements, `id`,
// `class`, `role`): which elements they are is then the same, and whether they are shown is read
// at each use. The first change ends it and the observer, so a busy page pays nothing more; a
// visitor's focus in a form queries again, in idle time, what its submit would otherwise pay for.
let known = [];
const knownObserver = new MutationObserver(() => {
  known = [];
  knownObserver.disconnect();
});

/** All the success candidates in a form's region (its parent). */
function whole(region) {
  // A change the observer has not been told of yet (made in this task) counts too.
  if (knownObserver.takeRecords().length || known[0] !== region) {
    DEBUG && log('form: success candidates queried, all beside the form');
    known = [region, all(region, SEL[1])];
    knownObserver.observe(d.documentElement, { childList: true, subtree: true, attributeFilter: ['id', 'class', 'role'] });
  }
  return known[1];
}

/** An AJAX form's success candidates, `[element, own]` each: the site's `data-capiflare-success`
 * elements (own) and the elements inside or beside the form that may report a result; with
 * `touched` (the nodes the page has changed since the submit), only those a change can have
 * shown: in a changed node, or around one. Querying all that is beside a form is the one step
 * whose cost grows with the page (0.6 to 0.8 ms on a landing page of 1,400 elements whose form
 * sits in its body), so its answer is kept until the page changes what it reads (`whole`): the
 * visitor's focus in the form has it queried in idle time, and a submit without one pays it, for
 * what is shown before the page's handlers run. */
function candidates(form, touched) {
  const custom = form.getAttribute('data-capiflare-success');
  const region = form.parentElement || form;
  const found = new Set();
  const add = (list) => list.forEach((e) => found.add(e));
  for (const node of touched || [region]) {
    // The region itself, or a change around it (a class on the body) or in the head (a
    // stylesheet), which can show anything in it: all of it, once, holds every other node's.
    if (node.contains(region) || d.head.contains(node)) {
      add(whole(region));
      break;
    }
    if (region.contains(node)) {
      add(all(node, SEL[1]));
      for (let e = node; e != region; e = e.parentNode) if (e.matches && e.matches(SEL[1])) found.add(e);
    }
  }
  return [...(custom ? all(d, custom).map((e) => [e, true]) : []), ...[...found].map((e) => [e, false])];
}

/** The candidates shown now (of those `touched` can have shown), with their text: `[element,
 * text, own]` each. The text is read first, once, so an empty candidate (a form's slot for a
 * message to come) costs no computed style. */
const shownNow = (form, touched) => candidates(form, touched).map(([e, own]) => [e, text(e), own]).filter(([e, t]) => t && rendered(e));

/** What an AJAX form reports now, as the core reads whether it is still shown and the candidates
 * shown that were not shown with that text `before` (of those the `touched` nodes can have shown):
 * `gone` or `shown` (success), `-error`, or empty while it reports nothing. */
function outcome(form, before, touched) {
  const facts = [];
  for (const [el, t, own] of shownNow(form, touched)) {
    if (!before.some(([b, bt]) => b === el && bt == t)) facts.push(attr(el, 'id') + ' ' + str(el.className), attr(el, 'role'), t, own ? '1' : '');
  }
  return core('outcome', form.isConnected && rendered(form), facts);
}

/** A submitted form, until `afterSubmit` ends the watch of one that navigates: within a few
 * seconds, its `outcome` against what it showed `before` the submit; an error message means
 * nothing. A later submit of the form ends it too: while the earlier one has no outcome (a double
 * click, a resend while the answer is slow), the two are one conversion, with the later fields.
 * Returns what ends it: whether it was still on. */
function watch(form, user, before) {
  let done = false;
  let timer = 0;
  let observer;
  // What the page has changed since the submit: only there can a message have been shown.
  const touched = new Set();
  const stop = (why) => {
    done = true;
    // Unless a later submit of the form has its own watch by now.
    if (watching.get(form) == check) watching.delete(form);
    if (observer) observer.disconnect();
    DEBUG && why && log(why);
  };
  // With `type`, a builder's event at the form decides alone.
  const check = (type) => {
    const verdict = !done && (type ? core('outcome', true, [], type) : outcome(form, before, touched));
    if (!verdict) return;
    stop(DEBUG && { gone: 'form: hidden or removed, success', shown: 'form: success shown', sent: "form: the builder's success event", '-error': 'form: error shown', '-failed': "form: the builder's failure event" }[verdict]);
    // The core marks an outcome that is no conversion with a leading `-`.
    if (verdict[0] != '-') formConversion(user);
  };
  const end = (why) => !done && (stop(why), true);
  const earlier = watching.get(form);
  watching.set(form, check);
  check.end = end;
  if (earlier) earlier.end(DEBUG && 'form: submitted again, the earlier watch ends');
  // At most one check per SETTLE_MS, once the browser has laid the change out: a page that
  // changes all the time (a carousel, a spinner) would otherwise have its layout forced at every
  // change for the whole window.
  const soon = () => timer || (timer = setTimeout(safe(() => ((timer = 0), check())), SETTLE_MS));
  try {
    observer = new MutationObserver((records) => {
      for (const r of records) touched.add(r.target);
      soon();
    });
    observer.observe(d.documentElement, { childList: true, subtree: true, attributes: true, characterData: true });
  } catch (e) {}
  setTimeout(safe(() => done || stop(DEBUG && 'form: no success signal')), +SEL[9]);
  // What the page's submit handlers change is observed (they run after the capture listener that
  // starts this): no check until then.
  return end;
}

/** A builder's event (`SEL[8]`) at a watched form, or at an element around it (older Contact
 * Form 7 dispatches at its wrapper). */
function onFormEvent(ev) {
  const at = ev.target;
  for (const [form, check] of watching) if (at instanceof Element && at.contains(form)) check(ev.type);
}

function formConversion(user) {
  convert(eventName('form'), undefined, user, '', true);
}

// ---- embedded builders ----

/** A `message`: who sent it (the page itself, one of a builder's iframes on the page, or another
 * window) and what; the core applies the origin rule and decodes. */
function onMessage(ev) {
  const data = ev.data;
  // Pages receive many unrelated messages: only what may be a builder's goes further.
  if (typeof data == 'string' ? !data.startsWith(SEL[5]) : !isObj(data) || (data.type != SEL[4] && data.event != SEL[6] && data.type != SEL[7])) return;
  const pageOrigin = location.origin;
  let sender = ev.source === w ? 'page' : 'other';
  let srcOrigin = '';
  let srcQuery = '';
  let frame;
  if (sender != 'page') {
    for (const [builder, selector] of SEL[2].split('\n').map((line) => line.split('\t'))) {
      frame = all(d, selector).find((f) => f.contentWindow && f.contentWindow === ev.source);
      if (!frame) continue;
      sender = builder;
      const src = str(frame.src);
      srcOrigin = pageOrigin;
      try {
        const url = new URL(src, d.baseURI);
        if (src && src != 'about:blank') srcOrigin = url.origin;
        srcQuery = url.search;
      } catch (e) {}
      break;
    }
  }
  const [trigger, user, formId] = core('message', ev.origin, pageOrigin, sender, srcOrigin, srcQuery, cfg.form_origins, data, now()).split(SEP);
  if (trigger == 'untrusted') return DEBUG && log('message ignored: untrusted sender', ev.origin);
  if (trigger == 'ignored') return DEBUG && log('message ignored: not a submission');
  // A form the page's own script reported (HubSpot's legacy embed) is excluded like its iframe.
  const why = excluded(frame || reported(formId));
  if (why) return DEBUG && log(why);
  DEBUG && log(sender + ' submission: ' + trigger);
  convert(eventName(trigger), undefined, parse(user), '', true);
}

/** Where the form that a message the page posted to itself names (`id`: HubSpot's legacy form guid,
 * as the core read it) sits in the page: the form, or the same-origin iframe it is rendered in
 * (HubSpot's shell); none when it is not found, so only the page's path can exclude it. */
function reported(id) {
  const find = (doc) => all(doc, '[data-form-id]').find((el) => attr(el, 'data-form-id') == id);
  return id && (find(d) || all(d, 'iframe').find((f) => find(f.contentDocument)));
}

/** HubSpot's new editor: `hs-form-event:on-submission:success` for a form on this page, then the
 * values from `HubSpotFormsV4`. */
function onHubspotV4(ev) {
  const formId = isObj(ev.detail) ? str(ev.detail.formId) : '';
  const containers = all(d, SEL[3]);
  const ids = containers.map((el) => attr(el, 'data-form-id'));
  if (!core('hubspot_v4', formId, ids)) return DEBUG && log('HubSpot event ignored: form not on this page');
  const why = excluded(containers[ids.indexOf(formId)]);
  if (why) return DEBUG && log(why);
  DEBUG && log('hubspot submission');
  // The event id is fixed now; the values may arrive a moment later.
  const id = newId();
  let values = null;
  try {
    values = w.HubSpotFormsV4.getFormFromEvent(ev).getFormFieldValues();
  } catch (e) {}
  Promise.resolve(values)
    .catch(() => null)
    .then(safe((v) => convert(eventName('form'), undefined, parse(core('hubspot_v4_user', formId, v, now())), id, true)));
}
