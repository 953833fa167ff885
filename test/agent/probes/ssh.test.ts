import t from 'tap';
import iconv from 'iconv-lite';
import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { createSshProbe } from '../../../agent/probes/ssh/probe.ts';
import { sshSchema } from '../../../agent/probes/ssh/schema.ts';
import { normalizeConfig } from '../../../agent/probes/ssh/config-text.ts';
import { joinParts } from '../../../protocol/config-parts.ts';
import { silentLogger } from '../../../lib/log.ts';
import type { Event, Sample } from '../../../protocol/sample.ts';
import { startSshd, type Sshd } from '../../peers/sshd.ts';
import { freePort, removeDir, tempDir } from '../../peers/util.ts';

// node-ssh against a real OpenSSH sshd on loopback with a throw-away user and keys.

let sshd: Sshd;
t.before(async () => {
  sshd = await startSshd();
});
t.teardown(() => sshd?.stop());

function probe(targets: Record<string, unknown>[], stateDir: string) {
  const events: Event[] = [];
  const cfg = sshSchema.parse({ kind: 'ssh', targets });
  const p = createSshProbe(cfg, { log: silentLogger, now: Date.now, emitEvent: (e) => events.push(e), stateDir });
  return { events, run: () => p.collect(AbortSignal.timeout(30_000)) };
}
const target = (over: Record<string, unknown> = {}) => ({
  host: sshd.host,
  port: sshd.port,
  username: sshd.user,
  private_key_path: sshd.keyPath,
  host_key_sha256: sshd.hostKeySha256,
  name: 'srv-1',
  ...over,
});
const check = (ss: Sample[], name: string) => ss.find((s) => s.tags.check === name)!.fields;

t.test('commands: exit codes, expectations, parsed values, per-command timeout', async (t) => {
  const dir = tempDir('ssh-state');
  t.teardown(() => removeDir(dir));
  const { run } = probe(
    [
      target({
        checks: [
          { name: 'kernel', command: 'uname -s', expect: '^Linux$' },
          { name: 'temp', command: 'echo "board temperature: 47.5 C"', value_regex: 'temperature: ([0-9.]+)' },
          { name: 'failing', command: 'echo no >&2; exit 3' },
          { name: 'hangs', command: 'sleep 10', timeout_ms: 500 },
          { name: 'after-timeout', command: 'printf "%s" "$(id -un)"', expect: `^${sshd.user}$` },
        ],
      }),
    ],
    dir,
  );
  const out = await run();
  t.match(check(out, 'kernel'), { ok: true, exit_code: 0n });
  t.match(check(out, 'temp'), { ok: true, value: 47.5 });
  t.match(check(out, 'failing'), { ok: false, exit_code: 3n });
  t.match(check(out, 'hangs'), { ok: false, error_class: 'timeout' });
  t.ok((check(out, 'hangs').duration_ms as number) < 5000, 'the hung command was abandoned at its timeout');
  t.match(check(out, 'after-timeout'), { ok: true }, 'the next command runs on a fresh connection');
  t.ok(out.every((s) => s.measurement === 'ssh_check' && s.tags.device === 'srv-1'));
});

t.test('unreachable, wrong key, wrong host key: data with an error class', async (t) => {
  const dir = tempDir('ssh-state');
  t.teardown(() => removeDir(dir));
  const otherKey = path.join(dir, 'other');
  execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', otherKey]);
  const { run } = probe(
    [
      target({ name: 'closed', port: await freePort(), checks: [{ name: 'x', command: 'true' }] }),
      target({ name: 'badkey', private_key_path: otherKey, checks: [{ name: 'x', command: 'true' }] }),
      target({ name: 'mitm', host_key_sha256: 'SHA256:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA', checks: [{ name: 'x', command: 'true' }] }),
    ],
    dir,
  );
  const out = await run();
  const by = Object.fromEntries(out.map((s) => [s.tags.device, s.fields]));
  t.match(by.closed, { ok: false, error_class: 'unreachable' });
  t.match(by.badkey, { ok: false, error_class: 'auth' });
  t.equal(by.mitm?.ok, false);
  t.not(by.mitm?.error_class, 'internal', `host key mismatch classified (${String(by.mitm?.error_class)})`);
});

const CONFIG = (desc: string, when: string) =>
  [
    '!Software Version V200R010C00SPC600',
    `!Last configuration was updated at ${when}+08:00`,
    '#',
    ' sysname SW-3F-Shaft',
    '#',
    'interface GigabitEthernet0/0/1',
    ` description ${desc}`,
    ' port link-type access',
    ' port default vlan 30',
    '#',
    'interface GigabitEthernet0/0/2',
    ' shutdown',
    '#',
    'return',
  ].join('\r\n') + '\r\n';

t.test('config backup: first version, volatile lines ignored, real change reported with a diff', async (t) => {
  const dir = tempDir('ssh-state');
  t.teardown(() => removeDir(dir));
  const { run, events } = probe([target({ name: 'sw-3f', vendor: 'huawei', config_backup: true })], dir);

  // Older VRP prints Chinese descriptions in GBK.
  sshd.setRunningConfig(iconv.encode(CONFIG('三楼弱电井-接入', '2026-11-20 09:00:00'), 'gbk'));
  const r1 = await run();
  t.match(check(r1, 'config_backup'), { ok: true, changed: true });
  t.equal(events.length, 1);
  t.match(events[0], { kind: 'config_backup', target: 'sw-3f', severity: 'info' });
  const v1 = joinParts(events[0]!.attrs);
  t.match(v1, / description 三楼弱电井-接入\n/);
  t.notMatch(v1, /Last configuration was updated/, 'volatile header dropped');
  t.notMatch(v1, /\r/);

  // Only the "last updated" timestamp moved: not a change.
  sshd.setRunningConfig(iconv.encode(CONFIG('三楼弱电井-接入', '2026-11-25 10:30:00'), 'gbk'));
  const r2 = await run();
  t.match(check(r2, 'config_backup'), { ok: true, changed: false });
  t.equal(events.length, 1);

  sshd.setRunningConfig(CONFIG('五楼办公室-AP', '2026-11-25 11:00:00'));
  const r3 = await run();
  t.match(check(r3, 'config_backup'), { changed: true });
  t.equal(events.length, 2);
  const ev = events[1]!;
  t.match(ev, { kind: 'config_changed', target: 'sw-3f', severity: 'warning', attrs: { added: 1, removed: 1 } });
  t.match(ev.attrs.diff, /^- description 三楼弱电井-接入$/m);
  t.match(ev.attrs.diff, /^\+ description 五楼办公室-AP$/m);
  t.match(ev.attrs.diff, /^@@ -2,7 \+2,7 @@$/m);
  t.match(ev.attrs.diff, /^- description .*\n\+ description /m, 'removal before addition');
  t.equal(ev.attrs.previous_sha256, events[0]!.attrs.sha256);
  t.match(joinParts(ev.attrs), /五楼办公室-AP/);
});

t.test('normalizeConfig drops Cisco header noise', async (t) => {
  const a = normalizeConfig(
    'Building configuration...\r\n\r\nCurrent configuration : 4121 bytes\r\n!\r\n! Last configuration change at 10:00:01 CST Tue Nov 24 2026 by admin\r\n! NVRAM config last updated at 09:00:00 CST Mon Nov 23 2026\r\n!\r\nhostname SW-2F\r\nntp clock-period 36028797018963968\r\nend\r\n',
  );
  t.equal(a, '!\n!\nhostname SW-2F\nend\n');
});
