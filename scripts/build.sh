#!/usr/bin/env bash
# Builds the browser module into www/dist/ and the worker into crates/capiflare-worker/build/.
# wrangler.toml's [build] runs this, so `npx wrangler dev` builds everything.
set -euo pipefail
source "$(dirname "$0")/env.sh"
cd "$REPO"
bash scripts/build-web.sh
cd crates/capiflare-worker
worker-build --release
