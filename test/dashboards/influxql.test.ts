import t from 'tap';
import { agg, and, cmp, ident, lit, matches, or, rate, select, showTagValues, tagVar } from '../../dashboards/lib/influxql.ts';
import { formatRegex, interpolate, interval, relative } from './grafana.ts';

t.test('identifiers and literals are escaped', async (t) => {
  t.equal(ident('we"ird\\name'), '"we\\"ird\\\\name"');
  t.equal(lit("it's"), "'it\\'s'");
  t.equal(lit(3), '3');
  t.equal(lit(false), 'false');
  t.equal(matches('ifAlias', 'a/b|上联'), '"ifAlias" =~ /a\\/b|上联/');
});

t.test('SELECT renders in InfluxQL clause order', async (t) => {
  const q = select([agg('mean', 'in_bps'), 'in'], 'ifAlias')
    .from('interface')
    .where(tagVar('building', 'building'), or(cmp('a', '=', 1), cmp('b', '>', 2)))
    .inRange()
    .byTime()
    .byTags('device')
    .newestFirst()
    .limit(5)
    .slimit(3);
  t.equal(
    q.toString(),
    'SELECT mean("in_bps") AS "in", "ifAlias" FROM "interface" WHERE "building" =~ /^$building$/ AND ("a" = 1 OR "b" > 2) AND $timeFilter GROUP BY time($__interval), "device" fill(null) ORDER BY time DESC LIMIT 5 SLIMIT 3',
  );
  t.equal(
    select('x')
      .from(select(rate('c', '1m')).from('m').byTime('1m', 'none'))
      .where(and(cmp('x', '>', 0)))
      .toString(),
    'SELECT "x" FROM (SELECT non_negative_derivative(max("c"), 1m) FROM "m" GROUP BY time(1m) fill(none)) WHERE "x" > 0',
  );
  t.throws(() => select().from('m'), /at least one column/);
  t.throws(() => select('x').toString(), /needs FROM/);
  const base = select('x').from('m');
  base.where(cmp('x', '=', 1));
  t.equal(base.toString(), 'SELECT "x" FROM "m"', 'builders are immutable');
  t.equal(
    showTagValues(['a', 'b'], 'floor', tagVar('building', 'building')),
    'SHOW TAG VALUES FROM "a", "b" WITH KEY = "floor" WHERE "building" =~ /^$building$/',
  );
});

t.test('Grafana macro substitution as the tests use it', async (t) => {
  const now = Date.UTC(2026, 10, 25);
  t.equal(relative('now-6h', now), now - 6 * 3_600_000);
  t.throws(() => relative('yesterday', now));
  const range = { fromMs: now - 86_400_000, toMs: now };
  t.equal(interval(range), '5m');
  t.equal(interval({ fromMs: now - 3_600_000, toMs: now }), '5s');
  t.equal(interval(range, 1000, '1h'), '1h', 'the panel minimum interval wins');
  t.equal(formatRegex({ all: '.*' }), '.*');
  t.equal(formatRegex(['sw-a.1']), 'sw-a\\.1');
  t.equal(formatRegex(['a', 'b(c)']), '(a|b\\(c\\))');
  t.equal(
    interpolate('SELECT 1 FROM "m" WHERE "d" =~ /^$d$/ AND "e" =~ /^${e}$/ AND "f" =~ /^[[f]]$/ AND $timeFilter GROUP BY time($__interval)', {
      range: { fromMs: 1, toMs: 2 },
      interval: '1m',
      vars: { d: ['x'], e: { all: '.*' }, f: ['p', 'q'] },
    }),
    'SELECT 1 FROM "m" WHERE "d" =~ /^x$/ AND "e" =~ /^.*$/ AND "f" =~ /^(p|q)$/ AND time >= 1ms and time <= 2ms GROUP BY time(1m)',
  );
  t.throws(() => interpolate('SELECT 1 FROM "x" WHERE "a" =~ /^$nope$/', { range, interval: '1m', vars: {} }), /unknown variable/);
});
