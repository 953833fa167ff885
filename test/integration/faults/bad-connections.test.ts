import net from 'node:net';
import t from 'tap';
import WebSocket from 'ws';
import { freePort, waitFor } from '../../peers/util.ts';
import { faultCollector, localFetchText, rssBytes } from './procs.ts';

// Hostile clients against a real collector process: floods of unauthenticated upgrades and
// /write calls, oversized frames and bodies, junk frames on an authenticated socket,
// slow-loris sockets. The collector must stay up, keep serving a good agent on another
// address, refuse the bad ones cheaply, and its memory must stay bounded. Loopback has the
// whole 127.0.0.0/8, so each attacker gets its own source address.
t.test('unauthenticated, oversized, junk and slow-loris clients: collector stays up, memory bounded', async (t) => {
  const port = await freePort();
  const col = await faultCollector({
    port,
    fetchText: localFetchText,
    extra: { limits: { auth_failures_per_min: 10, max_connections_per_ip: 50 }, ingest: { max_frame_bytes: 1024 * 1024 } },
  });
  t.teardown(() => col.stop('SIGKILL'));
  await col.start();
  const pid = col.pid()!;
  const url = `ws://127.0.0.1:${port}/v1/agent`;
  const rss0 = rssBytes(pid);

  // 1. 400 upgrades with wrong tokens from 127.0.0.2: ten 401s, then 429s without a token lookup.
  const statuses = new Map<number, number>();
  const attempt = (token: string, localAddress: string) =>
    new Promise<number>((resolve) => {
      const ws = new WebSocket(url, { headers: { authorization: `Bearer ${token}` }, localAddress });
      ws.on('unexpected-response', (_req, res) => {
        res.resume();
        resolve(res.statusCode ?? 0);
        ws.terminate();
      });
      ws.on('open', () => {
        resolve(101);
        ws.terminate();
      });
      ws.on('error', () => resolve(-1));
    });
  for (let i = 0; i < 400; i += 20) {
    const batch = await Promise.all(Array.from({ length: 20 }, (_, k) => attempt(`wpa_wrong-${i + k}-xxxxxxxxxxxxxxxx`, '127.0.0.2')));
    for (const s of batch) statuses.set(s, (statuses.get(s) ?? 0) + 1);
  }
  t.equal(statuses.get(401), 10, 'exactly auth_failures_per_min 401s');
  t.equal(statuses.get(429), 390, 'the rest refused with 429');
  // Issue 22 finding 8: the bad tokens filled their own bucket; a valid token behind the same address still connects.
  t.equal(await attempt(col.token, '127.0.0.2'), 101, 'a right token from the same address is not locked out');
  t.equal(await attempt(col.token, '127.0.0.1'), 101, 'a good agent on another address is not affected');
  const w = await fetch(`http://127.0.0.1:${port}/write?db=x`, { method: 'POST', body: 'm v=1', headers: { authorization: 'Token nope' } });
  t.equal(w.status, 401, '/write without a valid token');

  // 2. Oversized: a 2 MiB WebSocket message and /write body against a 1 MiB limit.
  const big = await new Promise<number>((resolve) => {
    const ws = new WebSocket(url, { headers: { authorization: `Bearer ${col.token}` }, localAddress: '127.0.0.1' });
    ws.on('open', () => ws.send('x'.repeat(2 * 1024 * 1024)));
    ws.on('close', (code) => resolve(code));
    ws.on('error', () => {});
  });
  t.equal(big, 1009, 'oversized message: closed with 1009 (message too big)');
  const huge = await fetch(`http://127.0.0.1:${port}/write?db=x`, {
    method: 'POST',
    body: 'm v=1\n'.repeat(400_000),
    headers: { authorization: `Token ${col.token}` },
  }).catch(() => undefined);
  t.ok(!huge || huge.status === 413, `oversized /write body refused (${huge?.status ?? 'connection cut'})`);

  // 3. 100 junk frames over authenticated sockets, one at a time (a second socket of the same
  // agent would replace the first with 4409): each costs its sender the connection (4400).
  const codes = new Map<number, number>();
  const bad0 = await col.metric('watchpost_bad_frames_total');
  for (let k = 0; k < 100; k++) {
    const code = await new Promise<number>((resolve) => {
      const ws = new WebSocket(url, { headers: { authorization: `Bearer ${col.token}` }, localAddress: '127.0.0.1' });
      ws.on('open', () => ws.send(k % 2 ? '{"type":"batch","seq":-1,"samples":"no"}' : `{"type":"hello","protocol":1,${'"x":1,'.repeat(k)}`));
      ws.on('close', (c) => resolve(c));
      ws.on('error', () => {});
    });
    codes.set(code, (codes.get(code) ?? 0) + 1);
  }
  t.same(Object.fromEntries(codes), { 4400: 100 }, 'every junk frame closed its connection with 4400');
  t.equal((await col.metric('watchpost_bad_frames_total')) - bad0, 100, 'and was counted');

  // 4. Slow-loris from 127.0.0.3: 80 sockets that send half a request line and then dribble.
  const sockets: net.Socket[] = [];
  const closedAt: number[] = [];
  const start = Date.now();
  for (let i = 0; i < 80; i++) {
    const s = net.connect({ port, host: '127.0.0.1', localAddress: '127.0.0.3' });
    s.on('error', () => {});
    s.on('close', () => closedAt.push(Date.now() - start));
    s.write('GET /healthz HTTP/1.1\r\nHost: x\r\n');
    sockets.push(s);
  }
  const drip = setInterval(() => sockets.forEach((s) => s.writable && s.write('X-a: b\r\n')), 1000);
  t.teardown(() => clearInterval(drip));
  await waitFor('connections over the per-address limit are cut at once', async () => closedAt.length >= 30, 5000);
  const r = await fetch(`http://127.0.0.1:${port}/healthz`);
  t.equal(r.status, 200, 'healthz answers during the slow-loris');
  await waitFor('slow-loris sockets cut by headersTimeout', async () => closedAt.length === 80, 20_000);
  clearInterval(drip);
  t.ok(Math.max(...closedAt) < 15_000, `all slow sockets closed within ${Math.max(...closedAt)} ms`);

  const rss1 = rssBytes(pid);
  t.ok(rss1 - rss0 < 100 * 1024 * 1024, `RSS grew ${((rss1 - rss0) / 1048576).toFixed(1)} MiB (from ${(rss0 / 1048576).toFixed(0)} MiB) — bounded`);
  t.equal(JSON.parse(await localFetchText(`http://127.0.0.1:${port}/healthz`)).status, 'ok', 'collector still up');
  t.ok((await col.metric('watchpost_rate_limited_total')) >= 390 + 30, 'refusals counted in watchpost_rate_limited_total');
});
