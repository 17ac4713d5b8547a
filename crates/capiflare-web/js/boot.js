// The browser module's script (`m.<hash>.js`): instantiates the wasm the loader (js/loader.js) is
// fetching, starts the page driver with what the loader's stub kept (configuration, script
// element, queued calls), then takes every call. Runs once, and only after the loader.
import init from 'capiflare-glue';
import { call, start } from './page.js';

const f = window.capiflare;
if (f && f.v && !f.l) {
  init({ module_or_path: f.w })
    .then(() => {
      start(f.c, f.s, f.q);
      f.q.length = 0;
      f.f = call;
      f.l = 1;
    })
    .catch(f.e);
}
