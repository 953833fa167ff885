import pino from 'pino';
import t from 'tap';
import type { DeviceView } from '../../../collector/devices/module.ts';
import type { Source } from '../../../collector/ingest/ingest.ts';
import { startCollector } from '../../../collector/main.ts';
import { hashToken, newToken } from '../../../collector/store/agents.ts';
import { collectorConfigSchema } from '../../../config/schema/collector.ts';
import { int, type Sample } from '../../../protocol/sample.ts';
import { removeDir, tempDir } from '../../peers/util.ts';

const MIN = 60_000;
const T0 = Date.parse('2026-11-10T08:00:00+08:00');

function config(dir: string, apiToken: string) {
  return collectorConfigSchema.parse({
    collector: { listen_host: '127.0.0.1', listen_port: 0, data_dir: dir, log_level: 'silent' },
    alerts: { api_tokens: [{ name: 'ops', token_sha256: hashToken(apiToken) }] },
    uptime: { silence_s: 300 },
    devices: { eval_interval_ms: 60_000 },
    inventory: {
      devices: [
        { name: 'pc-0301', kind: 'pc', address: ['10.3.1.21', 'pc-0301.lan'], building: 'A', floor: '3', room: '301' },
        { name: 'cam-a-1f', kind: 'camera', building: 'A', floor: '1', room: 'lobby' },
        { name: 'sw-a-3f', kind: 'switch', building: 'A', floor: '3', shaft: 'A-1', room: 'shaft-3' },
        { name: 'prn-a-3f', kind: 'printer', building: 'A', floor: '3' },
        { name: 'prn-a-2f', kind: 'printer', address: '10.2.0.50', building: 'A', floor: '2' },
      ],
    },
    maintenance: { windows: [{ name: 'printer swap', targets: ['prn-a-3f'], start: new Date(T0 - 60 * MIN).toISOString(), end: new Date(T0 + 600 * MIN).toISOString() }] },
  });
}

const agent: Source = { kind: 'agent', name: 'poller-a', tags: { building: 'A', floor: '1' } };
const ping = (url: string, ok: boolean, time: number, loss = ok ? 0 : 100): Sample => ({
  measurement: 'ping', tags: { url, host: 'poller-a' }, fields: { result_code: int(ok ? 0 : 2), percent_packet_loss: loss }, time,
});
const cam = (f: Sample['fields'], time: number): Sample => ({ measurement: 'camera', tags: { camera: 'cam-a-1f' }, fields: f, time });

