// Runs the built worker for tests under real `wrangler dev` (workerd, local D1 and Queues,
// serving www/), each instance in its own directory with its own state, vars and secrets.
// Build first (scripts/build.sh); this starts what is built and does not rebuild.
import { spawn, execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync, rmSync, readdirSync } from 'node:fs';
import { createServer } from 'node:net';
import { join, resolve, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DatabaseSync } from 'node:sqlite';

export const REPO = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const BIN = join(REPO, 'node_modules/.bin');
const ENV = {
  ...process.env,
  PATH: `${BIN}:${process.env.PATH}`,
  WRANGLER_SEND_METRICS: 'false',
  WRANGLER_SEND_ERROR_REPORTS: 'false',
  CLOUDFLARE_CF_FETCH_ENABLED: 'false',
  WRANGLER_HIDE_BANNER: 'true',
  NO_COLOR: '1',
};

export async function freePort() {
  const srv = createServer();
  await new Promise((r) => srv.listen(0, '127.0.0.1', r));
  const { port } = srv.address();
  await new Promise((r) => srv.close(r));
  return port;
}

/** wrangler.toml for a test instance: the repository's, minus [build], with paths made absolute. */
function testConfig() {
  const lines = readFileSync(join(REPO, 'wrangler.toml'), 'utf8').split('\n');
  const out = [];
  let skip = false;
  for (const line of lines) {
    if (/^\[/.test(line)) skip = line.trim() === '[build]';
    if (!skip) out.push(line);
  }
  return out.join('\n')
    .replace(/^main = ".*"$/m, `main = "${join(REPO, 'crates/capiflare-worker/build/index.js')}"`)
    .replace(/^directory = "www"$/m, `directory = "${join(REPO, 'www')}"`)
    .replace(/^migrations_dir = ".*"$/m, `migrations_dir = "${join(REPO, 'migrations')}"`);
}

/**
 * Start a worker. `vars` override [vars]; `secrets` go to the instance's .dev.vars (the token, the
 * API key). With `asDemo`, it runs the repository's own wrangler.toml as `npx wrangler dev` does,
 * [build] included (secrets then go in as --var). Returns { url, port, logs(), query(sql,
 * ...params), execute(sql), scheduled(), stop() }.
 */
export async function startWorker({ vars = {}, secrets = {}, asDemo = false } = {}) {
  const port = await freePort();
  const dir = join(REPO, 'tests/.out', `worker-${port}`);
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  let config = join(REPO, 'wrangler.toml');
  if (asDemo) {
    vars = { ...vars, ...secrets };
  } else {
    config = join(dir, 'wrangler.toml');
    writeFileSync(config, testConfig());
    writeFileSync(join(dir, '.dev.vars'), Object.entries(secrets).map(([k, v]) => `${k}=${JSON.stringify(v)}`).join('\n') + '\n');
  }
  const state = join(dir, 'state');
  execFileSync(join(BIN, 'wrangler'), ['d1', 'migrations', 'apply', 'capiflare', '--local', '--config', config, '--persist-to', state], { env: ENV, stdio: 'pipe', input: '' });
  const args = ['dev', '--config', config, '--ip', '127.0.0.1', '--port', String(port), '--persist-to', state, '--test-scheduled', '--inspector-port', String(await freePort()), '--log-level', 'info'];
  for (const [k, v] of Object.entries(vars)) args.push('--var', `${k}:${v}`);
  const child = spawn(join(BIN, 'wrangler'), args, { cwd: REPO, env: ENV, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
  let logs = '';
  child.stdout.on('data', (d) => { logs += d; });
  child.stderr.on('data', (d) => { logs += d; });
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + (asDemo ? 300_000 : 60_000);
  for (;;) {
    if (child.exitCode !== null) throw new Error(`wrangler dev exited:\n${logs}`);
    try {
      const r = await fetch(`${url}/capi/healthz`);
      if (r.status === 200) break;
    } catch { /* not up yet */ }
    if (Date.now() > deadline) { process.kill(-child.pid, 'SIGKILL'); throw new Error(`wrangler dev did not start:\n${logs}`); }
    await new Promise((r) => setTimeout(r, 200));
  }
  const dbFile = () => {
    const d1 = join(state, 'v3/d1/miniflare-D1DatabaseObject');
    const f = readdirSync(d1).find((n) => n.endsWith('.sqlite') && n !== 'metadata.sqlite');
    return join(d1, f);
  };
  return {
    url,
    port,
    logs: () => logs,
    /** Read the local D1 database directly (read-only). */
    query(sql, ...params) {
      const db = new DatabaseSync(dbFile(), { readOnly: true });
      try { return db.prepare(sql).all(...params); } finally { db.close(); }
    },
    /** Write through wrangler, as an operator would. */
    execute(sql) {
      execFileSync(join(BIN, 'wrangler'), ['d1', 'execute', 'capiflare', '--local', '--config', config, '--persist-to', state, '--command', sql], { env: ENV, stdio: 'pipe', input: '' });
    },
    /** Fire the cron trigger (the sweeper). */
    scheduled: () => fetch(`${url}/cdn-cgi/handler/scheduled?cron=*/5+*+*+*+*`).then((r) => r.text()),
    async stop() {
      try { process.kill(-child.pid, 'SIGTERM'); } catch { /* gone */ }
      await new Promise((r) => { if (child.exitCode !== null) r(); else { child.on('exit', r); setTimeout(r, 3000); } });
      try { process.kill(-child.pid, 'SIGKILL'); } catch { /* gone */ }
    },
  };
}

/** Poll `fn` until it returns a truthy value or `ms` pass. */
export async function eventually(fn, ms = 20_000, what = 'condition') {
  const end = Date.now() + ms;
  for (;;) {
    const v = await fn();
    if (v) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 150));
  }
}
