import net from 'node:net';
import path from 'node:path';
import t from 'tap';
import { antivirusProbe, createAntivirusProbe } from '../../../agent/probes/antivirus/probe.ts';
import { antivirusSchema } from '../../../agent/probes/antivirus/schema.ts';
import { clamdPing, clamdSocket, parseCvdHeader } from '../../../agent/probes/antivirus/clamav.ts';
import { AV_SCRIPT, decodeProductState } from '../../../agent/probes/antivirus/windows.ts';
import { systemPlatform } from '../../../agent/probes/platform/platform.ts';
import { hasCommand, removeDir, tempDir } from '../../peers/util.ts';
import { recordedPlatform } from './helpers.ts';

const cfg = (o: Record<string, unknown> = {}) => antivirusSchema.parse({ kind: 'antivirus', ...o });
const NOW = Date.UTC(2026, 10, 25, 12, 0, 0);
const S = NOW / 1000;
const run = (platform: ReturnType<typeof recordedPlatform>, c = cfg(), extra = {}) =>
  createAntivirusProbe(c, { platform, host: 'pc-0301', ...extra }).collect(new AbortController().signal);

t.test('Security Center productState decoding (community-documented values)', async (t) => {
  t.same(decodeProductState(397568), { enabled: true, up_to_date: true }, '0x061100 Defender on, current');
  t.same(decodeProductState(393472), { enabled: false, up_to_date: true }, '0x060100 off');
  t.same(decodeProductState(397584), { enabled: true, up_to_date: false }, '0x061110 on, out of date');
  t.same(decodeProductState(266240), { enabled: true, up_to_date: true }, '0x041000 third-party on');
});

// The JSON shape the probe's own script prints; not recorded on a real Windows machine (README).
const wscHuorong = (defenderSigAge: number) =>
  JSON.stringify({
    products: [
      { name: 'Windows Defender', state: 393472, exe: 'windowsdefender://' },
      { name: '火绒安全软件', state: 266240, exe: 'C:\\Program Files\\Huorong\\Sysdiag\\bin\\wsctrlsvc.exe' },
    ],
    defender: { service_enabled: true, antivirus_enabled: false, realtime: false, signature_age_days: defenderSigAge, running_mode: 'Passive Mode' },
    errors: {},
  });

t.test('Windows: a domestic product registered in Security Center protects the machine', async (t) => {
  const platform = recordedPlatform({ os: 'windows', powershell: () => wscHuorong(40), now: NOW });
  const s = await run(platform);
  t.match(platform.calls[0], /^powershell /);
  t.match(AV_SCRIPT, /root\/SecurityCenter2/);
  t.match(AV_SCRIPT, /Get-MpComputerStatus/);
  t.match(s[0], {
    measurement: 'antivirus',
    tags: { product: 'Windows Defender', host: 'pc-0301' },
    fields: { enabled: false, up_to_date: false, signature_age_days: 40 },
  });
  t.match(s[1], { tags: { product: '火绒安全软件' }, fields: { enabled: true, up_to_date: true, realtime: true } });
  t.match(s[2], { measurement: 'antivirus_status', fields: { protected: true, products: 2n } });
  const st = antivirusProbe.status!(s, cfg());
  t.equal(st.code, 0);
  t.match(st.summary, /火绒安全软件 \(on, current\)/);
});

t.test('Windows: Defender on with stale signatures, nothing else → not protected (CRITICAL)', async (t) => {
  const rep = {
    products: { name: 'Microsoft Defender Antivirus', state: 397568, exe: 'windowsdefender://' },
    defender: { service_enabled: true, antivirus_enabled: true, realtime: true, signature_age_days: 9, quick_scan_s: S - 2 * 86400 },
    errors: {},
  };
  const s = await run(recordedPlatform({ os: 'windows', powershell: () => JSON.stringify(rep), now: NOW }));
  t.match(s[0]!.fields, { enabled: true, up_to_date: false, realtime: true, signature_age_days: 9, last_scan_age_days: 2 });
  t.match(s[1]!.fields, { protected: false, products: 1n });
  t.equal(antivirusProbe.status!(s, cfg()).code, 2);
  const ok = await run(
    recordedPlatform({ os: 'windows', powershell: () => JSON.stringify({ ...rep, defender: { ...rep.defender, signature_age_days: 0 } }), now: NOW }),
  );
  t.equal(antivirusProbe.status!(ok, cfg()).code, 0);
  t.equal(
    antivirusProbe.status!(
      await run(
        recordedPlatform({
          os: 'windows',
          powershell: () => JSON.stringify({ ...rep, defender: { ...rep.defender, signature_age_days: 0, realtime: false } }),
          now: NOW,
        }),
      ),
      cfg(),
    ).code,
    1,
    'real-time off: WARNING',
  );
});