t.test('state from samples: up, down, degraded, unknown, maintenance; agreeing with the uptime ledger; kept over a restart', async (t) => {
  const dir = tempDir('devices');
  const apiToken = newToken();
  let now = T0;
  const start = () => startCollector(config(dir, apiToken), pino({ level: 'silent' }), { modules: ['uptime', 'maintenance', 'devices'], now: () => now });
  let c = await start();
  t.teardown(async () => {
    await c.stop();
    removeDir(dir);
  });
  const svc = () => c.modules.devices!;
  const byName = () => new Map(svc().list().map((d) => [d.name, d]));

  let d = byName();
  t.match(d.get('sw-a-3f'), { status: 'unknown', kind: 'switch', reasons: [{ check: 'never_seen' }] }, 'an inventory device nothing polls is unknown, never up');
  t.match(d.get('prn-a-3f'), { status: 'maintenance' });

  // pc-0301 by its address; 10.9.9.9 is not in the inventory.
  const ing = (s: Sample[]) => c.ctx.ingest.accept(agent, s);
  const seq: [boolean, number][] = [[true, 0], [true, 1], [false, 2], [false, 3], [true, 4], [true, 5], [true, 20], [false, 21], [true, 22]];
  for (const [ok, m] of seq) {
    now = T0 + m * MIN;
    ing([ping('10.3.1.21', ok, now), ping('10.9.9.9', false, now)]);
  }
  d = byName();
  t.match(d.get('pc-0301'), { status: 'up', address: '10.3.1.21', floor: '3', room: '301', agent: 'poller-a', since: new Date(T0 + 22 * MIN).toISOString() }, 'a ping of 10.3.1.21 is pc-0301');
  t.match(d.get('10.9.9.9'), { kind: 'unregistered', status: 'down', address: '10.9.9.9', building: null, reasons: [{ check: 'reachability', value: 'no_reply' }] });

  // The model's transitions and the ledger's intervals are the same story.
  const ledger = c.modules.uptime!.ledger;
  type Iv = { state: string; start_ms: number; end_ms: number | null; last_seen_ms: number };
  const ivs = c.ctx.db.prepare("SELECT state, start_ms, end_ms, last_seen_ms FROM uptime_intervals WHERE target = 'pc-0301' ORDER BY start_ms").all() as unknown as Iv[];
  const fromLedger: [string, number][] = [];
  ivs.forEach((iv, i) => {
    const prev = ivs[i - 1];
    // A gap between intervals is time the ledger counts as unknown.
    if (prev && prev.end_ms !== null && prev.end_ms < iv.start_ms) fromLedger.push(['unknown', prev.end_ms]);
    if (fromLedger[fromLedger.length - 1]?.[0] !== iv.state) fromLedger.push([iv.state, iv.start_ms]);
  });
  const fromModel = svc().model.history('pc-0301').filter((h) => h.reasons[0]?.check !== 'never_seen').map((h): [string, number] => [h.status === 'degraded' ? 'up' : h.status, h.at]);
  t.same(fromModel, fromLedger, 'every transition agrees with the uptime ledger');
  t.same(fromModel.map(([s, at]) => [s, (at - T0) / MIN]), [['up', 0], ['down', 2], ['up', 4], ['unknown', 5], ['up', 20], ['down', 21], ['up', 22]], 'including the silence 5→20 min');
  t.ok(ledger.targets().some((x) => x.target === 'pc-0301'), 'the ledger keys by inventory name');
  t.notOk(ledger.targets().some((x) => x.target === '10.3.1.21'));

  // Degraded: reachable, but a health check fails.
  now = T0 + 23 * MIN;
  ing([cam({ up: int(1), reachable: true, auth: 'ok', stream_ok: true, snapshot_ok: true, snapshot_problem: 'black', clock_drift_s: 3 }, now)]);
  t.match(byName().get('cam-a-1f'), { status: 'degraded', reasons: [{ check: 'snapshot', value: 'black', threshold: 'none' }] });
  now = T0 + 24 * MIN;
  ing([cam({ up: int(0), reachable: true, auth: 'ok', stream_ok: false, snapshot_ok: true, snapshot_problem: 'none', clock_drift_s: 300, error_class: 'stream_timeout' }, now)]);
  const camState = byName().get('cam-a-1f')!;
  t.equal(camState.status, 'degraded', 'a failed stream on a camera that answers is degraded, not down');
  t.same(camState.reasons.map((r) => [r.check, r.value, r.threshold]), [['stream', 'stream_timeout', null], ['clock_drift', 300, 10]]);
  t.equal(c.modules.uptime!.last24h('cam-a-1f').down_ms, 0, 'and the ledger agrees: no outage');
  now = T0 + 25 * MIN;
  ing([cam({ up: int(0), reachable: false, error_class: 'unreachable' }, now)]);
  t.match(byName().get('cam-a-1f'), { status: 'down', reasons: [{ check: 'reachability', value: 'unreachable' }] });
  ing([ping('10.3.1.21', true, now, 40)]);
  t.match(byName().get('pc-0301'), { status: 'degraded', reasons: [{ check: 'ping_loss', value: 40, threshold: 20 }] });

  // The API: token or console session; filters.
  const get = async (q: string, auth = true) => fetch(`${c.url}/api/devices${q}`, { headers: auth ? { authorization: `Bearer ${apiToken}` } : {} });
  t.equal((await get('', false)).status, 401);
  const all = (await (await get('')).json()) as DeviceView[];
  t.same(Object.keys(all[0]!), ['name', 'kind', 'address', 'site', 'building', 'floor', 'shaft', 'room', 'status', 'since', 'last_seen', 'reasons', 'agent', 'uptime_24h_pct', 'uptime_month_pct', 'alerts_open']);
  t.same(all.map((x) => x.status), [...all.map((x) => x.status)].sort((a, b) => ['down', 'degraded', 'unknown', 'maintenance', 'up'].indexOf(a) - ['down', 'degraded', 'unknown', 'maintenance', 'up'].indexOf(b)), 'problems first');
  t.same(((await (await get('?status=down')).json()) as DeviceView[]).map((x) => x.name), ['10.9.9.9', 'cam-a-1f']);
  t.same(((await (await get('?kind=camera&building=A&floor=1')).json()) as DeviceView[]).map((x) => x.name), ['cam-a-1f']);
  t.same(((await (await get('?shaft=A-1')).json()) as DeviceView[]).map((x) => x.name), ['sw-a-3f']);
  t.same(((await (await get('?q=pc-0301.LAN')).json()) as DeviceView[]).map((x) => x.name), ['pc-0301'], 'search by address, any case');
  t.same(((await (await get('?kind=unregistered')).json()) as DeviceView[]).map((x) => x.name), ['10.9.9.9']);
  const pc = (await (await get('/10.3.1.21')).json()) as { name: string; uptime_24h_pct: number; latest: Record<string, unknown[]>; history: unknown[]; coverage: { last_24h: { up_ms: number; down_ms: number; unknown_ms: number } } };
  t.equal(pc.name, 'pc-0301', 'a device page by address');
  t.equal(pc.latest.ping!.length, 1);
  const c24 = pc.coverage.last_24h;
  t.ok(c24.unknown_ms > c24.up_ms + c24.down_ms, 'most of the last 24 h is before monitoring began');
  t.equal(pc.uptime_24h_pct, Math.round((c24.up_ms / (c24.up_ms + c24.down_ms)) * 100000) / 1000, `uptime over 24 h is over the monitored time only, unknown never counted as down (${pc.uptime_24h_pct})`);
  t.equal((await get('/nope')).status, 404);
  const cov = ((await (await get('/pc-0301')).json()) as { coverage: { last_24h: { up_ms: number; down_ms: number; monitored_uptime_pct: number } } }).coverage.last_24h;
  t.same([cov.up_ms / MIN, cov.down_ms / MIN], [7, 3], 'up 0–2, 4–5, 20–21, 22–25; down 2–4, 21–22; the silence is unknown');
  t.equal(cov.monitored_uptime_pct, 70);

  // A printer whose toner ran out: reachable, degraded; the ledger counts it up.
  ing([{ measurement: 'printer', tags: { device: '10.2.0.50' }, fields: { up: int(1), result_code: int(0), supplies_empty: '黑色碳粉 Black Toner', waste_full: '' }, time: now }]);
  t.match(byName().get('prn-a-2f'), { status: 'degraded', reasons: [{ check: 'supply', value: '黑色碳粉 Black Toner', threshold: 'not empty' }] });
  ing([{ measurement: 'printer', tags: { device: '10.2.0.50' }, fields: { up: int(1), result_code: int(0), supplies_empty: '', waste_full: '' }, time: now + 1 }]);
  t.match(byName().get('prn-a-2f'), { status: 'up', reasons: [] }, 'a new cartridge clears it');
  ing([{ measurement: 'printer', tags: { device: 'prn-a-2f' }, fields: { up: int(0), result_code: int(1), error_class: 'timeout' }, time: now + 2 }]);
  t.match(byName().get('prn-a-2f'), { status: 'down', reasons: [{ check: 'reachability', value: 'timeout' }] });

  // Silence on the timer: unknown since the last sample.
  now = T0 + 40 * MIN;
  svc().model.tick();
  t.match(byName().get('pc-0301'), { status: 'unknown', since: new Date(T0 + 25 * MIN).toISOString(), reasons: [{ check: 'silence', threshold: 300 }] });

  // Restart: since is kept.
  const before = byName().get('cam-a-1f')!;
  await c.stop();
  c = await start();
  const after = byName().get('cam-a-1f')!;
  t.equal(after.status, 'unknown');
  t.equal(after.since, before.since, 'a restart does not reset since');
  t.equal(after.last_seen, before.last_seen);
});
