import { gzipSync } from 'node:zlib';
import t from 'tap';
import WebSocket from 'ws';
import { startCollector } from '../../collector/main.ts';
import { hashToken, newToken } from '../../collector/store/agents.ts';
import { parseConfig } from '../../config/load.ts';
import { collectorConfigSchema } from '../../config/schema/collector.ts';
import { silentLogger } from '../../lib/log.ts';
import { AGENT_WS_PATH, CloseCode, PROTOCOL_VERSION } from '../../protocol/frames.ts';
import { removeDir, tempDir } from '../peers/util.ts';

const token = newToken();
const writeToken = newToken();
const dir = tempDir('badinput');
const cfg = parseConfig(
  JSON.stringify({
    collector: { listen_port: 0, data_dir: dir },
    ingest: { max_frame_bytes: 64 * 1024 },
    agents: [{ name: 'a1', token_sha256: hashToken(token) }],
    http_write: { tokens: [{ name: 'telegraf', token_sha256: hashToken(writeToken) }] },
  }),
  'test',
  collectorConfigSchema,
);
const col = await startCollector(cfg, silentLogger, { modules: [] });
t.teardown(async () => {
  await col.stop();
  removeDir(dir);
});
const wsUrl = `ws://127.0.0.1:${col.port}${AGENT_WS_PATH}`;
const hello = JSON.stringify({ type: 'hello', protocol: PROTOCOL_VERSION, agent_version: 't', hostname: 'h', platform: 'p', probes: [] });

function connect(tok: string | undefined): Promise<{ ws?: WebSocket; status?: number }> {
  return new Promise((resolve) => {
    const ws = new WebSocket(wsUrl, tok ? { headers: { authorization: `Bearer ${tok}` } } : {});
    ws.on('unexpected-response', (_req, res) => resolve({ status: res.statusCode }));
    ws.on('open', () => resolve({ ws }));
    ws.on('error', () => {});
  });
}

function closed(ws: WebSocket): Promise<number> {
  return new Promise((resolve) => ws.on('close', (code) => resolve(code)));
}

async function metric(name: string): Promise<string> {
  const text = await (await fetch(`${col.url}/metrics`)).text();
  return text.split('\n').filter((l) => l.startsWith(name)).join('\n');
}

async function healthy(t: Pick<typeof import("tap").default, "equal">) {
  const r = await fetch(`${col.url}/healthz`);
  t.equal(r.status, 200, 'collector still up');
}

t.test('wrong or missing token: 401 at the upgrade, counted', async (t) => {
  t.equal((await connect('wpa_wrong')).status, 401);
  t.equal((await connect(undefined)).status, 401);
  t.match(await metric('watchpost_auth_failures_total'), /endpoint="agent_ws"} 2/);
  await healthy(t);
});

t.test('malformed frame: close 4400 and a counter', async (t) => {
  const { ws } = await connect(token);
  const c = closed(ws!);
  ws!.send(hello);
  ws!.send('{"type":"batch","seq":1,"samples":[{"m":"","ts":1}]}');
  t.equal(await c, CloseCode.badFrame);
  t.match(await metric('watchpost_bad_frames_total'), /reason="schema"} 1/);
  await healthy(t);
});

t.test('a batch before hello is refused', async (t) => {
  const { ws } = await connect(token);
  const c = closed(ws!);
  ws!.send('{"type":"batch","seq":1,"samples":[]}');
  t.equal(await c, CloseCode.badFrame);
});

t.test('an unsupported protocol version is refused with its own close code', async (t) => {
  const { ws } = await connect(token);
  const c = closed(ws!);
  ws!.send(hello.replace(`"protocol":${PROTOCOL_VERSION}`, '"protocol":99'));
  t.equal(await c, CloseCode.unsupportedProtocol);
});

t.test('oversized frame: close 1009, nothing buffered beyond the limit', async (t) => {
  const { ws } = await connect(token);
  const c = closed(ws!);
  ws!.send(hello);
  ws!.send('x'.repeat(200 * 1024));
  t.equal(await c, CloseCode.tooBig);
  await healthy(t);
});

t.test('a good batch after all that is acked and spooled', async (t) => {
  const { ws } = await connect(token);
  ws!.send(hello);
  const acked = new Promise<string>((resolve) => ws!.on('message', (d) => String(d).includes('"ack"') && resolve(String(d))));
  ws!.send(JSON.stringify({ type: 'batch', seq: 5, samples: [{ m: 'cpu', t: { host: 'x' }, f: { usage_idle: 1 }, ts: Date.now() }] }));
  t.same(JSON.parse(await acked), { type: 'ack', seq: 5 });
  t.equal(col.ctx.spool.stats().points, 1);
  ws!.close();
});

