// The purity guard: capiflare-core must depend on nothing that does I/O, reads a clock or
// randomness, or talks to JavaScript. Reads `cargo tree` for the core on wasm32 and natively and
// fails if a forbidden crate appears. `impurities()` is exported for the guard's own test.
import { execFileSync } from 'node:child_process';
import { pathToFileURL } from 'node:url';

export const FORBIDDEN = [
  'wasm-bindgen', 'js-sys', 'web-sys', 'wasm-bindgen-futures', 'worker', 'worker-sys',
  'getrandom', 'rand', 'rand_core', 'uuid', 'chrono', 'time', 'tokio', 'async-std', 'mio',
  'reqwest', 'hyper', 'ureq', 'libc',
];

/** The forbidden crates in a `cargo tree --prefix none` listing (one "name vX.Y.Z" per line). */
export function impurities(tree) {
  const found = new Set();
  for (const line of tree.split('\n')) {
    const name = line.trim().split(/\s+/)[0];
    if (FORBIDDEN.includes(name)) found.add(name);
  }
  return [...found].sort();
}

export function coreTree(target) {
  return execFileSync('cargo', ['tree', '-p', 'capiflare-core', '-e', 'normal', '--prefix', 'none', '--target', target], { encoding: 'utf8' });
}

if (import.meta.url === pathToFileURL(process.argv[1]).href) {
  let bad = false;
  for (const target of ['wasm32-unknown-unknown', 'x86_64-unknown-linux-gnu']) {
    const found = impurities(coreTree(target));
    if (found.length) {
      bad = true;
      console.error(`capiflare-core is not pure on ${target}: it depends on ${found.join(', ')}`);
    } else console.log(`capiflare-core is pure on ${target}`);
  }
  process.exit(bad ? 1 : 0);
}
