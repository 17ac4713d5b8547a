# Sourced by the scripts: the pinned tools first on PATH, and everything offline.
REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
export REPO
export PATH="$REPO/node_modules/.bin:$HOME/.cargo/bin:$PATH"
export WASM_BINDGEN_BIN=wasm-bindgen                       # worker-build would otherwise download it
export WASM_OPT_BIN="$REPO/node_modules/.bin/wasm-opt"
export ESBUILD_BIN="$REPO/node_modules/.bin/esbuild"
export WRANGLER_SEND_METRICS=false WRANGLER_SEND_ERROR_REPORTS=false
export CLOUDFLARE_CF_FETCH_ENABLED=false WRANGLER_HIDE_BANNER=true
