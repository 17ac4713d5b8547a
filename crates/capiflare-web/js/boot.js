// The browser module's script (`m.<hash>.js`): instantiates the wasm the loader (js/loader.js) is
// fetching, starts the page driver with what the loader's stub kept (configuration, script
// element, queued calls), then takes every call. Runs once, and only after the loader.
import { __wbg_finalize_init as finish, __wbg_get_imports as imports } from 'capiflare-glue';
import { call, start } from './page.js';

const f = window.capiflare;
if (f && f.v && !f.l) {
  Promise.resolve(f.w)
    // Compiled as it arrives. Every browser that can run the wasm (its reference types need
    // Chrome 96, Firefox 79 or Safari 15) has instantiateStreaming; elsewhere the chain rejects
    // (to the loader's reporter), and the calls stay queued and harmless.
    .then((r) => WebAssembly.instantiateStreaming(r, imports()))
    .then(({ instance, module }) => {
      finish(instance, module);
      start(f.c, f.s, f.q);
      f.q.length = 0;
      f.f = call;
      f.l = 1;
    })
    .catch(f.e);
}
