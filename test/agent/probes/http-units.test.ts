import iconv from 'iconv-lite';
import t from 'tap';
import { charsetOfContentType, charsetOfMeta, decodeBody } from '../../../agent/probes/http/charset.ts';
import { holds, parseAssertion, select } from '../../../agent/probes/http/json-path.ts';
import { safeUrl } from '../../../agent/probes/tls/expiry.ts';
import { phase, PhaseError, resolveHost } from '../../../agent/probes/net/dial.ts';

t.test('charset: BOM beats header beats meta beats default', async (t) => {
  const gbk = iconv.encode('<meta http-equiv="Content-Type" content="text/html; charset=GB2312">机关', 'gbk');
  t.equal(charsetOfMeta(gbk), 'GB2312');
  t.same(decodeBody(gbk, 'text/html'), {
    text: '<meta http-equiv="Content-Type" content="text/html; charset=GB2312">机关',
    charset: 'gb18030',
    source: 'meta',
  });
  t.equal(decodeBody(gbk, 'text/html; charset="gbk"').source, 'header');
  t.equal(charsetOfContentType('text/html;charset=utf-8'), 'utf-8');
  const bom = Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from('<meta charset="gbk">政府')]);
  t.same(decodeBody(bom, 'text/html; charset=gbk'), { text: '<meta charset="gbk">政府', charset: 'utf8', source: 'bom' });
  t.equal(decodeBody(iconv.encode('政府', 'gbk'), 'application/json', 'gbk').text, '政府', 'default_charset for an undeclared body');
  t.equal(decodeBody(Buffer.from('x'), 'text/html; charset=no-such-thing').source, 'default', 'an unknown label falls through');
  t.equal(charsetOfMeta(Buffer.from(`${' '.repeat(1100)}<meta charset="gbk">`)), undefined, 'only the first 1024 bytes are scanned');
});

t.test('json-path: parsing, selection, comparisons, errors', async (t) => {
  const doc = { code: 0, msg: '成功', data: { items: [{ name: 'a' }, { name: 'b' }], 'odd key': true }, n: null };
  const ok = (s: string) => holds(parseAssertion(s), doc);
  t.ok(ok('$.code == 0'));
  t.notOk(ok('$.code == "0"'), 'strict: a number is not a string');
  t.ok(ok("$.data.items[1].name == 'b'"));
  t.ok(ok("$.data['odd key']"));
  t.ok(ok('$.data.items.length >= 2'));
  t.ok(ok('$.msg =~ "^成"'));
  t.notOk(ok('$.n'), 'null is not truthy');
  t.notOk(ok('$.missing.deep == 1'));
  t.notOk(ok('$.msg > 1'), 'ordering needs a number');
  t.equal(select(doc, ['constructor']), undefined, 'only own properties');
  for (const bad of ['code == 0', '$.code = 0', '$.code == zero', '$.x =~ 3', '$.x < "a"', '$[', "$.msg =~ '('"])
    t.throws(() => parseAssertion(bad), { name: 'JsonPathError' }, bad);
});

t.test('safeUrl blanks credentials for tags and messages', async (t) => {
  t.equal(safeUrl(new URL('https://u:p@a.example/x?token=abc&q=1')), 'https://a.example/x?token=<secret>&q=1');
  t.equal(safeUrl(new URL('https://a.example/x?q=1')), 'https://a.example/x?q=1');
});

t.test('a phase that never ends fails at its own timeout with its name; the run signal ends it too', async (t) => {
  const t0 = Date.now();
  const e = await phase('dns', 80, undefined, () => new Promise(() => {})).catch((x: unknown) => x);
  t.ok(e instanceof PhaseError);
  t.equal((e as PhaseError).phase, 'dns');
  t.equal((e as PhaseError).errorClass, 'timeout');
  t.ok(Date.now() - t0 < 1000);
  let cancelled = false;
  const ac = new AbortController();
  setTimeout(() => ac.abort(new Error('shutdown')), 30);
  const e2 = await phase('transfer', 10_000, ac.signal, (onCancel) => {
    onCancel(() => (cancelled = true));
    return new Promise(() => {});
  }).catch((x: unknown) => x);
  t.equal((e2 as PhaseError).phase, 'transfer');
  t.ok(cancelled, 'cleanup ran (the socket is destroyed)');
  t.same(await resolveHost('[::1]', 'ip4', false, 10, undefined), { address: '::1', family: 6 }, 'a literal needs no lookup, whatever the preference');
});
