#!/usr/bin/env bash
# Sets up everything that is missing and runs the demo: the worker under `wrangler dev` with local
# D1 and Queues, serving the demo site (www/) on http://localhost:8787.
set -euo pipefail
source "$(dirname "$0")/env.sh"
cd "$REPO"
bash scripts/setup.sh
if [ ! -f .dev.vars ]; then
  key="$(head -c 24 /dev/urandom | base64 | tr '+/' '-_')"
  printf 'CAPIFLARE_API_KEY=%s\n# META_ACCESS_TOKEN=...   # without it the worker runs in dry-run\n' "$key" > .dev.vars
  echo "Wrote .dev.vars with a new CAPIFLARE_API_KEY (read it there; it is not tracked)."
fi
wrangler d1 migrations apply capiflare --local
echo "Demo: http://localhost:8787   event log: GET /capi/api/events/<event_id> with 'Authorization: Bearer <key from .dev.vars>'"
exec wrangler dev --ip 127.0.0.1 --port 8787 "$@"
