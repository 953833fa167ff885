import http from 'node:http';
import t from 'tap';
import { Metrics } from '../../../collector/metrics.ts';
import { InfluxWriter, writeLines, type InfluxTarget } from '../../../collector/store/influx-writer.ts';
import { Spool } from '../../../collector/store/spool.ts';
import { silentLogger } from '../../../lib/log.ts';
import { startInfluxd } from '../../peers/influxd.ts';
import { waitFor } from '../../peers/util.ts';

const influx = await startInfluxd();
t.teardown(() => influx.destroy());
await fetch(`${influx.url}/query?q=${encodeURIComponent('CREATE DATABASE w')}`, { method: 'POST' });

const target = (url: string, extra: Partial<InfluxTarget> = {}): InfluxTarget => ({ url, database: 'w', batch_points: 1000, timeout_ms: 5000, create_database: false, ...extra });

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

t.test('429/503 with Retry-After are retried after the delay the server asked for; nothing dropped', async (t) => {
  let refusals = 2;
  const times: number[] = [];
  const proxy = http.createServer(async (req, res) => {
    times.push(Date.now());
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    if (refusals-- > 0) {
      res.writeHead(refusals === 1 ? 429 : 503, { 'retry-after': '1' });
      res.end('{"error":"busy"}');
      return;
    }
    const r = await fetch(new URL(req.url!, influx.url), { method: 'POST', body: Buffer.concat(chunks) });
    res.writeHead(r.status);
    res.end(await r.text());
  });
  await new Promise<void>((r) => proxy.listen(0, '127.0.0.1', r));
  t.teardown(() => proxy.close());
  const url = `http://127.0.0.1:${(proxy.address() as { port: number }).port}`;
  const spool = new Spool(':memory:', 1e9);
  const metrics = new Metrics();
  const w = new InfluxWriter(target(url, { concurrency: 1 }), spool, metrics, silentLogger);
  spool.append('retry v=1 1000\nretry v=2 2000\n', 2);
  w.start();
  await waitFor('written after retries', async () => spool.stats().points === 0, 15_000);
  await w.stop();
  t.equal(await influx.count('w', 'retry', 'v'), 2);
  t.ok(times[1]! - times[0]! >= 950, `second attempt waited for Retry-After (${times[1]! - times[0]!} ms)`);
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
