import { appendFileSync, mkdirSync, readdirSync, readFileSync, statSync, truncateSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { crc32 } from 'node:zlib';
import { pino, type Logger } from 'pino';
import t from 'tap';
import { Metrics } from '../../../lib/metrics.ts';
import { Spool, type SpoolRow } from '../../../collector/store/spool.ts';
import { removeDir, tempDir } from '../../peers/util.ts';

const body = (i: number) => `m,k=v${i} f=${i} ${1000 + i}\n`.repeat(1 + (i % 7));
const points = (i: number) => 1 + (i % 7);

function dir(t: { teardown(fn: () => void): void }): string {
  const d = tempDir('spool');
  t.teardown(() => removeDir(d));
  return d;
}

const logFiles = (d: string) => readdirSync(path.join(d, 'spool')).filter((f) => f.endsWith('.log'));

t.test('rows come back in order, once each, with their bytes, from memory and from the files', async (t) => {
  for (const memoryBytes of [64 * 1024 * 1024, 0]) {
    const d = dir(t);
    const sp = new Spool(d, 1e9, { memoryBytes, segmentBytes: 300 });
    for (let i = 1; i <= 50; i++) sp.append(body(i), points(i), 5000 + i);
    t.same(sp.stats(), {
      bytes: Array.from({ length: 50 }, (_, k) => Buffer.byteLength(body(k + 1))).reduce((a, b) => a + b),
      points: Array.from({ length: 50 }, (_, k) => points(k + 1)).reduce((a, b) => a + b),
    });
    const seen: number[] = [];
    const wrong: string[] = [];
    let after = 0;
    for (;;) {
      const rows = sp.take(10, after);
      if (!rows.length) break;
      if (rows.length > 1 && rows.reduce((n, r) => n + r.points, 0) > 10) wrong.push(`take after ${after} exceeds maxPoints`);
      for (const r of rows) {
        if (r.body.toString() !== body(r.id) || r.oldestMs !== 5000 + r.id) wrong.push(`row ${r.id}`);
        seen.push(r.id);
      }
      after = rows[rows.length - 1]!.id;
      sp.release(rows);
    }
    t.same(wrong, [], `bytes and times as appended, takes bounded (memory ${memoryBytes})`);
    t.same(
      seen,
      Array.from({ length: 50 }, (_, k) => k + 1),
      'every row once, in order',
    );
    t.same(sp.stats(), { bytes: 0, points: 0 });
    t.same(logFiles(d), [], 'segments are deleted once all their rows are released');
    sp.close();
  }
});

t.test('a restart keeps what was not released, and only that', async (t) => {
  const d = dir(t);
  let sp = new Spool(d, 1e9, { segmentBytes: 200 });
  for (let i = 1; i <= 30; i++) sp.append(body(i), points(i));
  const first = sp.take(40);
  sp.release(first);
  const released = new Set(first.map((r) => r.id));
  sp.close();
  sp = new Spool(d, 1e9, { segmentBytes: 200 });
  const got = sp.take(1e9);
  t.ok(got.length > 0);
  t.same(
    got.filter((r) => r.body.toString() !== body(r.id)).map((r) => r.id),
    [],
    'bytes as appended',
  );
  const ids = got.map((r) => r.id);
  t.same(
    ids,
    [...ids].sort((a, b) => a - b),
    'in order',
  );
  t.same(
    Array.from({ length: 30 }, (_, k) => k + 1).filter((i) => !released.has(i) && !ids.includes(i)),
    [],
    'every unreleased row survives',
  );
  // Released rows come back only when their segment still held unreleased rows (written again, harmlessly).
  t.ok(ids.filter((id) => released.has(id)).length < 5, 'released rows are (nearly all) gone');
  sp.append('new v=1 1\n', 1);
  const after = sp.take(1e9, ids[ids.length - 1]);
  t.same(
    after.map((r) => r.body.toString()),
    ['new v=1 1\n'],
    'ids keep growing after a restart',
  );
  t.ok(after[0]!.id > 30);
  sp.close();
});

t.test('a torn or corrupt tail is cut off; the rows before it survive', async (t) => {
  const d = dir(t);
  let sp = new Spool(d, 1e9);
  for (let i = 1; i <= 5; i++) sp.append(body(i), points(i));
  sp.close();
  const file = path.join(d, 'spool', logFiles(d)[0]!);
  const full = statSync(file).size;
  truncateSync(file, full - 3); // a crash in the middle of the last record
  sp = new Spool(d, 1e9);
  t.same(
    sp.take(1e9).map((r) => r.id),
    [1, 2, 3, 4],
  );
  t.equal(statSync(file).size, full - 3 - (40 + Buffer.byteLength(body(5)) - 3), 'the torn record is cut off');
  sp.close();
  // Flip one byte of the last body: its CRC fails.
  const bytes = readFileSync(file);
  bytes.writeUInt8(bytes.readUInt8(bytes.length - 2) ^ 0xff, bytes.length - 2);
  writeFileSync(file, bytes);
  appendFileSync(file, Buffer.from('garbage after it'));
  sp = new Spool(d, 1e9);
  t.same(
    sp.take(1e9).map((r) => r.id),
    [1, 2, 3],
  );
  sp.append(body(9), points(9));
  t.equal(sp.take(1e9, 3)[0]?.body.toString(), body(9), 'appends go on after recovery');
  sp.close();
});

t.test('the size limit refuses new rows without counting them', async (t) => {
  const d = dir(t);
  const sp = new Spool(d, 100);
  sp.append('a v=1 1\n', 1);
  t.throws(() => sp.append('x'.repeat(200), 1), { code: 'spool_full' });
  t.same(sp.stats(), { bytes: 8, points: 1 });
  t.equal(sp.take(10).length, 1);
  sp.close();
});

t.test('rows of the node:sqlite spool of earlier versions are imported once', async (t) => {
  const d = dir(t);
  const db = new DatabaseSync(path.join(d, 'spool.db'));
  db.exec(
    'CREATE TABLE spool (id INTEGER PRIMARY KEY AUTOINCREMENT, created_ms INTEGER NOT NULL, oldest_ms INTEGER NOT NULL, points INTEGER NOT NULL, bytes INTEGER NOT NULL, body TEXT NOT NULL)',
  );
  db.prepare('INSERT INTO spool (created_ms, oldest_ms, points, bytes, body) VALUES (1, 2, 1, 8, ?)').run('old v=1 1\n');
  db.prepare('INSERT INTO spool (created_ms, oldest_ms, points, bytes, body) VALUES (1, 3, 2, 8, ?)').run('old v=2 2\nold v=3 3\n');
  db.close();
  let sp = new Spool(d, 1e9);
  t.same(sp.stats().points, 3);
  t.same(
    sp.take(10).map((r) => [r.body.toString(), r.oldestMs]),
    [
      ['old v=1 1\n', 2],
      ['old v=2 2\nold v=3 3\n', 3],
    ],
  );
  t.notOk(readdirSync(d).includes('spool.db'), 'the old file is removed after the import');
  sp.close();
  sp = new Spool(d, 1e9);
  t.same(sp.stats().points, 3, 'imported once, kept in the log');
  sp.close();
});

t.test('concurrent writers releasing out of order: every row written once (random runs)', async (t) => {
  for (const seed of [1, 2, 3, 4, 5, 6]) {
    let x = seed;
    const rnd = () => (x = (x * 1103515245 + 12345) % 2147483648) / 2147483648;
    const d = dir(t);
    const sp = new Spool(d, 1e9, { memoryBytes: Math.floor(rnd() * 400), segmentBytes: 100 + Math.floor(rnd() * 400) });
    const inflight: SpoolRow[][] = [];
    const written: number[] = [];
    const wrong: number[] = [];
    let after = 0;
    let appended = 0;
    for (let step = 0; step < 400; step++) {
      const r = rnd();
      if (r < 0.45 && appended < 150) {
        appended++;
        sp.append(body(appended), points(appended));
      } else if (r < 0.75 && inflight.length < 3) {
        const rows = sp.take(1 + Math.floor(rnd() * 12), after);
        if (rows.length) {
          after = rows[rows.length - 1]!.id;
          inflight.push(rows);
        }
      } else if (inflight.length) {
        const [rows] = inflight.splice(Math.floor(rnd() * inflight.length), 1);
        for (const row of rows!) {
          if (row.body.toString() !== body(row.id)) wrong.push(row.id);
          written.push(row.id);
        }
        sp.release(rows!);
      }
    }
    for (const rows of inflight) {
      written.push(...rows.map((r) => r.id));
      sp.release(rows);
    }
    for (;;) {
      const rows = sp.take(1e9, after);
      if (!rows.length) break;
      after = rows[rows.length - 1]!.id;
      written.push(...rows.map((r) => r.id));
      sp.release(rows);
    }
    t.same(wrong, [], `seed ${seed}: bytes as appended`);
    t.same(
      [...written].sort((a, b) => a - b),
      Array.from({ length: appended }, (_, k) => k + 1),
      `seed ${seed}: each of ${appended} rows once`,
    );
    t.same(sp.stats(), { bytes: 0, points: 0 });
    t.same(logFiles(d), []);
    sp.close();
  }
});

t.test('releasing rows twice counts them once, on disk and in memory', async (t) => {
  for (const where of ['disk', ':memory:']) {
    const sp = new Spool(where === 'disk' ? dir(t) : ':memory:', 1e9, { segmentBytes: 200 });
    for (let i = 1; i <= 10; i++) sp.append(body(i), points(i));
    const a = sp.take(12);
    const b = sp.take(1e9, a[a.length - 1]!.id);
    sp.release(a);
    const after = sp.stats();
    sp.release(a);
    t.same(sp.stats(), after, `${where}: a second release of the same rows changes nothing`);
    sp.release(b);
    sp.release(b);
    t.same(sp.stats(), { bytes: 0, points: 0 }, `${where}: empty after every row was released`);
    sp.append('x v=1 1\n', 1);
    t.same(sp.stats(), { bytes: 8, points: 1 }, `${where}: appends after draining count normally`);
    sp.close();
  }
});

/** A pino logger whose lines land in `lines`, parsed. */
function capture(): { log: Logger; lines: Record<string, unknown>[] } {
  const lines: Record<string, unknown>[] = [];
  return { lines, log: pino({ level: 'info' }, { write: (s: string) => void lines.push(JSON.parse(s)) }) };
}

t.test('a record that fails its check costs only itself: moved aside, logged, counted; the records after it survive', async (t) => {
  const total = 300;
  const k = 137;
  // Where each record starts: 40 header bytes, then its body.
  const start = (i: number) => Array.from({ length: i - 1 }, (_, j) => 40 + Buffer.byteLength(body(j + 1))).reduce((a, b) => a + b, 0);
  const allPoints = Array.from({ length: total }, (_, j) => points(j + 1)).reduce((a, b) => a + b, 0);
  for (const [what, at] of [
    ['a body byte', start(k) + 40 + 5],
    ['the length field', start(k) + 5],
    ['the magic', start(k) + 1],
    ['the id', start(k) + 22],
  ] as const) {
    const d = dir(t);
    let sp = new Spool(d, 1e9);
    for (let i = 1; i <= total; i++) sp.append(body(i), points(i));
    sp.close();
    const file = path.join(d, 'spool', logFiles(d)[0]!);
    const size = statSync(file).size;
    const bytes = readFileSync(file);
    const badRecord = Buffer.from(bytes.subarray(start(k), start(k + 1)));
    bytes.writeUInt8(bytes.readUInt8(at) ^ 0x10, at);
    writeFileSync(file, bytes);
    const { log, lines } = capture();
    const metrics = new Metrics();
    sp = new Spool(d, 1e9, { log, metrics });
    const rows = sp.take(1e9);
    t.equal(rows.length, total - 1, `${what}: every other record survives`);
    t.equal(
      rows.reduce((n, r) => n + r.points, 0),
      allPoints - points(k),
      `${what}: exactly the points of record ${k} are lost (${allPoints - points(k)} of ${allPoints})`,
    );
    t.same(sp.stats().points, allPoints - points(k));
    t.notOk(
      rows.some((r) => r.id === k),
      `${what}: record ${k} is gone`,
    );
    t.same(
      rows.filter((r) => r.body.toString() !== body(r.id)).map((r) => r.id),
      [],
      `${what}: the others as appended`,
    );
    const moved = readdirSync(path.join(d, 'spool', 'corrupt'));
    t.same(moved, [`${logFiles(d)[0]!.slice(0, 16)}.${start(k)}-${start(k + 1)}.bad`], `${what}: the bad bytes are in spool/corrupt/, named by their range`);
    const aside = readFileSync(path.join(d, 'spool', 'corrupt', moved[0]!));
    aside.writeUInt8(aside.readUInt8(at - start(k)) ^ 0x10, at - start(k));
    t.ok(aside.equals(badRecord), `${what}: exactly the bytes of record ${k}`);
    t.equal(statSync(file).size, size - badRecord.length, `${what}: the segment is rewritten without them`);
    const text = metrics.render();
    t.match(text, 'watchpost_spool_corrupt_records_total{reason="bad_record"} 1\n');
    t.match(text, `watchpost_spool_corrupt_bytes_total{reason="bad_record"} ${badRecord.length}\n`);
    const errors = lines.filter((l) => l.level === 50);
    t.equal(errors.length, 1, `${what}: one ERROR line`);
    t.match(errors[0], { from: start(k), to: start(k + 1), bytes: badRecord.length, reason: 'bad_record', msg: /damaged/ });
    // Takes, releases and appends go on normally; a second open finds nothing wrong.
    sp.release(rows);
    sp.append(body(1), points(1));
    sp.close();
    const again = capture();
    sp = new Spool(d, 1e9, { log: again.log });
    t.same(
      sp.take(1e9).map((r) => r.body.toString()),
      [body(1)],
    );
    t.same(again.lines, [], 'nothing more to report at the next open');
    sp.close();
  }
});

t.test('a torn tail is cut off as before, and logged and counted', async (t) => {
  const d = dir(t);
  let sp = new Spool(d, 1e9);
  for (let i = 1; i <= 5; i++) sp.append(body(i), points(i));
  sp.close();
  const file = path.join(d, 'spool', logFiles(d)[0]!);
  const full = statSync(file).size;
  truncateSync(file, full - 3);
  const { log, lines } = capture();
  const metrics = new Metrics();
  sp = new Spool(d, 1e9, { log, metrics });
  t.same(
    sp.take(1e9).map((r) => r.id),
    [1, 2, 3, 4],
  );
  const torn = 40 + Buffer.byteLength(body(5)) - 3;
  t.equal(statSync(file).size, full - 3 - torn);
  t.match(metrics.render(), 'watchpost_spool_corrupt_records_total{reason="torn_tail"} 1\n');
  t.match(metrics.render(), `watchpost_spool_corrupt_bytes_total{reason="torn_tail"} ${torn}\n`);
  t.match(
    lines.filter((l) => l.level === 50),
    [{ reason: 'torn_tail', from: full - 3 - torn, to: full - 3 }],
  );
  sp.close();
});

t.test('segments of earlier versions (WPS1 records, CRC over the body only) are still read', async (t) => {
  const d = dir(t);
  mkdirSync(path.join(d, 'spool'), { recursive: true });
  const rec = (id: number, b: string) => {
    const buf = Buffer.from(b);
    const head = Buffer.alloc(40);
    head.writeUInt32LE(0x57505331, 0);
    head.writeUInt32LE(buf.length, 4);
    head.writeUInt32LE(1, 8);
    head.writeUInt32LE(crc32(buf), 12);
    head.writeDoubleLE(id, 16);
    head.writeDoubleLE(1, 24);
    head.writeDoubleLE(1, 32);
    return Buffer.concat([head, buf]);
  };
  writeFileSync(path.join(d, 'spool', '0000000000000001.log'), Buffer.concat([rec(1, 'a v=1 1\n'), rec(2, 'a v=2 2\n')]));
  const { log, lines } = capture();
  const sp = new Spool(d, 1e9, { log });
  t.same(
    sp.take(1e9).map((r) => r.body.toString()),
    ['a v=1 1\n', 'a v=2 2\n'],
  );
  t.same(lines, []);
  sp.close();
});
