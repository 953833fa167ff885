import { hashToken, newToken } from '../../../collector/store/agents.ts';
import pino from 'pino';
import t from 'tap';
import { createSshProbe } from '../../../agent/probes/ssh/probe.ts';
import { sshSchema } from '../../../agent/probes/ssh/schema.ts';
import { startCollector } from '../../../collector/main.ts';
import { collectorConfigSchema } from '../../../config/schema/collector.ts';
import { silentLogger } from '../../../lib/log.ts';
import type { Event } from '../../../protocol/sample.ts';
import { startSshd } from '../../peers/sshd.ts';
import { removeDir, tempDir } from '../../peers/util.ts';

// The real ssh probe backs up a config from a real sshd; its events go through the collector's
// ingest into the configs module, which keeps the versions and serves the diff.
t.test('config versions: stored once per change, audit-logged, diff over HTTP', async (t) => {
  const sshd = await startSshd();
  const dir = tempDir('configs');
  const apiToken = newToken();
  const c = await startCollector(
    collectorConfigSchema.parse({
      collector: { listen_host: '127.0.0.1', listen_port: 0, data_dir: dir, log_level: 'warn' },
      alerts: { api_tokens: [{ name: 'noc', token_sha256: hashToken(apiToken) }] },
    }),
    pino({ level: 'silent' }),
    { modules: ['configs'] },
  );
  const auth = { headers: { authorization: `Bearer ${apiToken}` } };
  t.teardown(async () => {
    await c.stop();
    await sshd.stop();
    removeDir(dir);
  });
  const events: Event[] = [];
  const probe = createSshProbe(
    sshSchema.parse({
      kind: 'ssh',
      targets: [{ host: sshd.host, port: sshd.port, username: sshd.user, private_key_path: sshd.keyPath, name: 'sw-2f', vendor: 'cisco', config_backup: true }],
    }),
    { log: silentLogger, now: Date.now, emitEvent: (e) => events.push(e), stateDir: dir },
  );
  const source = { kind: 'agent' as const, name: 'agent-2f', tags: {} };
  const cfg = (vlan: number, stamp: string) =>
    `Building configuration...\n\nCurrent configuration : 1234 bytes\n!\n! Last configuration change at ${stamp}\n!\nhostname SW-2F\n!\n` +
    Array.from({ length: 400 }, (_, i) => `interface GigabitEthernet1/0/${i + 1}\n switchport access vlan ${i === 17 ? vlan : 10}\n!`).join('\n') +
    '\nend\n';
  const poll = async () => {
    const n = events.length;
    await probe.collect(AbortSignal.timeout(20_000));
    c.ctx.ingest.accept(source, [], events.slice(n));
  };

  sshd.setRunningConfig(cfg(10, '09:00:00 CST Mon Nov 23 2026'));
  await poll();
  sshd.setRunningConfig(cfg(10, '10:00:00 CST Tue Nov 24 2026'));
  await poll();
  sshd.setRunningConfig(cfg(30, '11:00:00 CST Wed Nov 25 2026'));
  await poll();
  t.equal(events.length, 2, 'one backup, one change (the timestamp-only run is not a change)');
  t.ok((events[0]!.attrs.parts as number) > 1, `a ${events[0]!.attrs.lines}-line config travels in ${events[0]!.attrs.parts} parts`);

  t.equal((await fetch(`${c.url}/api/configs`)).status, 401, 'device configs need an API token');
  const list = (await (await fetch(`${c.url}/api/configs`, auth)).json()) as { devices: { device: string; versions: number; agent: string }[] };
  t.match(list.devices, [{ device: 'sw-2f', versions: 2, agent: 'agent-2f' }]);
  const versions = (await (await fetch(`${c.url}/api/configs/versions?device=sw-2f`, auth)).json()) as { versions: { id: number; lines: number }[] };
  t.equal(versions.versions.length, 2);
  const diff = (await (await fetch(`${c.url}/api/configs/diff?device=sw-2f`, auth)).json()) as {
    from: { id: number };
    to: { id: number };
    diff: { added: number; removed: number; text: string };
  };
  t.equal(diff.from.id, versions.versions[0]!.id);
  t.match(diff.diff, { added: 1, removed: 1 });
  t.match(diff.diff.text, /^-\s+switchport access vlan 10\n\+\s+switchport access vlan 30$/m);
  t.match(diff.diff.text, /^ interface GigabitEthernet1\/0\/18$/m);
  const text = await (await fetch(`${c.url}/api/configs/text?id=${diff.to.id}`, auth)).text();
  t.match(text, /^hostname SW-2F$/m);
  t.notMatch(text, /Last configuration change/);
  const first = (await (await fetch(`${c.url}/api/configs/diff?device=sw-2f&to=${diff.from.id}`, auth)).json()) as { from: null; diff: { added: number } };
  t.equal(first.from, null);
  t.ok(first.diff.added > 1000, 'the first version diffs against nothing');
  t.equal((await fetch(`${c.url}/api/configs/diff?device=sw-9f`, auth)).status, 404);
  t.equal((await fetch(`${c.url}/api/configs/text?id=abc`, auth)).status, 400);

  // Re-sending the same event (agent replay after reconnect) stores nothing new.
  c.ctx.ingest.accept(source, [], [events[1]!]);
  t.equal(((await (await fetch(`${c.url}/api/configs/versions?device=sw-2f`, auth)).json()) as { versions: unknown[] }).versions.length, 2);
  // A tampered text (sha mismatch) is refused.
  c.ctx.ingest.accept(source, [], [{ ...events[1]!, attrs: { ...events[1]!.attrs, config_0: 'hostname EVIL\n' } }]);
  t.equal(((await (await fetch(`${c.url}/api/configs/versions?device=sw-2f`, auth)).json()) as { versions: unknown[] }).versions.length, 2);

  const audit = c.ctx.db.prepare("SELECT actor, action, target FROM audit_log WHERE action = 'config.version_stored' ORDER BY seq").all();
  t.same(
    audit.map((r) => ({ ...r })),
    [
      { actor: 'agent-2f', action: 'config.version_stored', target: 'sw-2f' },
      { actor: 'agent-2f', action: 'config.version_stored', target: 'sw-2f' },
    ],
  );
});
