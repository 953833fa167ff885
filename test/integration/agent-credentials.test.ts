import { spawnSync } from 'node:child_process';
import path from 'node:path';
import t, { type Test } from 'tap';
import type { Sample } from '../../protocol/sample.ts';
import { startCollector } from '../../collector/main.ts';
import { parseConfig } from '../../config/load.ts';
import { collectorConfigSchema } from '../../config/schema/collector.ts';
import { silentLogger } from '../../lib/log.ts';
import { CloseCode } from '../../protocol/frames.ts';
import { agentSocket } from '../peers/agent-socket.ts';
import { removeDir, tempDir } from '../peers/util.ts';

// Issue 22, findings 3, 4 and 9c: an agent is who its token says, and a rotated or revoked
// token stops at once — also on a connection that is already open, and also when the
// enroll command runs as its own process against the same state.db.

const ROOT = path.resolve(import.meta.dirname, '../..');
const CLI = path.join(ROOT, 'cli/watchpost.ts');

function cli(args: string[]) {
  const r = spawnSync(process.execPath, [CLI, ...args], { cwd: ROOT, encoding: 'utf8', timeout: 60_000 });
  return { code: r.status, out: r.stdout.trim(), err: r.stderr };
}

async function collector(t: Test) {
  const dir = tempDir('agent-cred');
  const cfg = parseConfig(JSON.stringify({ collector: { listen_port: 0, data_dir: dir } }), 'test', collectorConfigSchema);
  const lines: Record<string, unknown>[] = [];
  const log = silentLogger.child({});
  const col = await startCollector(cfg, Object.assign(Object.create(log), captureLogger(lines)), { modules: [] });
  const seen: { sample: Sample; source: string }[] = [];
  col.ctx.ingest.addListener({ onSamples: (ss, src) => ss.forEach((s) => seen.push({ sample: s, source: src.name })) });
  t.teardown(async () => {
    await col.stop();
    removeDir(dir);
  });
  return { col, dir, seen, lines };
}

/** A pino-shaped logger that keeps warn lines (the test reads them) and drops the rest. */
function captureLogger(lines: Record<string, unknown>[]) {
  const make = (bindings: Record<string, unknown>): Record<string, unknown> => {
    const keep = (level: string) => (obj: unknown, msg?: string) => lines.push({ level, ...bindings, ...(typeof obj === 'object' ? obj : { msg: obj }), ...(msg ? { msg } : {}) });
    return { warn: keep('warn'), error: keep('error'), info: () => {}, debug: () => {}, trace: () => {}, fatal: keep('fatal'), child: (b: Record<string, unknown>) => make({ ...bindings, ...b }), level: 'info' };
  };
  return make({});
}

const sample = (tags: Record<string, string>, ts = Date.now()) => ({ m: 'watchpost_probe', t: tags, i: { ok: 1 }, ts });

t.test('an agent cannot write as another: the collector sets agent and enrolment tags itself', async (t) => {
  const { col, seen } = await collector(t);
  const a = col.ctx.agents.enroll('pc-0301', 'test', { floor: '3' });
  col.ctx.agents.enroll('pc-0302', 'test', { floor: '3' });
  const s = await agentSocket(col.url, a.token);
  t.equal(await s.batch(1, [sample({ agent: 'pc-0302', floor: '9', probe: 'host' })]), 'ack');
  await s.close();
  const got = seen.filter((x) => x.sample.measurement === 'watchpost_probe');
  t.equal(got.length, 1);
  t.equal(got[0]!.sample.tags.agent, 'pc-0301', 'tagged as the agent whose token sent it, not as pc-0302');
  t.equal(got[0]!.sample.tags.floor, '3', 'the enrolment tag replaces the one the sample claimed');
  t.notOk(seen.some((x) => x.sample.tags.agent === 'pc-0302'), 'nothing reached the listeners as pc-0302');
});

t.test('revoke by the CLI (another process) closes the live connection: no batch is acked after it returns', async (t) => {
  const { col, dir } = await collector(t);
  const a = col.ctx.agents.enroll('pc-0303', 'test');
  const s = await agentSocket(col.url, a.token);
  t.equal(await s.batch(1, [sample({})]), 'ack', 'acked before the revocation');
  const r = cli(['enroll', '--revoke', 'pc-0303', '--data-dir', dir]);
  t.equal(r.code, 0, r.err);
  // The very next batch, sent the moment the command returned, is refused.
  const after = await s.batch(2, [sample({})]);
  t.same(after, { code: CloseCode.revoked, reason: 'token revoked or rotated' }, 'the connection closes instead of acking');
  t.notOk(s.frames.some((f) => f.type === 'ack' && f.seq === 2), 'batch 2 was never acked');
  await t.rejects(agentSocket(col.url, a.token), /upgrade refused: 401/, 'the revoked token cannot reconnect');
});

t.test('an idle connection is closed within about a second of a rotation by the CLI', async (t) => {
  const { col, dir } = await collector(t);
  const a = col.ctx.agents.enroll('pc-0304', 'test');
  const s = await agentSocket(col.url, a.token);
  const r = cli(['enroll', '--rotate', 'pc-0304', '--data-dir', dir]);
  t.equal(r.code, 0, r.err);
  const t0 = Date.now();
  const c = await Promise.race([s.closed, new Promise<'open'>((res) => setTimeout(() => res('open'), 3000))]);
  t.same(c, { code: CloseCode.revoked, reason: 'token revoked or rotated' });
  t.ok(Date.now() - t0 < 2500, `closed ${Date.now() - t0} ms after the command returned`);
  const fresh = await agentSocket(col.url, r.out);
  t.equal(await fresh.batch(1, [sample({})]), 'ack', 'the new token works');
  await fresh.close();
});

t.test('rotate in this process closes the old token\'s connection at once', async (t) => {
  const { col } = await collector(t);
  const a = col.ctx.agents.enroll('pc-0305', 'test');
  const s = await agentSocket(col.url, a.token);
  col.ctx.agents.rotate('pc-0305', 'test');
  const c = await Promise.race([s.closed, new Promise<'open'>((res) => setTimeout(() => res('open'), 500))]);
  t.same(c, { code: CloseCode.revoked, reason: 'token revoked or rotated' }, 'closed within 500 ms, without waiting for the next batch');
});

t.test('two connections with one token: the older is replaced and a WARNING names both addresses', async (t) => {
  const { col, lines } = await collector(t);
  const a = col.ctx.agents.enroll('pc-0306', 'test');
  const first = await agentSocket(col.url, a.token);
  const second = await agentSocket(col.url, a.token);
  const c = await Promise.race([first.closed, new Promise<'open'>((res) => setTimeout(() => res('open'), 2000))]);
  t.equal(typeof c === 'object' ? c.code : c, CloseCode.replaced);
  const w = lines.find((l) => l.level === 'warn' && /second connection with this agent's token/.test(String(l.msg)));
  t.ok(w, 'logged at WARNING');
  t.equal(w?.addr, '127.0.0.1');
  t.equal(w?.previous_addr, '127.0.0.1');
  t.equal(w?.agent, 'pc-0306');
  await second.close();
});
