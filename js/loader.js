// capiflare's loader: `t.js`, the one classic script the site pastes
// (`<script async src="/capi/t.js">`).
//
// It installs the `capiflare(...)` queue stub (calls made before the module runs are kept and
// replayed; a stub the site defined itself, `capiflare.q`, is taken over), starts fetching the
// wasm, and adds the browser module's script (`m.<hash>.js`, next to this one), which instantiates
// the wasm, starts with what the stub kept and then takes every call (`capiflare.l` is 1 once it
// runs). No business logic here: the module's page driver and its wasm make every decision.
// Nothing throws into the page: failures are swallowed (and shown with `data-debug`, which also
// loads the module's debug build, `d.<hash>.js`, logging each decision); if the module cannot load
// (CSP, old browser), calls stay queued and harmless.
//
// The stub keeps for the module: `q` the queued calls, `c` the configuration, `s` this script
// element, `w` the wasm response (a promise), `e` the debug reporter, `f` the module's call.
//
// The worker replaces "__CAPIFLARE_CONFIG__" (with its quotes) by the site's public
// configuration, a JSON object; this file is per visitor, the module and the wasm are
// content-hashed and cached for good. MODULE, DEBUG_MODULE and WASM are their file names, set by
// js/build.mjs.
(function (w, d) {
  var s = d.currentScript || d.querySelector('script[src*="/t.js"]');
  var f = w.capiflare;
  var q = (f && f.q) || [];
  // `data-debug`, unless "false" or "0".
  var on;
  try {
    on = s.getAttribute('data-debug');
    on = on != null && on != 'false' && on != '0';
  } catch (_) {}
  function debug(e) {
    if (on) console.warn('[capiflare]', e);
  }
  try {
    if (f && f.v) return;
    f = w.capiflare = function () {
      try {
        f.l ? f.f(arguments) : q.push(arguments);
      } catch (e) {
        debug(e);
      }
    };
    f.q = q;
    f.v = 1;
    f.c = "__CAPIFLARE_CONFIG__";
    f.s = s;
    f.e = debug;
    // Fetching and adding a script cost the main thread a few milliseconds: in a task of their
    // own, so the page's task that ran this script stays short.
    setTimeout(function () {
      try {
        f.w = fetch(new URL(WASM, s.src));
        f.w.catch(debug);
        var m = d.createElement('script');
        m.src = new URL(on ? DEBUG_MODULE : MODULE, s.src).href;
        m.onerror = debug;
        (d.head || d.documentElement).appendChild(m);
      } catch (e) {
        debug(e);
      }
    });
  } catch (e) {
    debug(e);
  }
})(window, document);