t.test('Telegraf line protocol on /write and /api/v2/write', async (t) => {
  const before = col.ctx.spool.stats().points;
  const body = `mem,host=srv1 used_percent=42.5,total=100i ${Date.now()}000000\n`;
  const basic = Buffer.from(`telegraf:${writeToken}`).toString('base64');
  let r = await fetch(`${col.url}/write?db=telegraf`, { method: 'POST', body, headers: { authorization: `Basic ${basic}` } });
  t.equal(r.status, 204, 'v1 write with the token as password');
  r = await fetch(`${col.url}/api/v2/write?org=o&bucket=b&precision=ms`, { method: 'POST', body: `cpu,host=srv1 usage_idle=3 ${Date.now()}\n`, headers: { authorization: `Token ${writeToken}` } });
  t.equal(r.status, 204, 'v2 write with Token auth');
  t.equal(col.ctx.spool.stats().points, before + 2);
  r = await fetch(`${col.url}/api/v2/write`, { method: 'POST', body, headers: { authorization: 'Token nope' } });
  t.equal(r.status, 401);
  r = await fetch(`${col.url}/write?precision=ms`, { method: 'POST', body: `ok v=1 ${Date.now()}\nbroken line\n`, headers: { authorization: `Token ${writeToken}` } });
  t.equal(r.status, 400, 'a bad line is a partial write');
  t.match(((await r.json()) as { error: string }).error, /partial write: unable to parse line 2.*dropped=1/);
  t.equal(col.ctx.spool.stats().points, before + 3, 'the good line of the partial write was kept');
  r = await fetch(`${col.url}/write?precision=ms`, { method: 'POST', body: 'x'.repeat(100 * 1024), headers: { authorization: `Token ${writeToken}` } });
  t.equal(r.status, 413, 'an oversized body is refused');
  // A gzip bomb: 64 MiB of zeros in 64 kB, far past max_frame_bytes once inflated.
  const bomb = gzipSync(Buffer.alloc(64 * 1024 * 1024), { level: 9 });
  t.ok(bomb.length < 64 * 1024, `the bomb itself (${bomb.length} bytes) is under the body limit`);
  r = await fetch(`${col.url}/write?precision=ms`, { method: 'POST', body: bomb, headers: { authorization: `Token ${writeToken}`, 'content-encoding': 'gzip' } });
  t.equal(r.status, 413, 'a body that inflates past the limit is refused with 413, not 500');
  t.match(await r.json(), { error: /decompressed/ });
  r = await fetch(`${col.url}/write?precision=ms`, { method: 'POST', body: 'not gzip at all', headers: { authorization: `Token ${writeToken}`, 'content-encoding': 'gzip' } });
  t.equal(r.status, 400, 'a body that is not gzip is a 400');
  r = await fetch(`${col.url}/write?precision=ms`, { method: 'POST', body: gzipSync(`gz v=1 ${Date.now()}\n`), headers: { authorization: `Token ${writeToken}`, 'content-encoding': 'gzip' } });
  t.equal(r.status, 204, 'a good gzip body is written');
  t.equal(col.ctx.spool.stats().points, before + 4);
  r = await fetch(`${col.url}/write?precision=fortnights`, { method: 'POST', body, headers: { authorization: `Token ${writeToken}` } });
  t.equal(r.status, 400);
  await healthy(t);
});

t.test('samples from the future are rejected and counted, the rest kept', async (t) => {
  const before = col.ctx.spool.stats().points;
  const now = Date.now();
  const r = await fetch(`${col.url}/write?precision=ms`, {
    method: 'POST',
    body: `a v=1 ${now}\nb v=1 ${now + 86_400_000}\n`,
    headers: { authorization: `Token ${writeToken}` },
  });
  t.equal(r.status, 204);
  t.equal(col.ctx.spool.stats().points, before + 1);
  t.match(await metric('watchpost_ingest_points_rejected_total'), /reason="future_timestamp"} 1/);
});

t.test('unknown paths and methods get a JSON 404', async (t) => {
  const r = await fetch(`${col.url}/nope`);
  t.equal(r.status, 404);
  t.match(await r.json(), { error: /no route/ });
});
