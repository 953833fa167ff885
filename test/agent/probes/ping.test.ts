import iconv from 'iconv-lite';
import t from 'tap';
import { decodeConsole } from '../../../agent/probes/platform/decode.ts';
import { systemPlatform } from '../../../agent/probes/platform/platform.ts';
import { parseFpingC, parseIputils, parseWindowsPing } from '../../../agent/probes/ping/parse.ts';
import { createPingProbe, pingProbe, sweep, type PingDeps } from '../../../agent/probes/ping/probe.ts';
import { pingSchema } from '../../../agent/probes/ping/schema.ts';
import { hasCommand } from '../../peers/util.ts';
import { canNetns, CMDOUT, createNetns, fixture, recordedPlatform } from './helpers.ts';

const cfg = (o: Record<string, unknown>) => pingSchema.parse({ kind: 'ping', ...o });
const realDeps = (): PingDeps => ({ platform: systemPlatform(), hasCommand: async (c) => hasCommand(c) });

t.test(
  'ping.exe outputs recorded on real Windows, parsed by locale-independent anchors',
  { skip: !CMDOUT && 'needs ../shared/fixtures (absent)' },
  async (t) => {
    const en = parseWindowsPing(fixture('node-ping__window_en_sample1.txt').toString('utf8'), 'x', 4);
    t.match(en, { transmitted: 4, received: 4, rtts: [564, 555, 554, 548], ttl: 237, result_code: 0, summary: { min: 548, max: 564, avg: 555 } });
    const ja = parseWindowsPing(fixture('node-ping__window_ja_sample2.txt').toString('utf8'), '8.8.8.8', 4);
    t.match(ja, { transmitted: 4, received: 4, rtts: [4, 4, 5, 6], ttl: 58, summary: { min: 4, max: 6, avg: 4 } });
    const zh = parseWindowsPing(fixture('node-ping__window_zh_sample1.txt').toString('utf8'), 'google.com', 4);
    t.match(zh, { transmitted: 4, received: 4, rtts: [2, 2, 3, 3], ttl: 54, summary: { min: 2, max: 3, avg: 2 } });
    const lt = parseWindowsPing(fixture('node-ping__window_zh_sample3.txt').toString('utf8'), '127.0.0.1', 4);
    t.match(lt, { received: 4, rtts: [0, 0, 0, 0], ttl: 128, summary: { min: 0, max: 0, avg: 0 } });
  },
);

t.test('ping.exe in the console code page (Big5 on zh-TW, Shift-JIS on ja) decodes before parsing', { skip: !CMDOUT && 'needs fixtures' }, async (t) => {
  // The node-ping recordings were stored as UTF-8; ping.exe itself writes the OEM code page.
  for (const [file, enc, cp] of [
    ['node-ping__window_zh_sample1.txt', 'big5', 950],
    ['node-ping__window_zh_sample1.txt', 'gbk', 936],
    ['node-ping__window_ja_sample2.txt', 'shift_jis', 932],
  ] as const) {
    const text = fixture(file).toString('utf8');
    const raw = iconv.encode(text, enc);
    t.not(raw.toString('utf8'), text, `${enc} bytes are not UTF-8`);
    t.equal(decodeConsole(raw, cp), text, `${enc} round trip`);
    const platform = recordedPlatform({ os: 'windows', codepage: cp, exec: { 'ping.exe': { stdout: raw } } });
    const { method, results } = await sweep(cfg({ targets: ['a'], count: 4 }), { platform, hasCommand: async () => false });
    t.equal(method, 'ping.exe');
    t.match(results[0], { received: 4, result_code: 0 }, `${file} via ${enc}`);
    t.match(platform.calls[0], /^ping\.exe -n 4 -w 1000 a$/);
  }
});

t.test('ping.exe timeouts and unknown hosts (zh-CN, GBK) are data', async (t) => {
  // zh-CN ping.exe wording as documented (no licensed recording exists, see SOURCES.md), in GBK.
  const timeout = iconv.encode(
    '\r\n正在 Ping 10.1.1.9 具有 32 字节的数据:\r\n请求超时。\r\n请求超时。\r\n请求超时。\r\n\r\n10.1.1.9 的 Ping 统计信息:\r\n    数据包: 已发送 = 3，已接收 = 0，丢失 = 3 (100% 丢失)，\r\n',
    'gbk',
  );
  const unknown = iconv.encode('Ping 请求找不到主机 pc-0301。请检查该名称，然后重试。\r\n', 'gbk');
  const unreach = iconv.encode(
    '正在 Ping 10.1.1.9 具有 32 字节的数据:\r\n来自 10.1.1.1 的回复: 无法访问目标主机。\r\n来自 10.1.1.9 的回复: 字节=32 时间=3ms TTL=64\r\n\r\n10.1.1.9 的 Ping 统计信息:\r\n    数据包: 已发送 = 2，已接收 = 2，丢失 = 0 (0% 丢失)，\r\n',
    'gbk',
  );
  const platform = recordedPlatform({
    os: 'windows',
    codepage: 936,
    exec: { 'ping.exe': (args) => ({ code: 1, stdout: args.at(-1) === 'pc-0301' ? unknown : args.at(-1) === 'half' ? unreach : timeout }) },
  });
  const p = createPingProbe(cfg({ targets: ['10.1.1.9', 'pc-0301', 'half'] }), { platform, hasCommand: async () => false }, 'pc');
  const s = await p.collect(new AbortController().signal);
  t.match(s[0]!.fields, { packets_transmitted: 3n, packets_received: 0n, percent_packet_loss: 100, result_code: 2n, error_class: 'no_reply' });
  t.match(s[1]!.fields, { result_code: 1n, error_class: 'unknown_host' });
  // "Destination host unreachable" counts as received in ping.exe's own statistics, not here.
  t.match(s[2]!.fields, { packets_transmitted: 2n, packets_received: 1n, percent_packet_loss: 50, average_response_ms: 3 });
  t.equal(pingProbe.status!(s, cfg({ targets: ['x'] })).code, 2);
});

