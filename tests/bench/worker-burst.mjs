// Benchmark: 1,000 conversions posted to the browser route as separate requests (as browsers
// send them, 32 at a time) against the built worker under wrangler dev and a local Graph
// stand-in. Prints events per Graph request, time until all are delivered, and losses or
// duplicates. Run after scripts/build.sh: `node tests/bench/worker-burst.mjs [count]`.
import { createHash, randomUUID } from 'node:crypto';
import { startWorker } from '../support/worker.mjs';
import { startGraph } from '../support/graph.mjs';

const COUNT = Number(process.argv[2] ?? 1000);
const CONCURRENCY = 32;
const ORIGIN = 'https://shop.example';
const graph = await startGraph();
const worker = await startWorker({
  vars: { META_GRAPH_URL: graph.url, ALLOWED_ORIGINS: ORIGIN, CONSENT_POLICY: 'opt-out' },
  secrets: { META_ACCESS_TOKEN: graph.token, CAPIFLARE_API_KEY: 'bench-key-0123456789' },
});
try {
  const ids = Array.from({ length: COUNT }, () => randomUUID());
  const t0 = performance.now();
  let next = 0;
  let accepted = 0;
  const failures = [];
  await Promise.all(Array.from({ length: CONCURRENCY }, async () => {
    while (next < ids.length) {
      const i = next++;
      const em = createHash('sha256').update(`visitor${i}@example.com`).digest('hex');
      const res = await fetch(`${worker.url}/capi/e`, {
        method: 'POST',
        headers: { origin: ORIGIN, 'content-type': 'text/plain', 'user-agent': 'Mozilla/5.0 bench', 'cf-connecting-ip': `198.51.${i >> 8}.${i & 255}` },
        body: JSON.stringify({ events: [{ event_name: 'Lead', event_id: ids[i], event_time: Math.floor(Date.now() / 1000), event_source_url: 'https://shop.example/lead', user: { email: em } }] }),
      });
      if (res.status === 202) {
        const { accepted: n } = await res.json();
        accepted += n;
      } else failures.push(res.status);
    }
  }));
  const ingested = performance.now() - t0;
  const want = new Set(ids);
  for (;;) {
    const got = graph.delivered().filter((e) => want.has(e.event_id)).length;
    if (got >= COUNT || performance.now() - t0 > 120_000) break;
    await new Promise((r) => setTimeout(r, 50));
  }
  const delivered = performance.now() - t0;
  const sent = graph.delivered().map((e) => e.event_id).filter((id) => want.has(id));
  const unique = new Set(sent);
  const calls = graph.requests.filter((r) => r.answer?.status === 200 && r.body.data.some((e) => want.has(e.event_id)));
  const sizes = calls.map((r) => r.body.data.length);
  console.log(`events posted:            ${COUNT} (${CONCURRENCY} concurrent requests), accepted ${accepted}, refused ${failures.length}`);
  console.log(`all ingested (202) after: ${ingested.toFixed(0)} ms (${(COUNT / (ingested / 1000)).toFixed(0)} requests/s)`);
  console.log(`all delivered after:      ${delivered.toFixed(0)} ms`);
  console.log(`Graph requests:           ${calls.length}; events per request: mean ${(sent.length / calls.length).toFixed(1)}, max ${Math.max(...sizes)}`);
  console.log(`lost: ${COUNT - unique.size}, duplicated: ${sent.length - unique.size}`);
  process.exitCode = COUNT - unique.size || sent.length - unique.size ? 1 : 0;
} finally {
  await worker.stop();
  await graph.stop();
}
