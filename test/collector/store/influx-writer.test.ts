import http from 'node:http';
import t from 'tap';
import { Metrics } from '../../../lib/metrics.ts';
import { InfluxWriter, writeLines, type InfluxTarget } from '../../../collector/store/influx-writer.ts';
import { Spool } from '../../../collector/store/spool.ts';
import { silentLogger } from '../../../lib/log.ts';
import { startInfluxd } from '../../peers/influxd.ts';
import { waitFor } from '../../peers/util.ts';

const influx = await startInfluxd();
t.teardown(() => influx.destroy());
await fetch(`${influx.url}/query?q=${encodeURIComponent('CREATE DATABASE w')}`, { method: 'POST' });

const target = (url: string, extra: Partial<InfluxTarget> = {}): InfluxTarget => ({
  url,
  database: 'w',
  batch_points: 1000,
  timeout_ms: 5000,
  create_database: false,
  ...extra,
});

t.test('a field type conflict is a 400: those points are dropped and counted, the rest written', async (t) => {
  const spool = new Spool(':memory:', 1e9);
  const metrics = new Metrics();
  const w = new InfluxWriter(target(influx.url), spool, metrics, silentLogger);
  spool.append('conflict v=1i 1000\n', 1);
  w.start();
  await waitFor('first write', async () => spool.stats().points === 0, 10_000);
  spool.append('conflict v=1.5 2000\nconflict v=2i 3000\n', 2);
  await waitFor('second write', async () => spool.stats().points === 0, 10_000);
  await w.stop();
  t.equal(await influx.count('w', 'conflict', 'v'), 2, 'the integer points are in InfluxDB');
  t.match(metrics.render(), /watchpost_influx_points_dropped_total 1/);
  spool.close();
});

/**
 * A pass-through to influxd that records each request's arrival and line count. `intercept`
 * sees each request first (its body, and its number from 0) and answers it itself by
 * returning true; otherwise the request goes on to influxd.
 */
async function influxProxy(
  t: { teardown(fn: () => void): void },
  intercept?: (res: http.ServerResponse, body: Buffer, n: number) => boolean | Promise<boolean>,
) {
  const writes: { at: number; lines: number }[] = [];
  const proxy = http.createServer(async (req, res) => {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const body = Buffer.concat(chunks);
    writes.push({ at: Date.now(), lines: body.toString().split('\n').filter(Boolean).length });
    if (await intercept?.(res, body, writes.length - 1)) return;
    const r = await fetch(new URL(req.url!, influx.url), { method: 'POST', body });
    res.writeHead(r.status);
    res.end(await r.text());
  });
  await new Promise<void>((r) => proxy.listen(0, '127.0.0.1', r));
  t.teardown(() => proxy.close());
  return { url: `http://127.0.0.1:${(proxy.address() as { port: number }).port}`, writes };
}

t.test('429/503 with Retry-After are retried after the delay the server asked for; nothing dropped', async (t) => {
  const { url, writes } = await influxProxy(t, (res, _body, n) => {
    if (n >= 2) return false;
    res.writeHead(n === 0 ? 429 : 503, { 'retry-after': '1' });
    res.end('{"error":"busy"}');
    return true;
  });
  const spool = new Spool(':memory:', 1e9);
  const metrics = new Metrics();
  const w = new InfluxWriter(target(url, { concurrency: 1 }), spool, metrics, silentLogger);
  spool.append('retry v=1 1000\nretry v=2 2000\n', 2);
  w.start();
  await waitFor('written after retries', async () => spool.stats().points === 0, 15_000);
  await w.stop();
  t.equal(await influx.count('w', 'retry', 'v'), 2);
  t.ok(writes[1]!.at - writes[0]!.at >= 950, `second attempt waited for Retry-After (${writes[1]!.at - writes[0]!.at} ms)`);
  t.match(metrics.render(), /watchpost_influx_write_errors_total\{reason="rate_limited"\} 1/);
  t.match(metrics.render(), /watchpost_influx_write_errors_total\{reason="server"\} 1/);
  spool.close();
});

t.test('failures are classified: auth, not found, network', async (t) => {
  const srv = http.createServer((req, res) => {
    res.writeHead(req.url!.includes('db=auth') ? 401 : 404);
    res.end('{"error":"x"}');
  });
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
  t.teardown(() => srv.close());
  const url = `http://127.0.0.1:${(srv.address() as { port: number }).port}`;
  t.match(await writeLines(target(url, { database: 'auth' }), 'a v=1 1\n', 1), { ok: false, retryable: true, reason: 'auth' });
  t.match(await writeLines(target(url, { database: 'missing' }), 'a v=1 1\n', 1), { ok: false, retryable: true, reason: 'not_found' });
  t.match(await writeLines(target('http://127.0.0.1:1'), 'a v=1 1\n', 1), { ok: false, retryable: true, reason: 'network' });
});