t.test('fping and iputils parsers', async (t) => {
  const r = parseFpingC('127.0.0.1  : 0.05 - 0.07\n10.9.9.9 : - - -\nICMP Host Unreachable from 1.2.3.4\n', ['127.0.0.1', '10.9.9.9', 'nope'], 3);
  t.match(r[0], { transmitted: 3, received: 2, rtts: [0.05, 0.07], result_code: 0 });
  t.match(r[1], { received: 0, result_code: 2, error_class: 'no_reply' });
  t.match(r[2], { result_code: 1, error_class: 'unknown_host' });
  t.match(parseIputils('', 'nope', 3, 2), { result_code: 1 });
  t.match(parseIputils('', 'x', 3, 1), { result_code: 2, error_class: 'tool_failed' });
  const missing = recordedPlatform({ os: 'linux' });
  const { results } = await sweep(cfg({ targets: ['127.0.0.1'], method: 'fping' }), { platform: missing, hasCommand: async () => true });
  t.match(results[0], { result_code: 2, error_class: 'tool_missing' }, 'a missing tool is data');
});

t.test('real sweep of loopback addresses', async (t) => {
  const targets = Array.from({ length: 50 }, (_, i) => `127.0.0.${i + 1}`).concat('bad..name');
  for (const method of ['fping', 'ping'] as const) {
    if (!hasCommand(method)) {
      t.fail(`${method} is not installed (apt-get install fping iputils-ping)`);
      continue;
    }
    const list = method === 'ping' ? targets.slice(0, 8).concat('bad..name') : targets;
    const res = await sweep(cfg({ targets: list, method, count: 2, packet_interval_ms: 200, reply_timeout_ms: 500 }), realDeps());
    t.equal(res.method, method);
    const ok = res.results.filter((r) => r.result_code === 0);
    t.equal(ok.length, list.length - 1, `${method}: every loopback address answers`);
    t.ok(ok.every((r) => r.received === 2 && r.rtts.every((x) => x >= 0 && x < 100)));
    t.match(res.results.at(-1), { result_code: 1, error_class: 'unknown_host' }, `${method}: unresolvable name`);
  }
});

t.test('unanswered targets inside a network namespace this test creates', { skip: !canNetns() && 'needs root for ip netns (CI runs as root)' }, async (t) => {
  const ns = createNetns('ping');
  t.teardown(ns.remove);
  const silent = [ns.silent(1), ns.silent(2), ns.silent(3)];
  for (const method of ['fping', 'ping'] as const) {
    const res = await sweep(cfg({ targets: [ns.peer, ...silent, '127.0.0.1'], method, count: 2, reply_timeout_ms: 300 }), realDeps());
    t.match(res.results[0], { result_code: 0, received: 2 }, `${method}: the namespace's own address answers across the veth`);
    for (const r of res.results.slice(1, 4))
      t.match(r, { result_code: 2, received: 0, transmitted: 2, error_class: 'no_reply' }, `${method}: ${r.target} silent`);
    t.match(res.results[4], { result_code: 0 });
  }
  // The check command's exit code: all lost → CRITICAL, half lost → WARNING, all fine → OK.
  const p = createPingProbe(cfg({ targets: [ns.peer, silent[0]!], count: 2, reply_timeout_ms: 300 }), realDeps(), 'h');
  const samples = await p.collect(new AbortController().signal);
  t.equal(pingProbe.status!(samples, cfg({ targets: ['x'] })).code, 2);
  t.equal(pingProbe.status!(samples.slice(0, 1), cfg({ targets: ['x'] })).code, 0);
  t.equal(pingProbe.status!([{ ...samples[0]!, fields: { ...samples[0]!.fields, percent_packet_loss: 50 } }], cfg({ targets: ['x'] })).code, 1);
});

t.test('config: strict, and the CLI maps --target onto targets', async (t) => {
  t.throws(() => cfg({ targets: ['a'], bogus: 1 }));
  t.throws(() => cfg({ targets: [] }));
  t.throws(() => cfg({ targets: ['-f'] }), 'an option smuggled as a target is refused');
  t.same(pingProbe.cli!.toConfig({ target: ['a', 'b'], count: '5', method: 'ping' }), { targets: ['a', 'b'], count: 5, method: 'ping' });
});
