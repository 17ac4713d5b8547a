// capiflare's loader: the start of `t.js`, one classic script (`<script async src="/capi/t.js">`).
//
// It installs the `capiflare(...)` queue stub (calls made before the module loaded are kept and
// replayed; a stub the site defined itself, `capiflare.q`, is taken over), loads the wasm module
// next to this script, and forwards every call to the browser module (`capiflare.l` is 1 once it
// runs): its page driver (crates/capiflare-web/js/page.js) and its wasm, where every decision is
// made. No business logic here. Nothing throws into the page: failures are swallowed (and shown with
// `data-debug`); if the module cannot load (CSP, old browser), calls stay queued and harmless.
//
// The worker replaces "__CAPIFLARE_CONFIG__" (with its quotes) by the site's public
// configuration, a JSON object. WASM is the content-hashed file name, set by js/build.mjs.
import init from 'capiflare-glue';
import { call, start } from '../crates/capiflare-web/js/page.js';

(function (w, d) {
  var s = d.currentScript || d.querySelector('script[src*="/t.js"]');
  var f = w.capiflare;
  var q = (f && f.q) || [];
  function debug(e) {
    try {
      if (s.hasAttribute('data-debug')) console.warn('[capiflare]', e);
    } catch (_) {}
  }
  try {
    if (f && f.v) return;
    f = w.capiflare = function () {
      try {
        f.l ? call(arguments) : q.push(arguments);
      } catch (e) {
        debug(e);
      }
    };
    f.q = q;
    f.v = 1;
    init({ module_or_path: new URL(WASM, s.src) })
      .then(function () {
        start("__CAPIFLARE_CONFIG__", s, q);
        q.length = 0;
        f.l = 1;
      })
      .catch(debug);
  } catch (e) {
    debug(e);
  }
})(window, document);