t.test('Windows Server: no Security Center, Defender reports for itself; PowerShell failure is UNKNOWN', async (t) => {
  const rep = {
    defender: { service_enabled: true, antivirus_enabled: true, realtime: true, signature_updated_s: S - 86400, running_mode: 'Normal' },
    errors: { wsc: '-2147217394' },
  };
  const s = await run(recordedPlatform({ os: 'windows', powershell: () => `WARNING: x\r\n${JSON.stringify(rep)}\r\n`, now: NOW }));
  t.match(s[0], { tags: { product: 'Microsoft Defender Antivirus' }, fields: { enabled: true, up_to_date: true, signature_age_days: 1, source: 'defender' } });
  t.match(s[1]!.fields, { protected: true });
  const none = await run(recordedPlatform({ os: 'windows', powershell: () => '' }));
  t.match(none[0]!.fields, { protected: false, products: 0n, error_class: 'powershell_failed' });
  t.equal(antivirusProbe.status!(none, cfg()).code, 3);
});

t.test('ClamAV on Linux: database header, clamd PING on its socket, clamonacc', async (t) => {
  const header = (s: string) => Buffer.from(s.padEnd(512, ' '), 'latin1');
  // Header layout as written by ClamAV's sigtool (cvd.c): build time, version, signatures, level, md5, dsig, builder, stime.
  const daily = header(
    `ClamAV-VDB:24 Nov 2026 08:25 +0000:27100:2071234:90:0123456789abcdef0123456789abcdef:sig:raynman:${Date.UTC(2026, 10, 24, 8, 25) / 1000}`,
  );
  t.match(parseCvdHeader(daily), { version: 27100, built_ms: Date.UTC(2026, 10, 24, 8, 25) });
  t.match(parseCvdHeader(header('ClamAV-VDB:24 Nov 2026 08:25 +0000:27100:2071234:90:x:y:z')), { built_ms: Date.UTC(2026, 10, 24, 8, 25) }, 'without stime');
  t.equal(parseCvdHeader(Buffer.from('not a cvd')), undefined);
  t.equal(clamdSocket('LocalSocket /run/clamd.sock\n'), '/run/clamd.sock');
  t.equal(clamdSocket(undefined), '/var/run/clamav/clamd.ctl');
  // A unix socket answering PING as clamd's protocol documents (clamd(8)); no real clamd here.
  const dir = tempDir('clamd');
  t.teardown(() => removeDir(dir));
  const sock = path.join(dir, 'clamd.ctl');
  const srv = net.createServer((c) => c.once('data', (d) => c.end(d.toString() === 'zPING\0' ? 'PONG\0' : 'UNKNOWN COMMAND\0')));
  await new Promise<void>((r) => srv.listen(sock, r));
  t.teardown(() => srv.close());
  t.equal(await clamdPing(sock), true);
  t.equal(await clamdPing(path.join(dir, 'absent.ctl')), false, 'no daemon: false, not an exception');
  const platform = recordedPlatform({
    os: 'linux',
    files: { '/var/lib/clamav/daily.cld': daily, '/etc/clamav/clamd.conf': `LocalSocket ${sock}\n` },
    exec: { pgrep: { code: 1 } },
    now: NOW,
  });
  const s = await run(platform);
  t.match(s[0], { tags: { product: 'ClamAV' }, fields: { enabled: true, up_to_date: true, realtime: false } });
  t.ok(Math.abs((s[0]!.fields.signature_age_days as number) - (NOW - Date.UTC(2026, 10, 24, 8, 25)) / 86_400_000) < 1e-9);
  t.equal(antivirusProbe.status!(s, cfg()).code, 1, 'protected but no on-access scanning: WARNING');
  const stale = await run(platform, cfg({ max_signature_age_days: 0.5 }));
  t.equal(antivirusProbe.status!(stale, cfg()).code, 2);
});

t.test('this Linux machine, for real: no antivirus is a finding, not an error', { skip: process.platform !== 'linux' && 'Linux only' }, async (t) => {
  const s = await createAntivirusProbe(cfg(), { platform: systemPlatform(), host: 'vm' }).collect(new AbortController().signal);
  const st = s.find((x) => x.measurement === 'antivirus_status')!;
  t.equal(st.fields.error_class, '');
  if (hasCommand('clamd') || hasCommand('freshclam')) t.pass('ClamAV installed here: status reflects it');
  else {
    t.match(st.fields, { protected: false, products: 0n });
    t.same(antivirusProbe.status!(s, cfg()), { code: 2, summary: 'no antivirus product found' });
  }
  t.same(antivirusProbe.cli!.toConfig({ max_signature_age_days: '7' }), { max_signature_age_days: 7 });
});
