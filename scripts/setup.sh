#!/usr/bin/env bash
# Installs whatever is missing, pinned, and nothing twice: the wasm-bindgen CLI and worker-build
# (crates.io), Chromium and ChromeDriver (Debian), and the npm tools (wrangler, Node 22, binaryen,
# esbuild, playwright-core). Rust itself comes from rust-toolchain.toml through rustup.
set -euo pipefail
source "$(dirname "$0")/env.sh"
cd "$REPO"

rustup target list --installed | grep -qx wasm32-unknown-unknown || rustup target add wasm32-unknown-unknown
# No --locked for wasm-bindgen-cli: one of its locked dependencies is missing from the registry mirror.
wasm-bindgen --version 2>/dev/null | grep -q ' 0.2.130$' || cargo install wasm-bindgen-cli --version 0.2.130
worker-build --version 2>/dev/null | grep -qx '0.8.7' || cargo install worker-build --version 0.8.7 --locked
if ! command -v chromium >/dev/null || ! command -v chromedriver >/dev/null; then
  SUDO=$([ "$(id -u)" = 0 ] || echo sudo)
  $SUDO apt-get update -qq && $SUDO apt-get install -y -qq chromium chromium-driver
fi
# `npm install`, not `npm ci`: the registry mirror lacks other platforms' workerd builds.
stamp="$(cat package.json package-lock.json 2>/dev/null | sha256sum | cut -c1-16)"
if [ "$(cat node_modules/.capiflare-stamp 2>/dev/null)" != "$stamp" ]; then
  npm install --no-audit --no-fund
  cat package.json package-lock.json | sha256sum | cut -c1-16 > node_modules/.capiflare-stamp
fi
