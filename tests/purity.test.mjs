// The purity guard must pass on the real core and must fail on a core that gained an I/O or JS
// dependency.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { impurities, coreTree } from '../scripts/purity.mjs';

test('the real core depends on nothing forbidden, on wasm32 and natively', () => {
  for (const target of ['wasm32-unknown-unknown', 'x86_64-unknown-linux-gnu']) {
    const tree = coreTree(target);
    assert.match(tree, /^capiflare-core v/m);
    assert.match(tree, /^serde_json v/m);
    assert.deepEqual(impurities(tree), [], target);
  }
});

test('a core that gained a JS, clock or randomness dependency is caught', () => {
  const tree = [
    'capiflare-core v0.1.0 (/work/main/crates/capiflare-core)',
    'serde v1.0.228',
    'js-sys v0.3.107',
    'wasm-bindgen v0.2.130',
    'getrandom v0.4.1',
    'serde_json v1.0.145',
  ].join('\n');
  assert.deepEqual(impurities(tree), ['getrandom', 'js-sys', 'wasm-bindgen']);
  assert.deepEqual(impurities('capiflare-core v0.1.0\nworker v0.8.7\nchrono v0.4.45'), ['chrono', 'worker']);
  // Names are matched whole: a crate merely containing a forbidden word is not flagged.
  assert.deepEqual(impurities('serde-wasm-bindgen-like v1.0.0\nworkerpool v1.0.0'), []);
});
