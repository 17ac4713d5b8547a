// The bytes a visitor downloads from us for the script tag: raw, gzip and brotli sizes of the
// loader (t.js), the browser module's script (m.<hash>.js: its page driver and the wasm-bindgen
// glue) and its wasm, as built into www/dist/. Exits non-zero over budget (issue 4): all three
// together at most 30 KB brotli (20 KB is the goal), the loader alone at most 1.5 KB brotli.
// 1 KB = 1,024 bytes.
//
//   node scripts/size.mjs        (after bash scripts/build-web.sh)
import { readFileSync, readdirSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { brotliCompressSync, gzipSync, constants } from 'node:zlib';

const REPO = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const DIST = join(REPO, 'www/dist');
const KB = 1024;
const BUDGET = { total: 30 * KB, goal: 20 * KB, loader: 1.5 * KB };

const sizes = (buf) => ({
  raw: buf.length,
  gzip: gzipSync(buf, { level: 9 }).length,
  brotli: brotliCompressSync(buf, { params: { [constants.BROTLI_PARAM_QUALITY]: 11 } }).length,
});

const built = (re) => readdirSync(DIST).find((f) => re.test(f));
const wasmName = built(/^t\.[0-9a-f]+\.wasm$/);
const moduleName = built(/^m\.[0-9a-f]+\.js$/);
if (!wasmName || !moduleName) {
  console.error('size: www/dist is not built (bash scripts/build-web.sh)');
  process.exit(1);
}
const loader = sizes(readFileSync(join(DIST, 't.js')));
const module = sizes(readFileSync(join(DIST, moduleName)));
const wasm = sizes(readFileSync(join(DIST, wasmName)));
const total = {};
for (const k of ['raw', 'gzip', 'brotli']) total[k] = loader[k] + module[k] + wasm[k];

const row = (name, s) => `  ${name.padEnd(26)} ${String(s.raw).padStart(8)} ${String(s.gzip).padStart(8)} ${String(s.brotli).padStart(8)}`;
console.log(`  ${'bytes'.padEnd(26)} ${'raw'.padStart(8)} ${'gzip'.padStart(8)} ${'brotli'.padStart(8)}`);
console.log(row('t.js (the loader)', loader));
console.log(row(moduleName, module));
console.log(row(wasmName, wasm));
console.log(row('total', total));

let over = false;
const check = (what, value, budget) => {
  const ok = value <= budget;
  over ||= !ok;
  console.log(`  ${ok ? 'ok  ' : 'OVER'} ${what}: ${(value / KB).toFixed(1)} KB brotli, budget ${(budget / KB).toFixed(1)} KB`);
};
check('loader', loader.brotli, BUDGET.loader);
check('loader + module script + wasm', total.brotli, BUDGET.total);
console.log(`       goal for the total: ${(BUDGET.goal / KB).toFixed(1)} KB brotli${total.brotli <= BUDGET.goal ? ' (met)' : ''}`);
process.exit(over ? 1 : 0);
