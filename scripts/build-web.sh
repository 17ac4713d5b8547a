#!/usr/bin/env bash
# Builds the browser module into www/dist/: t.js (the loader, one classic script), m.<hash>.js (the
# page driver and the wasm-bindgen glue) and t.<hash>.wasm (both content-hashed; t.js finds them
# next to itself). Writes nothing else in www/; removes only older www/dist/m.*.js and t.*.wasm.
#
#   cargo (release, opt-level z, feature `module`: no_std, a trapping panic handler and a small
#     allocator, so neither std's panic and formatting code nor dlmalloc ships) → capiflare_web.wasm
#   wasm-bindgen --target web                                     → glue (ES module) + wasm
#   node js/traps.mjs code: the allocator's two failure paths become the trap they end in
#   wasm-opt -Oz (to a fixed point)
#   node js/traps.mjs data: the data only those paths used is zeroed
#   wasm-opt: zeroed data dropped, imports and exports renamed to short names → the wasm served
#   node js/build.mjs (esbuild, then terser for the module script): the loader → t.js; page driver + glue → m.<hash>.js
#
# Its own target directory: the module builds wasm-bindgen without `std` (the tests and the worker
# build it with), so sharing target/ would rebuild it back and forth.
set -euo pipefail
REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
export PATH="$REPO/node_modules/.bin:$HOME/.cargo/bin:$PATH"
cd "$REPO"

OUT="$REPO/target/web"
export CARGO_TARGET_DIR="$OUT/cargo"
unset RUSTFLAGS
cargo build -p capiflare-web --features module --target wasm32-unknown-unknown --release

rm -rf "$OUT/bindgen"
wasm-bindgen --target web --omit-default-module-path --no-typescript \
  --out-dir "$OUT/bindgen" "$CARGO_TARGET_DIR/wasm32-unknown-unknown/release/capiflare_web.wasm"
node js/traps.mjs code "$OUT/bindgen/capiflare_web_bg.wasm"

# The features Rust enables by default on wasm32-unknown-unknown (1.82+).
FEATURES=(--enable-bulk-memory --enable-nontrapping-float-to-int --enable-sign-ext
  --enable-reference-types --enable-multivalue --enable-mutable-globals)
# With binaryen's own inlining (31 B more in brotli, 1.6 KB less raw): V8 compiles each wasm
# function on its first call, on the main thread, at a mostly fixed cost, and the page's start
# then compiles 33 functions instead of 60 (ARCHITECTURE.md, main-thread time).
wasm-opt -Oz --converge --strip-debug --strip-producers --strip-target-features "${FEATURES[@]}" \
  "$OUT/bindgen/capiflare_web_bg.wasm" -o "$OUT/bindgen/small.wasm"
node js/traps.mjs data "$OUT/bindgen/small.wasm"
wasm-opt --memory-packing --minify-imports-and-exports-and-modules "${FEATURES[@]}" \
  "$OUT/bindgen/small.wasm" -o "$OUT/bindgen/opt.wasm" > "$OUT/bindgen/names.json"

node js/build.mjs "$OUT/bindgen"
