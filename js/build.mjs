// Builds the files the script tag loads into www/dist/: t.js (js/loader.js: the per-visitor
// loader the worker inlines the configuration into), m.<hash>.js (the browser module's script:
// its page driver crates/capiflare-web/js/page.js and the wasm-bindgen glue), d.<hash>.js (the
// same in debug mode, for tags with data-debug) and t.<hash>.wasm
// (the optimized wasm); the content-hashed files are cached for good. Called by
// scripts/build-web.sh with the wasm-bindgen output directory, which holds the glue
// (capiflare_web.js), the optimized wasm (opt.wasm) and wasm-opt's map of the imports and exports
// it renamed to short names (names.json); the glue is rewritten to match, less two workarounds
// no browser that runs the module needs and a branch it never takes.
import { build } from 'esbuild';
import { minify } from 'terser';
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const REPO = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const PLACEHOLDER = '"__CAPIFLARE_CONFIG__"';

function fail(msg) {
  console.error(`js/build.mjs: ${msg}`);
  process.exit(1);
}

/** The glue with every import and export name replaced by wasm-opt's short one. */
export function renameGlue(glue, names, wasmBytes) {
  const module = new WebAssembly.Module(wasmBytes);
  const modules = new Set(WebAssembly.Module.imports(module).map((i) => i.module));
  if (modules.size !== 1) fail(`expected one import module after minifying, found ${[...modules]}`);
  const [moduleName] = modules;
  let out = glue;
  const extra = [];
  for (const [mod, base, short] of names.imports) {
    if (mod === './capiflare_web_bg.js') {
      const key = new RegExp(`(^|[\\s{,])${base.replace(/\$/g, '\\$')}(\\s*:)`, 'm');
      if (!key.test(out)) fail(`import ${base} not found in the glue`);
      out = out.replace(key, (_, pre, colon) => `${pre}${short}${colon}`);
    } else {
      const m = out.match(new RegExp(`import \\* as (\\w+) from "${mod.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}"`));
      if (!m) fail(`snippet ${mod} not imported by the glue`);
      extra.push(`${JSON.stringify(short)}: ${m[1]}.${base}`);
    }
  }
  const ret = /return \{\s*__proto__: null,\s*"\.\/capiflare_web_bg\.js": import0,[^}]*\};/;
  if (!ret.test(out)) fail('the glue\'s imports object has an unexpected shape');
  out = out.replace(ret, () => `return { ${JSON.stringify(moduleName)}: Object.assign(import0, { ${extra.join(', ')} }) };`);
  const exports = new Map(names.exports);
  out = out.replace(/\bwasm\.([A-Za-z0-9_$]+)/g, (all, name) => {
    const short = exports.get(name);
    if (short === undefined) fail(`export ${name} not in wasm-opt's map`);
    return `wasm[${JSON.stringify(short)}]`;
  });
  for (const { name } of WebAssembly.Module.imports(module)) {
    if (!new RegExp(`(^|[\\s{,"])${name.replace(/\$/g, '\\$')}"?\\s*:`, 'm').test(out)) fail(`import ${name} missing after renaming`);
  }
  return out;
}

/** The glue without two workarounds no browser that runs the module needs, and one branch it
 * never takes: a fresh TextDecoder after 2 GiB decoded (Safari's limit; a page decodes kilobytes,
 * a single-page app polling consent every second a few megabytes a day), an `encodeInto` fallback
 * (the wasm uses reference types: Chrome 96, Firefox 79, Safari 15, all with `encodeInto`), and
 * `passStringToWasm0`'s path for a caller without `realloc` (every call passes the wasm's). */
function withoutWorkarounds(glue) {
  const calls = glue.match(/passStringToWasm0\([^)]*\)/g) ?? [];
  const withoutRealloc = calls.filter((c) => !/^passStringToWasm0\(\w+, (malloc, realloc|wasm\["\w+"\], wasm\["\w+"\])\)$/.test(c));
  if (withoutRealloc.length) fail(`passStringToWasm0 called without realloc: ${withoutRealloc}`);
  const cuts = [
    [/const MAX_SAFARI_DECODE_BYTES = \d+;\nlet numBytesDecoded = 0;\nfunction decodeText\(bytes\) \{\n[\s\S]*?\n\}\n/, 'function decodeText(bytes) {\n    return cachedTextDecoder.decode(bytes);\n}\n'],
    [/if \(!\('encodeInto' in cachedTextEncoder\)\) \{\n[\s\S]*?\n\}\n/, ''],
    [/(function passStringToWasm0\(arg, malloc, realloc\) \{\n)    if \(realloc === undefined\) \{\n[\s\S]*?\n    \}\n/, '$1'],
  ];
  for (const [workaround, by] of cuts) {
    if (!workaround.test(glue)) fail(`the glue no longer has /${workaround.source.slice(0, 40)}…/`);
    glue = glue.replace(workaround, by);
  }
  return glue;
}

/** The first 16 hex digits of the SHA-256 of `data`: a file name that changes with its content. */
const hashOf = (data) => createHash('sha256').update(data).digest('hex').slice(0, 16);

