// The allocator's failure paths in the browser module's wasm, replaced by the trap they end in,
// and then the data only they used.
//
// The module (feature `module`) is no_std with a panic handler that traps. Two functions of
// `alloc` only build a panic message for it: `raw_vec::handle_error` (a vector or string that
// cannot grow: "capacity overflow", or an allocation that failed) and `alloc::handle_alloc_error`
// ("memory allocation of {n} bytes failed", which needs core's integer formatting). Stable Rust
// cannot leave those messages out (`panic_immediate_abort` is nightly-only), so:
//
//   node js/traps.mjs code <wasm>   after wasm-bindgen, whose name section still names every
//                                   function: their bodies become the `unreachable` the handler
//                                   would have reached. The module behaves the same, and wasm-opt
//                                   then drops the formatting code. Fails if either function is
//                                   not found once, so a toolchain that renames them is noticed.
//   node js/traps.mjs data <wasm>   after wasm-opt: the data that code used is still in the data
//                                   section (wasm-opt cannot know what a constant address points
//                                   at): the two messages, the source paths `/rustc/…` of their
//                                   panic locations and the locations themselves, and the
//                                   formatting's table of two-digit decimals. Each is zeroed once
//                                   nothing refers to it: no address in the code (an `i32.const`
//                                   or a load's or store's offset: wasm32 code reaches its static
//                                   data through absolute addresses) and no word of the data
//                                   outside them points into it. Fails otherwise, or when one is
//                                   not found. The memory starts zeroed, so wasm-opt's
//                                   memory-packing (build-web.sh's next step) drops the zeroed
//                                   bytes without changing what the module reads.
//
// Rewrites <wasm> in place.
import binaryen from 'binaryen';
import { readFileSync, writeFileSync } from 'node:fs';

const PATHS = ['::raw_vec::handle_error', '::alloc::handle_alloc_error'];
const MESSAGES = ['capacity overflow', 'memory allocation of ', ' bytes failed'];
const DIGITS = Array.from({ length: 100 }, (_, i) => String(i).padStart(2, '0')).join('');
const [phase, file] = process.argv.slice(2);

function fail(msg) {
  console.error(`js/traps.mjs: ${msg} in ${file}`);
  process.exit(1);
}

function read(bytes) {
  const m = binaryen.readBinary(bytes);
  const f = binaryen.Features;
  // Rust's defaults on wasm32-unknown-unknown, as scripts/build-web.sh passes them to wasm-opt.
  m.setFeatures(f.BulkMemory | f.BulkMemoryOpt | f.NontrappingFPToInt | f.SignExt | f.ReferenceTypes | f.Multivalue | f.MutableGlobals);
  return m;
}

function code() {
  const m = read(readFileSync(file));
  const names = [];
  for (let i = 0; i < m.getNumFunctions(); i++) names.push(binaryen.getFunctionInfo(m.getFunctionByIndex(i)).name);
  for (const path of PATHS) {
    // `alloc[<hash>]::raw_vec::handle_error`: the crate's disambiguator varies with the toolchain.
    const found = names.filter((n) => /^alloc(?:\[\w+\])?(::.*)$/.exec(n)?.[1] === path);
    if (found.length !== 1) fail(`expected one alloc${path}, found ${found.length}`);
    const info = binaryen.getFunctionInfo(m.getFunction(found[0]));
    m.removeFunction(found[0]);
    m.addFunction(found[0], info.params, info.results, info.vars, m.unreachable());
  }
  if (!m.validate()) fail('the rewritten module does not validate');
  writeFileSync(file, m.emitBinary());
}

/** An unsigned LEB128 at `p`: [value, the position after it]. */
function leb(b, p) {
  let value = 0;
  let shift = 0;
  let byte;
  do {
    byte = b[p++];
    value += (byte & 0x7f) * 2 ** shift;
    shift += 7;
  } while (byte & 0x80);
  return [value, p];
}

