import http from 'node:http';
import t from 'tap';
import WebSocket from 'ws';
import { startCollector } from '../../../collector/main.ts';
import { BackoffLimiter, ConnectionLimiter, FailureLimiter, TokenBucket } from '../../../collector/security/rate-limit.ts';
import { hashToken } from '../../../collector/store/agents.ts';
import { collectorConfigSchema } from '../../../config/schema/collector.ts';
import { silentLogger } from '../../../lib/log.ts';

t.test('token bucket: burst, then the rate, per key', async (t) => {
  let now = 0;
  const b = new TokenBucket({ ratePerS: 10, burst: 3, now: () => now });
  t.same([b.take('a'), b.take('a'), b.take('a')], [0, 0, 0], 'burst of 3');
  t.equal(b.take('a'), 100, 'the 4th waits one token (100 ms at 10/s)');
  t.equal(b.take('b'), 0, 'another key has its own bucket');
  now += 100;
  t.equal(b.take('a'), 0, 'refilled after 100 ms');
  now += 10_000;
  t.same([b.take('a'), b.take('a'), b.take('a'), b.take('a') > 0], [0, 0, 0, true], 'never more than the burst banked');
});

t.test('failure limiter: blocks after max failures for the rest of the window; success clears', async (t) => {
  let now = 1000;
  const f = new FailureLimiter({ max: 3, windowMs: 60_000, now: () => now });
  t.equal(f.fail('ip'), false);
  t.equal(f.fail('ip'), false);
  t.equal(f.blocked('ip'), 0);
  t.equal(f.fail('ip'), true, 'the failure that crosses the limit is reported once');
  t.equal(f.blocked('ip'), 60_000);
  now += 59_000;
  t.equal(f.blocked('ip'), 1000);
  now += 1000;
  t.equal(f.blocked('ip'), 0, 'window over');
  f.fail('u');
  f.fail('u');
  f.succeed('u');
  f.fail('u');
  f.fail('u');
  t.equal(f.blocked('u'), 0, 'a success reset the count');
});

t.test('memory is bounded: at most maxKeys keys, least recently used forgotten', async (t) => {
  const f = new FailureLimiter({ max: 1, windowMs: 60_000, maxKeys: 100 });
  f.fail('keep');
  for (let i = 0; i < 10_000; i++) {
    f.fail(`10.0.${i >> 8}.${i & 255}`);
    if (i % 50 === 0) f.blocked('keep'); // touched: stays
  }
  t.equal(f.keys, 100);
  t.ok(f.blocked('keep') > 0, 'a recently used key is kept');
  const b = new TokenBucket({ ratePerS: 1, burst: 1, maxKeys: 10 });
  for (let i = 0; i < 1000; i++) b.take(String(i));
  t.equal(b.keys, 10);
});

t.test('connection limiter counts open connections per key', async (t) => {
  const c = new ConnectionLimiter(2);
  t.ok(c.open('a') && c.open('a'));
  t.notOk(c.open('a'));
  t.ok(c.open('b'));
  c.close('a');
  t.ok(c.open('a'));
  c.close('a');
  c.close('a');
  c.close('b');
  t.equal(c.keys, 0, 'closed keys are forgotten');
});

t.test('backoff limiter: free failures, then blocks that double up to the cap; refused tries neither lengthen nor report', async (t) => {
  let now = 1_000_000;
  const b = new BackoffLimiter({ free: 3, baseMs: 1000, maxMs: 60_000, resetMs: 300_000, now: () => now });
  t.match(b.fail('u'), { failures: 1, blockedMs: 0, report: 'first' }, 'the first failure is reported');
  t.match(b.fail('u'), { failures: 2, blockedMs: 0 });
  t.equal(b.fail('u').report, 'blocked', 'the third starts the first block');
  t.equal(b.blocked('u'), 1000, 'for baseMs');
  const blocks: number[] = [];
  // Each time the block ends the next try is another wrong password.
  for (let i = 0; i < 10; i++) {
    now += b.blocked('u');
    blocks.push(b.fail('u').blockedMs);
  }
  t.same(blocks, [2000, 4000, 8000, 16_000, 32_000, 60_000, 60_000, 60_000, 60_000, 60_000], 'doubling, capped');
  t.equal(b.blocked('u'), 60_000);
  for (let i = 0; i < 100; i++) b.refuse('u');
  t.equal(b.blocked('u'), 60_000, 'refused tries do not lengthen the block');
  t.equal(b.blocked('other'), 0, 'another key is not blocked');
  const s = b.succeed('u');
  t.match(s, { failures: 13, refused: 100 }, 'a success hands back the summary');
  t.equal(b.blocked('u'), 0, 'and clears the key');
  t.equal(b.succeed('u'), undefined, 'once');
});

