// The allocator's failure paths in the browser module's wasm, replaced by the trap they end in.
//
// The module (feature `module`) is no_std with a panic handler that traps. Two functions of
// `alloc` only build a panic message for it: `raw_vec::handle_error` (a vector or string that
// cannot grow: "capacity overflow", or an allocation that failed) and `alloc::handle_alloc_error`
// ("memory allocation of {n} bytes failed", which needs core's integer formatting). Stable Rust
// cannot leave those messages out (`panic_immediate_abort` is nightly-only), so after linking their
// bodies become the `unreachable` the handler would have reached: the module behaves the same
// and loses the formatting code, 124 B brotli. Called by scripts/build-web.sh on wasm-bindgen's
// output, whose name section still names every function; fails the build if either function is
// not found once, so a toolchain that renames them is noticed.
//
//   node js/traps.mjs <wasm>      (rewritten in place)
import binaryen from 'binaryen';
import { readFileSync, writeFileSync } from 'node:fs';

const PATHS = ['::raw_vec::handle_error', '::alloc::handle_alloc_error'];
const [file] = process.argv.slice(2);
const m = binaryen.readBinary(readFileSync(file));
const f = binaryen.Features;
// Rust's defaults on wasm32-unknown-unknown, as scripts/build-web.sh passes them to wasm-opt.
m.setFeatures(f.BulkMemory | f.BulkMemoryOpt | f.NontrappingFPToInt | f.SignExt | f.ReferenceTypes | f.Multivalue | f.MutableGlobals);
const names = [];
for (let i = 0; i < m.getNumFunctions(); i++) names.push(binaryen.getFunctionInfo(m.getFunctionByIndex(i)).name);
for (const path of PATHS) {
  // `alloc[<hash>]::raw_vec::handle_error`: the crate's disambiguator varies with the toolchain.
  const found = names.filter((n) => /^alloc(?:\[\w+\])?(::.*)$/.exec(n)?.[1] === path);
  if (found.length !== 1) {
    console.error(`js/traps.mjs: expected one alloc${path} in ${file}, found ${found.length}`);
    process.exit(1);
  }
  const info = binaryen.getFunctionInfo(m.getFunction(found[0]));
  m.removeFunction(found[0]);
  m.addFunction(found[0], info.params, info.results, info.vars, m.unreachable());
}
if (!m.validate()) {
  console.error(`js/traps.mjs: ${file} does not validate once rewritten`);
  process.exit(1);
}
writeFileSync(file, m.emitBinary());