async function main() {
  const dir = resolve(process.argv[2] ?? join(REPO, 'target/web/bindgen'));
  const wasm = readFileSync(join(dir, 'opt.wasm'));
  const names = JSON.parse(readFileSync(join(dir, 'names.json'), 'utf8'));
  const glue = withoutWorkarounds(renameGlue(readFileSync(join(dir, 'capiflare_web.js'), 'utf8'), names, wasm));
  // boot.js instantiates the wasm itself, from the response the loader is fetching, with the
  // glue's imports and its finishing step: the glue's own init (other kinds of sources, a server
  // that does not serve application/wasm, deprecated arguments, their warnings) stays out.
  const steps = ['__wbg_get_imports', '__wbg_finalize_init'];
  for (const f of steps) if (!glue.includes(`function ${f}(`)) fail(`the glue has no ${f}`);
  const gluePath = join(dir, 'glue.mjs');
  writeFileSync(gluePath, `${glue}\nexport { ${steps.join(', ')} };\n`);
  const wasmName = `t.${hashOf(wasm)}.wasm`;
  const common = { bundle: true, minify: true, target: 'es2020', legalComments: 'none', write: false, logLevel: 'warning' };
  // The module script, the page driver and the glue, in two builds: the production one, and the
  // debug one (`DEBUG` true: it logs each decision) that the loader fetches for `data-debug`.
  // Chrome's explicit compile hint (136 and later): every function is compiled as the script
  // loads (on a background thread while it streams in), not on its first call on the main thread;
  // most of the module's functions run on every page, many for the first time as the visitor waits
  // (start, the first submission). Elsewhere it is a comment.
  // esbuild bundles and minifies; terser's compressor, two passes over that, then takes about 200
  // bytes (brotli) more out of the script, which matters with the total this close to its budget.
  // The hint stays the script's first line.
  const hint = '//# allFunctionsCalledOnLoad';
  // The wasm half's functions by index (src/lib.rs `functions!`): each `core('name'` in the page
  // driver becomes `core(<index>`, so no name is in the download; any other use of `core` fails.
  const lib = readFileSync(join(REPO, 'crates/capiflare-web/src/lib.rs'), 'utf8');
  const functions = /^functions!\(([^)]*)\);/m.exec(lib)?.[1].split(',').map((n) => n.trim()).filter(Boolean) ?? [];
  if (functions.length < 2) fail('no functions!(...) list in crates/capiflare-web/src/lib.rs');
  const byIndex = {
    name: 'core-by-index',
    setup(b) {
      b.onLoad({ filter: /[\\/]page\.js$/ }, ({ path }) => {
        const contents = readFileSync(path, 'utf8').replace(/\bcore\(\s*'(\w+)'/g, (_, name) => {
          const i = functions.indexOf(name);
          if (i < 0) fail(`page.js calls core('${name}'), which src/lib.rs does not list`);
          return `core(${i}`;
        });
        const left = /\bcore\((?!\d)/.exec(contents);
        if (left) fail(`page.js calls core without a literal name: ${contents.slice(left.index, left.index + 30)}`);
        return { contents, loader: 'js' };
      });
    },
  };
  const moduleScript = async (debug) => {
    const bundled = (await build({
      ...common,
      banner: { js: hint },
      entryPoints: [join(REPO, 'crates/capiflare-web/js/boot.js')],
      format: 'iife',
      alias: { 'capiflare-glue': gluePath },
      define: { DEBUG: String(debug) },
      plugins: [byIndex],
    })).outputFiles[0].text;
    const { code } = await minify(bundled, { compress: { passes: 2 }, format: { comments: /^# allFunctionsCalledOnLoad$/ } });
    if (!code.startsWith(hint + '\n')) fail('the compile hint is not the module script\'s first line');
    return code;
  };
  const module = await moduleScript(false);
  const debugModule = await moduleScript(true);
  const moduleName = `m.${hashOf(module)}.js`;
  const debugName = `d.${hashOf(debugModule)}.js`;
  // The loader, naming the three.
  const js = (await build({
    ...common,
    entryPoints: [join(REPO, 'js/loader.js')],
    format: 'iife',
    define: { WASM: JSON.stringify(wasmName), MODULE: JSON.stringify(moduleName), DEBUG_MODULE: JSON.stringify(debugName) },
  })).outputFiles[0].text;
  if (js.split(PLACEHOLDER).length !== 2) fail(`t.js must contain ${PLACEHOLDER} exactly once`);
  const dist = join(REPO, 'www/dist');
  mkdirSync(dist, { recursive: true });
  for (const f of readdirSync(dist)) {
    if (/^(t\.[0-9a-f]+\.wasm|[md]\.[0-9a-f]+\.js)$/.test(f) && ![wasmName, moduleName, debugName].includes(f)) rmSync(join(dist, f));
  }
  writeFileSync(join(dist, 't.js'), js);
  writeFileSync(join(dist, moduleName), module);
  writeFileSync(join(dist, debugName), debugModule);
  writeFileSync(join(dist, wasmName), wasm);
  console.log(`www/dist/t.js ${js.length} B, www/dist/${moduleName} ${module.length} B (debug: ${debugName} ${debugModule.length} B), www/dist/${wasmName} ${wasm.length} B`);
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) await main();
