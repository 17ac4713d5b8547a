// The browser module's script (`m.<hash>.js`): instantiates the wasm the loader (js/loader.js) is
// fetching, starts the page driver with what the loader's stub kept (configuration, script
// element, queued calls), then takes every call. Runs once, and only after the loader.
import { __wbg_finalize_init as finish, __wbg_get_imports as imports } from 'capiflare-glue';
import { call, start } from './page.js';

const f = window.capiflare;
const wasm = WebAssembly;
if (f && f.v && !f.l) {
  Promise.resolve(f.w)
    // Compiled as it arrives where the browser can (Safari 15 and later, all others).
    .then((r) => (wasm.instantiateStreaming ? wasm.instantiateStreaming(r, imports()) : r.arrayBuffer().then((b) => wasm.instantiate(b, imports()))))
    .then(({ instance, module }) => {
      finish(instance, module);
      start(f.c, f.s, f.q);
      f.q.length = 0;
      f.f = call;
      f.l = 1;
    })
    .catch(f.e);
}
