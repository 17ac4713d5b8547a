#!/usr/bin/env bash
# Sets up everything that is missing, then runs every test: lints, the purity guard, the core on
# native and wasm32 from the shared vectors, the browser module in headless Chromium, its size
# against the budget, and the worker and end-to-end suites against real workerd, D1 and Queues.
set -euo pipefail
source "$(dirname "$0")/env.sh"
cd "$REPO"
bash scripts/setup.sh

step() { printf '\n== %s\n' "$*"; }
step "format and lints"
cargo fmt --all -- --check
cargo clippy --workspace --all-targets --locked -- -D warnings
cargo clippy -p capiflare-core -p capiflare-web -p capiflare-worker --target wasm32-unknown-unknown --locked -- -D warnings

step "purity of capiflare-core"
node scripts/purity.mjs

step "core tests, native"
cargo test -p capiflare-core --locked
step "core tests, wasm32 (Node)"
cargo test -p capiflare-core --target wasm32-unknown-unknown --locked
step "browser module tests, wasm32 (headless Chromium)"
cargo test -p capiflare-web --target wasm32-unknown-unknown --locked

step "build: browser module and worker"
bash scripts/build.sh

step "size of what a visitor downloads (issue 4's budget: loader 1.5 KB, all three 30 KB brotli)"
node scripts/size.mjs

step "worker integration and browser end-to-end (real workerd, D1, Queues, Chromium)"
node --test --test-concurrency=1 tests/*.test.mjs tests/worker/*.test.mjs tests/e2e/*.test.mjs