t.test('backoff limiter: what it reports is bounded — first, first block, then one summary per reset period', async (t) => {
  let now = 0;
  const b = new BackoffLimiter({ free: 5, baseMs: 30_000, maxMs: 900_000, resetMs: 900_000, now: () => now });
  const reports: string[] = [];
  for (let i = 0; i < 5; i++) {
    const f = b.fail('k');
    if (f.report) reports.push(f.report);
  }
  t.same(reports, ['first', 'blocked']);
  // 60 tries in half a second, all refused while blocked.
  for (let i = 0; i < 60; i++) {
    now += 8;
    if (b.blocked('k')) b.refuse('k');
  }
  t.same(b.drain(), [], 'nothing due while the streak is fresh');
  now += 900_000;
  const due = b.drain();
  t.equal(due.length, 1, 'one summary once it has ended');
  t.match(due[0], ['k', { failures: 5, refused: 60 }]);
  t.same(b.drain(), [], 'handed out once');
  t.equal(b.keys, 0, 'and the ended streak is forgotten');
  // A streak that goes on gets one summary per reset period, not one per try.
  now = 10_000_000;
  let rows = 0;
  for (let i = 0; i < 3600; i++) {
    now += 1000;
    if (b.blocked('x')) b.refuse('x');
    else if (b.fail('x').report) rows++;
    rows += b.drain().length;
  }
  t.ok(rows <= 2 + 4 + 1, `an hour of one try a second: ${rows} rows`);
});

/** An HTTP request from a chosen loopback address. */
function request(port: number, localAddress: string, method: string, p: string, headers: Record<string, string>, body = ''): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = http.request({ host: '127.0.0.1', port, localAddress, method, path: p, headers }, (res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    });
    req.on('error', reject);
    req.end(body);
  });
}

function upgrade(port: number, localAddress: string, token: string): Promise<number> {
  return new Promise((resolve) => {
    const ws = new WebSocket(`ws://127.0.0.1:${port}/v1/agent`, { headers: { authorization: `Bearer ${token}` }, localAddress });
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
}

t.test('wrong agent and /write tokens from one address do not lock out the valid tokens behind it', async (t) => {
  const WRITE = 'telegraf-write-token-0123456789';
  const cfg = collectorConfigSchema.parse({
    collector: { listen_host: '127.0.0.1', listen_port: 0, data_dir: ':memory:', log_level: 'silent' },
    http_write: { tokens: [{ name: 'telegraf', token_sha256: hashToken(WRITE) }] },
    limits: { auth_failures_per_min: 10 },
  });
  const c = await startCollector(cfg, silentLogger, { modules: [] });
  t.teardown(() => c.stop());
  const { token } = c.ctx.agents.enroll('pc-0301', 'test');
  const NAT = '127.0.0.2';
  const statuses: number[] = [];
  for (let i = 0; i < 30; i++) statuses.push(await upgrade(c.port, NAT, `wpa_AAAA${String(i).padStart(39, '0')}`));
  t.same([statuses.filter((s) => s === 401).length, statuses.filter((s) => s === 429).length], [10, 20], 'the wrong tokens: 10 refusals, then 429');
  t.equal(await upgrade(c.port, NAT, token), 101, 'a valid agent token from the same address connects');
  const write = (tok: string) => request(c.port, NAT, 'POST', '/write?precision=ms', { authorization: `Token ${tok}` }, `m v=1 ${Date.now()}`);
  t.equal(await write(WRITE), 204, 'a valid write token from the same address writes');
  const bad: number[] = [];
  for (let i = 0; i < 15; i++) bad.push(await write(`telegraX-${i}`));
  t.same([bad.filter((s) => s === 401).length, bad.filter((s) => s === 429).length], [10, 5], 'wrong write tokens: 10 refusals, then 429');
  t.equal(await write(WRITE), 204, 'the valid write token still writes');
  t.equal(await upgrade(c.port, NAT, token), 101, 'and the agent still connects');
  t.equal(await upgrade(c.port, NAT, `wpa_AAAA${'9'.repeat(39)}`), 429, 'the wrong tokens stay refused');
});