/** The active data segments: `{address, at, length}`, `at` their bytes' position in the file. */
function segments(b) {
  const out = [];
  let p = 8;
  while (p < b.length) {
    const id = b[p++];
    let size;
    [size, p] = leb(b, p);
    const end = p + size;
    if (id === 11) {
      let count;
      [count, p] = leb(b, p);
      for (let i = 0; i < count; i++) {
        let kind;
        let address = -1;
        [kind, p] = leb(b, p);
        // 0: memory 0 at a constant; 2: a memory index, then the same; 1: passive.
        if (kind === 2) [, p] = leb(b, p);
        if (kind !== 1) {
          // `i32.const <address>` `end`: rustc's addresses are below 2^31, so the signed LEB reads alike.
          if (b[p++] !== 0x41) fail('a data segment whose address is not a constant');
          [address, p] = leb(b, p);
          if (b[p++] !== 0x0b) fail('a data segment whose address is not a constant');
        }
        let length;
        [length, p] = leb(b, p);
        if (address >= 0) out.push({ address, at: p, length });
        p += length;
      }
    }
    p = end;
  }
  return out;
}

function data() {
  const b = Buffer.from(readFileSync(file));
  const segs = segments(b);
  const bytesAt = (s) => b.subarray(s.at, s.at + s.length);
  /** Every `[start, end)` address range holding `text`. */
  const find = (text) =>
    segs.flatMap((s) => {
      const out = [];
      for (let i = bytesAt(s).indexOf(text); i >= 0; i = bytesAt(s).indexOf(text, i + 1)) out.push([s.address + i, s.address + i + text.length]);
      return out;
    });
  const words = segs.flatMap((s) => {
    const out = [];
    for (let i = (4 - (s.address % 4)) % 4; i + 4 <= s.length; i += 4) out.push([s.address + i, b.readUInt32LE(s.at + i)]);
    return out;
  });
  const dead = [];
  const one = (what, ranges) => {
    if (ranges.length !== 1) fail(`expected one ${what}, found ${ranges.length}`);
    dead.push(ranges[0]);
    return ranges[0];
  };
  for (const text of MESSAGES) one(JSON.stringify(text), find(text));
  one('table of two-digit decimals', find(DIGITS));
  const paths = find('/rustc/').map(([start]) => {
    const range = segs.map((s) => s.address).filter((a) => a <= start);
    const s = segs.find((x) => x.address === Math.max(...range));
    const end = bytesAt(s).indexOf('.rs', start - s.address);
    if (end < 0) fail('a /rustc/ path without .rs');
    return [start, s.address + end + 3];
  });
  if (paths.length !== PATHS.length) fail(`expected ${PATHS.length} /rustc/ paths, found ${paths.length}`);
  for (const [start, end] of paths) {
    dead.push([start, end]);
    // Its panic location: the path's address and length, then line and column.
    const at = words.filter(([a, v], i) => v === start && words[i + 1]?.[1] === end - start).map(([a]) => a);
    one(`location of ${start}`, at.map((a) => [a, a + 16]));
  }
  // A range's end is the next object's start, which the code may well refer to: not inside.
  const inside = (x) => dead.find(([s, e]) => x >= s && x < e);
  const text = read(b).emitText().replace(/^\s*\(data .*$/gm, '');
  for (const [, c, o] of text.matchAll(/i32\.const (-?\d+)|offset=(\d+)/g)) {
    const range = inside(Number(c ?? o));
    if (range) fail(`the code refers to ${c ?? o}, in the data ${range} to be zeroed`);
  }
  for (const [a, v] of words) {
    const range = inside(v);
    if (range && !inside(a)) fail(`the data at ${a} points into ${range}, to be zeroed`);
  }
  for (const [start, end] of dead) {
    const s = segs.find((x) => start >= x.address && end <= x.address + x.length);
    b.fill(0, s.at + start - s.address, s.at + end - s.address);
  }
  writeFileSync(file, b);
}

if (phase === 'code') code();
else if (phase === 'data') data();
else fail(`usage: node js/traps.mjs code|data <wasm>, not ${phase}`);