t.test('the spool keeps rows across a restart until they are written', async (t) => {
  const { tempDir, removeDir } = await import('../../peers/util.ts');
  const dir = tempDir('spool');
  t.teardown(() => removeDir(dir));
  let spool = new Spool(dir, 1e9);
  spool.append('persist v=1 1000\n', 1);
  spool.append('persist v=2 2000\n', 1);
  spool.close();
  spool = new Spool(dir, 1e9);
  t.same(spool.stats().points, 2);
  const w = new InfluxWriter(target(influx.url), spool, new Metrics(), silentLogger);
  w.start();
  await waitFor('written', async () => spool.stats().points === 0, 10_000);
  await w.stop();
  t.equal(await influx.count('w', 'persist', 'v'), 2);
  t.throws(() => new Spool(':memory:', 10).append('x'.repeat(100), 1), { code: 'spool_full' }, 'a full spool refuses instead of dropping');
  spool.close();
});

t.test('a part batch waits flush_interval_ms for more rows: one write instead of three; stop() flushes at once', async (t) => {
  const { url, writes } = await influxProxy(t);
  const spool = new Spool(':memory:', 1e9);
  const w = new InfluxWriter(target(url, { batch_points: 1000, flush_interval_ms: 2000 }), spool, new Metrics(), silentLogger);
  w.start();
  const t0 = Date.now();
  for (let k = 0; k < 3; k++) {
    spool.append(Array.from({ length: 10 }, (_, i) => `linger v=${i} ${1000 * k + i + 1}`).join('\n') + '\n', 10);
    await new Promise((r) => setTimeout(r, 100));
  }
  await waitFor('written', async () => spool.stats().points === 0, 15_000);
  t.same(
    writes.map((x) => x.lines),
    [30],
    'the three rows went out in one write',
  );
  t.ok(writes[0]!.at - t0 >= 1900, `after the flush interval (${writes[0]!.at - t0} ms)`);
  // A full batch does not wait.
  const t1 = Date.now();
  spool.append(Array.from({ length: 1000 }, (_, i) => `linger v=${i} ${5000 + i}`).join('\n') + '\n', 1000);
  await waitFor('full batch written', async () => spool.stats().points === 0, 15_000);
  t.ok(writes[1]!.at - t1 < 1900, `a full batch goes at once (${writes[1]!.at - t1} ms)`);
  // Stopping with a flush budget sends a part batch without waiting out the interval.
  spool.append('linger v=1 9999\n', 1);
  const t2 = Date.now();
  await w.stop(5000);
  t.equal(spool.stats().points, 0, 'flushed by stop()');
  t.ok(Date.now() - t2 < 1000, `stop() did not wait the interval (${Date.now() - t2} ms)`);
  t.equal(await influx.count('w', 'linger', 'v'), 1031);
  spool.close();
});

t.test('if the post thread dies, even with a write in flight, writes go on from the main thread: nothing lost', async (t) => {
  // The first write hangs until the thread is gone, then fails without reaching InfluxDB.
  let hold: (() => void) | undefined;
  const { url } = await influxProxy(t, async (res, _body, n) => {
    if (n > 0) return false;
    // Never forwarded: only a retry can bring these points to InfluxDB.
    await new Promise<void>((r) => (hold = r));
    res.destroy();
    return true;
  });
  const spool = new Spool(':memory:', 1e9);
  const w = new InfluxWriter(target(url, { flush_interval_ms: 0 }), spool, new Metrics(), silentLogger);
  w.start();
  // Large enough not to come from Node's Buffer pool, so the body is handed to the thread, not copied.
  const lines = Array.from({ length: 10_000 }, (_, i) => `thread v=${i} ${1000 + i}`).join('\n') + '\n';
  spool.append(lines, 10_000);
  await waitFor('write in flight', async () => hold !== undefined, 10_000);
  // The thread is private: reach it the way a crash would, from outside the writer's logic.
  const poster = (w as unknown as { poster: { threaded: boolean; worker: { terminate(): Promise<number> } } }).poster;
  t.ok(poster.threaded, 'posting on the thread');
  await poster.worker.terminate();
  hold!();
  await waitFor('fallback', async () => !poster.threaded, 5000);
  spool.append('thread v=1 20000\nthread v=2 20001\n', 2);
  await waitFor('written after the thread died', async () => spool.stats().points === 0, 15_000);
  await w.stop();
  t.equal(await influx.count('w', 'thread', 'v'), 10_002, 'the write the thread held is written again, whole');
  spool.close();
});
