// The bytes a visitor downloads from us for the script tag: raw, gzip and brotli sizes of the
// loader, the wasm-bindgen glue and the wasm, as built into www/dist/ (t.js = loader + glue).
// Exits non-zero over budget (issue 4): loader + glue + wasm at most 30 KB brotli (20 KB is the
// goal), the loader alone at most 1.5 KB brotli. 1 KB = 1,024 bytes.
//
//   node scripts/size.mjs        (after bash scripts/build-web.sh)
import { build } from 'esbuild';
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

/** The loader alone: js/loader.js minified as it is in t.js, with the glue left out. */
async function loaderOnly() {
  const stub = { name: 'stub', setup(b) {
    b.onResolve({ filter: /^capiflare-glue$/ }, () => ({ path: 'glue', namespace: 'stub' }));
    b.onLoad({ filter: /.*/, namespace: 'stub' }, () => ({ contents: 'export default function i(){} export function call(){} export function start(){}' }));
  } };
  const r = await build({
    entryPoints: [join(REPO, 'js/loader.js')], bundle: true, format: 'iife', minify: true, target: 'es2020',
    write: false, plugins: [stub], define: { WASM: '"t.0123456789abcdef.wasm"' }, logLevel: 'silent',
  });
  return Buffer.from(r.outputFiles[0].text);
}

const wasmName = readdirSync(DIST).find((f) => /^t\.[0-9a-f]+\.wasm$/.test(f));
if (!wasmName) {
  console.error('size: www/dist is not built (bash scripts/build-web.sh)');
  process.exit(1);
}
const tjs = readFileSync(join(DIST, 't.js'));
const loader = sizes(await loaderOnly());
const t = sizes(tjs);
const wasm = sizes(readFileSync(join(DIST, wasmName)));
// The glue is what t.js holds beyond the loader (compressed together they share a dictionary,
// so this is the glue's marginal cost).
const glue = { raw: t.raw - loader.raw, gzip: t.gzip - loader.gzip, brotli: t.brotli - loader.brotli };
const total = { raw: t.raw + wasm.raw, gzip: t.gzip + wasm.gzip, brotli: t.brotli + wasm.brotli };

const row = (name, s) => `  ${name.padEnd(26)} ${String(s.raw).padStart(8)} ${String(s.gzip).padStart(8)} ${String(s.brotli).padStart(8)}`;
console.log(`  ${'bytes'.padEnd(26)} ${'raw'.padStart(8)} ${'gzip'.padStart(8)} ${'brotli'.padStart(8)}`);
console.log(row('loader (js/loader.js)', loader));
console.log(row('glue (wasm-bindgen)', glue));
console.log(row('t.js (loader + glue)', t));
console.log(row(wasmName, wasm));
console.log(row('total (t.js + wasm)', total));

let over = false;
const check = (what, value, budget) => {
  const ok = value <= budget;
  over ||= !ok;
  console.log(`  ${ok ? 'ok  ' : 'OVER'} ${what}: ${(value / KB).toFixed(1)} KB brotli, budget ${(budget / KB).toFixed(1)} KB`);
};
check('loader', loader.brotli, BUDGET.loader);
check('loader + glue + wasm', total.brotli, BUDGET.total);
console.log(`       goal for the total: ${(BUDGET.goal / KB).toFixed(1)} KB brotli${total.brotli <= BUDGET.goal ? ' (met)' : ''}`);
process.exit(over ? 1 : 0);
