import t from 'tap';
import { encodeLine, encodeLines, parseLines } from '../../protocol/line-protocol.ts';
import type { Sample } from '../../protocol/sample.ts';

t.test('encodes Telegraf-compatible lines with escaping and integer fields', async (t) => {
  const s: Sample = {
    measurement: 'interface stats,x',
    tags: { ifName: 'GigabitEthernet0/0/1', alias: 'to 3F shaft, room=301', empty: '' },
    fields: { in_octets: 18446744073709551615n, up: true, descr: 'say "hi" \\ ok', util: 12.5 },
    time: 1700000000123,
  };
  t.equal(
    encodeLine(s),
    'interface\\ stats\\,x,alias=to\\ 3F\\ shaft\\,\\ room\\=301,ifName=GigabitEthernet0/0/1 in_octets=18446744073709551615i,up=true,descr="say \\"hi\\" \\\\ ok",util=12.5 1700000000123',
  );
});

t.test('drops non-finite fields and field-less samples', async (t) => {
  t.equal(encodeLine({ measurement: 'm', tags: {}, fields: { a: NaN, b: 1 }, time: 1 }), 'm b=1 1');
  t.equal(encodeLine({ measurement: 'm', tags: {}, fields: { a: Infinity }, time: 1 }), undefined);
  const r = encodeLines([
    { measurement: 'm', tags: {}, fields: { a: NaN }, time: 1 },
    { measurement: 'm', tags: {}, fields: { a: 2 }, time: 2 },
  ]);
  t.equal(r.count, 1);
  t.equal(r.body, 'm a=2 2\n');
});

t.test('round-trips through the parser', async (t) => {
  const samples: Sample[] = [
    { measurement: 'cpu', tags: { host: 'pc 01', cpu: 'cpu-total' }, fields: { usage_idle: 98.5, n: 3n, ok: false, s: 'a,b=c "d"' }, time: 1700000000000 },
    { measurement: 'weird,name', tags: { 'k=1': 'v\\x' }, fields: { 'f k': -1.5e-7 }, time: 5 },
  ];
  const { body } = encodeLines(samples);
  const back = parseLines(body, 'ms');
  t.same(back.errors, []);
  t.same(back.samples, samples);
});

t.test('parses Telegraf output with ns precision, booleans and comments', async (t) => {
  const body = [
    '# comment',
    'mem,host=a total=100i,used_percent=12.5,flag=T 1700000000123456789',
    'disk,path=/ free=5i',
    '',
  ].join('\n');
  const r = parseLines(body, 'ns', 42);
  t.same(r.errors, []);
  t.equal(r.samples.length, 2);
  t.same(r.samples[0], { measurement: 'mem', tags: { host: 'a' }, fields: { total: 100n, used_percent: 12.5, flag: true }, time: 1700000000123 });
  t.equal(r.samples[1]!.time, 42, 'missing timestamp means now');
  t.equal(r.samples[1]!.fields.free, 5n);
  // InfluxDB 1.x has no unsigned integers: "5u" is a bad line there ("invalid number"), so here too.
  t.same(parseLines('disk free=5u 1\n', 'ns').errors.map((e) => e.line), [1]);
});

t.test('reports bad lines by number and keeps the good ones', async (t) => {
  // An unterminated string runs to the end of the body, newlines included, as in InfluxDB: last here.
  const body = ['ok v=1 1', 'novalue', 'bad,tag v=1 1', 'm v=abc 1', 'm v=1 notatime', 'm,t= v=1', 'good v=2 2', 'm v="open 1', 'more v=3 3'].join('\n');
  const r = parseLines(body, 's');
  t.equal(r.samples.length, 2);
  t.same(r.samples.map((s) => s.time), [1000, 2000]);
  t.same(r.errors.map((e) => e.line), [2, 3, 4, 5, 6, 8]);
  for (const e of r.errors) t.type(e.message, 'string');
});

t.test('handles CRLF line endings and leading spaces', async (t) => {
  const r = parseLines('  a v=1 1\r\nb v=2 2\r\n', 'ms');
  t.same(r.errors, []);
  t.same(r.samples.map((s) => s.measurement), ['a', 'b']);
});
