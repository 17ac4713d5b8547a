// A second local origin for the browser tests: serves the played HubSpot and Paperform embeds
// (www/played/) the way the builders' own hosts would, so messages reach the page from another
// origin. Listens on every local address, so one server answers as http://127.0.0.1:PORT (listed
// in FORM_ORIGINS by the tests) and as http://localhost:PORT (the same files from an origin that
// is not listed).
import { createServer } from 'node:http';
import { readFile } from 'node:fs/promises';
import { extname, join, normalize, resolve, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../../www/played');
const TYPES = { '.html': 'text/html; charset=utf-8', '.js': 'text/javascript; charset=utf-8' };

/** Start the server. Returns { origin, otherOrigin, port, requests, stop() }. */
export async function startBuilderOrigin() {
  const requests = [];
  const server = createServer(async (req, res) => {
    const path = new URL(req.url, 'http://x').pathname;
    requests.push(`${req.headers.host}${path}`);
    const rel = normalize(path.replace(/^\/played\//, '/')).replace(/^(\.\.[/\\])+/, '');
    const file = join(ROOT, rel);
    if (!path.startsWith('/played/') || !file.startsWith(ROOT)) {
      res.writeHead(404).end();
      return;
    }
    try {
      const body = await readFile(file);
      res.writeHead(200, { 'Content-Type': TYPES[extname(file)] ?? 'application/octet-stream', 'Cache-Control': 'no-store' });
      res.end(body);
    } catch {
      res.writeHead(404).end();
    }
  });
  await new Promise((r) => server.listen(0, r));
  const { port } = server.address();
  return {
    port,
    origin: `http://127.0.0.1:${port}`,
    otherOrigin: `http://localhost:${port}`,
    requests,
    stop: () => new Promise((r) => { server.closeAllConnections(); server.close(r); }),
  };
}
