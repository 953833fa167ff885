import t from 'tap';
import { ConnectionLimiter, FailureLimiter, TokenBucket } from '../../../collector/security/rate-limit.ts';

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
