// The browser module's script (`m.<hash>.js`): compiles the wasm the loader (js/loader.js) is
// fetching (streaming, off the main thread; the worker serves it as `application/wasm`),
// instantiates it, starts the page driver with what the loader's stub kept (configuration, script
// element, queued calls), then takes every call. Runs once, and only after the loader.
import { initSync } from 'capiflare-glue';
import { call, start } from './page.js';

const f = window.capiflare;
if (f && f.v && !f.l) {
  WebAssembly.compileStreaming(f.w)
    .then((module) => {
      initSync({ module });
      start(f.c, f.s, f.q);
      f.q.length = 0;
      f.f = call;
      f.l = 1;
    })
    .catch(f.e);
}
