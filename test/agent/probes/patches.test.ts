import { existsSync, mkdirSync, utimesSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import iconv from 'iconv-lite';
import t from 'tap';
import { decodeConsole } from '../../../agent/probes/platform/decode.ts';
import { systemPlatform } from '../../../agent/probes/platform/platform.ts';
import { aptPatches } from '../../../agent/probes/patches/linux.ts';
import {
  lastDpkgUpgrade,
  parseAptGetSimulate,
  parseAptList,
  parseDnfCheckUpdate,
  parseDnfUpdateinfo,
  parseQfeDate,
  parseSysteminfo,
  parseWmicQfe,
} from '../../../agent/probes/patches/parse.ts';
import { collectPatches, createPatchesProbe, PACKAGE_STATE, packageStateKey, patchesProbe, toSample } from '../../../agent/probes/patches/probe.ts';
import { patchesSchema } from '../../../agent/probes/patches/schema.ts';
import { removeDir, tempDir } from '../../peers/util.ts';
import { CMDOUT, fixture, recordedPlatform } from './helpers.ts';

const cfg = (o: Record<string, unknown> = {}) => patchesSchema.parse({ kind: 'patches', ...o });
const NOW = Date.UTC(2026, 10, 25, 12, 0, 0);

t.test('apt list --upgradable recorded on Debian 12', { skip: !CMDOUT && 'needs ../shared/fixtures (absent)' }, async (t) => {
  const pkgs = parseAptList(fixture('debian12_apt_list_upgradable.txt').toString('utf8'));
  t.equal(pkgs.length, 136, 'SOURCES.md: 136 upgradable');
  t.equal(pkgs.filter((p) => p.security).length, 81, 'SOURCES.md: 81 from oldstable-security');
  t.match(
    pkgs.find((p) => p.name === 'krb5-locales'),
    { security: true },
    'oldstable,oldstable-security counts as security',
  );
  t.match(
    pkgs.find((p) => p.name === 'bash'),
    { security: false },
  );
  // The whole apt path on a recorded Debian machine, with the dpkg log and a pending reboot.
  const platform = recordedPlatform({
    os: 'linux',
    exec: { apt: { stdout: fixture('debian12_apt_list_upgradable.txt') } },
    files: {
      '/etc/os-release': 'PRETTY_NAME="Debian GNU/Linux 12 (bookworm)"\nID=debian\n',
      '/usr/bin/apt-get': '',
      '/var/log/dpkg.log': '2026-11-01 08:00:00 install foo:amd64 <none> 1\n2026-10-20 09:30:00 upgrade bash:amd64 5.2.15-2+b7 5.2.15-2+b8\n',
      '/var/run/reboot-required': '*** System restart required ***\n',
    },
    now: NOW,
  });
  const s = await createPatchesProbe(cfg(), { platform, host: 'pc' }).collect(new AbortController().signal);
  t.match(s[0], {
    tags: { os_family: 'debian', host: 'pc' },
    fields: { pending: 136n, security_pending: 81n, reboot_required: true, method: 'apt', os_id: 'debian' },
  });
  t.equal(s[0]!.fields.last_install_s, BigInt(new Date(2026, 9, 20, 9, 30, 0).getTime() / 1000), 'an install of a new package is not a patch');
  const st = patchesProbe.status!(s, cfg());
  t.equal(st.code, 2, '81 security updates pending is CRITICAL');
  t.match(st.summary, /136 pending, 81 security.*reboot required/);
});

t.test(
  'the real apt path on this machine (no network: local package lists)',
  { skip: !existsSync('/usr/bin/apt-get') && 'not a Debian-family machine' },
  async (t) => {
    const st = await collectPatches(cfg(), systemPlatform());
    t.equal(st.os_family, 'debian');
    t.equal(st.error_class, '');
    t.equal(st.method, 'apt');
    t.type(st.reboot_required, 'boolean');
    // Cross-check against apt-get's own simulation (the fallback when apt is missing), through
    // the other parser: both must agree on this machine's pending and security counts.
    const real = systemPlatform();
    const noApt = { ...real, exec: (f: string, a: string[], o?: object) => (f === 'apt' ? real.exec('/nonexistent/apt', a, o) : real.exec(f, a, o)) };
    const fb = await aptPatches(noApt);
    t.equal(fb.method, 'apt-get');
    t.equal(fb.error_class, '');
    t.equal(fb.pending, st.pending, 'apt list and apt-get -s agree on pending');
    t.equal(fb.security_pending, st.security_pending, 'and on security');
  },
);

t.test('apt-get -s, dpkg log and dnf parsers', async (t) => {
  const sim = [
    'Inst base-files [12.4+deb12u11] (12.4+deb12u15 Debian:12.15/oldstable [amd64])',
    'Inst libgcrypt20 [1.10.1-3] (1.10.1-3+deb12u1 Debian:12.15/oldstable, Debian-Security:12/oldstable-security [amd64])',
    'Inst libssl3 [3.0.2-0ubuntu1.10] (3.0.2-0ubuntu1.12 Ubuntu:22.04/jammy-security [amd64])',
    'Conf base-files (12.4+deb12u15 Debian:12.15/oldstable [amd64])',
  ].join('\n');
  t.same(parseAptGetSimulate(sim), [
    { name: 'base-files', security: false },
    { name: 'libgcrypt20', security: true },
    { name: 'libssl3', security: true },
  ]);
  t.equal(lastDpkgUpgrade('junk\n'), undefined);
  // dnf output shapes as documented by dnf(8); no recording is available (see README).
  const cu =
    'Last metadata expiration check: 0:10:01 ago.\n\nkernel.x86_64    5.14.0-427.el9    baseos\nopenssl-libs.x86_64  1:3.0.7-27.el9  baseos\nObsoleting Packages\ngrub2-tools.x86_64  1:2.06-80.el9  baseos\n';
  t.same(parseDnfCheckUpdate(cu), ['kernel', 'openssl-libs']);
  const ui =
    'RLSA-2024:3339 Important/Sec. glibc-2.34-100.el9_4.2.x86_64\nRLSA-2024:3339 Important/Sec. glibc-common-2.34-100.el9_4.2.x86_64\nRLBA-2024:1 bugfix  foo-1-1.el9.x86_64\n';
  t.same(parseDnfUpdateinfo(ui), ['glibc', 'glibc-common']);
  const platform = recordedPlatform({
    os: 'linux',
    files: { '/etc/os-release': 'ID="rocky"\nID_LIKE="rhel centos fedora"\n', '/usr/bin/dnf': '' },
    exec: {
      dnf: (a) => (a.includes('check-update') ? { code: 100, stdout: Buffer.from(cu) } : { stdout: Buffer.from(ui) }),
      rpm: { stdout: Buffer.from('1700000000\n1790000000\n') },
      'needs-restarting': { code: 1 },
    },
  });
  const st = await collectPatches(cfg(), platform);
  t.match(st, { os_family: 'rhel', os_id: 'rocky', pending: 2, security_pending: 2, reboot_required: true, last_install_ms: 1_790_000_000_000 });
  const none = await collectPatches(cfg(), recordedPlatform({ os: 'linux' }));
  t.match(none, { os_family: 'unknown', error_class: 'unsupported_os' });
  t.equal(patchesProbe.status!([toSample(none, 'h', {}, NOW)], cfg()).code, 3, 'nothing known is UNKNOWN');
});

t.test('wmic qfe recorded on Windows 10 en-US (UTF-16LE) and Server 2012 R2 ru-RU', { skip: !CMDOUT && 'needs fixtures' }, async (t) => {
  const raw = fixture('10_1809_x64_pro_en-us_20190307_qfe.txt');
  t.equal(raw[1], 0xfe, 'the recording is UTF-16LE with a BOM');
  const en = parseWmicQfe(decodeConsole(raw, 437));
  t.equal(en.length, 5);
  t.same(
    en.map((f) => f.id),
    ['KB4486553', 'KB4470788', 'KB4480056', 'KB4487038', 'KB4482887'],
  );
  t.equal(en[1]!.description, 'Security Update');
  t.equal(en[0]!.installed, new Date(2019, 2, 7).getTime());
  const ru = parseWmicQfe(decodeConsole(fixture('srv_2012r2_x64_standard_ru_qfe.txt'), 866));
  t.equal(ru.length, 7, 'the stray prompt line and Cyrillic InstalledBy do not disturb the columns');
  t.equal(ru.at(-1)!.installed, new Date(2020, 3, 17).getTime());
  t.equal(parseQfeDate('01d4d4b0c3a5e000'), Number(0x01d4d4b0c3a5e000n / 10000n) - 11_644_473_600_000, 'FILETIME form');
  // The Windows path when PowerShell gives nothing: wmic's UTF-16LE table.
  const platform = recordedPlatform({ os: 'windows', codepage: 936, exec: { wmic: { stdout: raw } }, now: NOW });
  const st = await collectPatches(cfg(), platform);
  t.match(st, {
    os_family: 'windows',
    method: 'wmic',
    hotfixes: 5,
    error_class: 'powershell_failed',
    pending: undefined,
    last_install_ms: new Date(2019, 2, 7).getTime(),
  });
  const s = toSample(st, 'pc', {}, NOW);
  t.ok((s.fields.days_since_patch as number) > 2000);
  t.equal(patchesProbe.status!([s], cfg()).code, 2, 'years since the last patch is CRITICAL');
});

t.test('systeminfo recorded on Windows 10 zh-CN (GBK)', { skip: !CMDOUT && 'needs fixtures' }, async (t) => {
  const raw = fixture('10_1809_x64_enterprise_zh-cn_systeminfo.txt');
  const text = decodeConsole(raw, 936);
  t.match(text, /修补程序/, 'GBK decoded');
  t.equal(text, iconv.decode(raw, 'gbk'));
  const si = parseSysteminfo(text);
  t.match(si, { os_name: 'Microsoft Windows 10 企业版 LTSC', os_version: '10.0.17763', os_build: '17763', hotfixes: ['KB4464455'] });
  t.equal(si.install_date, new Date(2019, 0, 24, 9, 46, 29).getTime());
  t.equal(parseSysteminfo('Original Install Date:     1/24/2019, 9:46:29 PM\n').install_date, new Date(2019, 0, 24, 21, 46, 29).getTime());
  // wmic absent (Windows 11 24H2): systeminfo is the last resort.
  const platform = recordedPlatform({ os: 'windows', codepage: 936, exec: { systeminfo: { stdout: raw } } });
  t.match(await collectPatches(cfg(), platform), { method: 'systeminfo', hotfixes: 1 });
});

t.test('Windows Update Agent report from the PowerShell session', async (t) => {
  // The JSON shape the probe's own script prints (see windows.ts); not recorded on a real machine.
  const platform = recordedPlatform({
    os: 'windows',
    powershell: (script) => {
      t.match(script, /Microsoft\.Update\.Session/);
      t.match(script, /IsInstalled=0/);
      t.match(script, /\$q\.Online = \$false/);
      return 'noise before\r\n{"errors":{},"pending":4,"security_pending":2,"security_titles":["2026-11 累积更新 KB5070000"],"last_success_s":1794000000,"last_hotfix_s":1793000000,"hotfixes":12,"reboot_required":true}\r\n';
    },
    now: NOW,
  });
  const st = await collectPatches(cfg(), platform);
  t.match(st, {
    os_family: 'windows',
    method: 'wua',
    pending: 4,
    security_pending: 2,
    reboot_required: true,
    hotfixes: 12,
    last_install_ms: 1_794_000_000_000,
    error_class: '',
  });
  t.same(st.security_names, ['2026-11 累积更新 KB5070000']);
  const s = toSample(st, 'pc', { floor: '3' }, NOW);
  t.match(s, { measurement: 'patches', tags: { host: 'pc', os_family: 'windows', floor: '3' }, fields: { pending: 4n, security_pending: 2n } });
  t.equal(patchesProbe.status!([s], cfg()).code, 1, '2 security pending, recent patch, reboot: WARNING');
  const failed = recordedPlatform({ os: 'windows', powershell: () => '{"errors":{"wua":"-2145124329"},"reboot_required":false,"hotfixes":3}' });
  t.match(await collectPatches(cfg(), failed), { error_class: 'wua_failed', pending: undefined, hotfixes: 3 });
});

t.test('apt runs again only when the package state changes or the result is older than max_age_s', async (t) => {
  // Real files in a temp dir stand for /var/lib/dpkg, /var/lib/apt/lists…; apt itself is recorded.
  const root = tempDir('patches-state');
  t.teardown(() => removeDir(root));
  const at = (p: string) => path.join(root, p);
  mkdirSync(at('/var/lib/dpkg'), { recursive: true });
  mkdirSync(at('/var/lib/apt/lists'), { recursive: true });
  writeFileSync(at('/var/lib/dpkg/status'), 'Package: bash\n');
  const old = new Date('2026-11-01T00:00:00Z');
  utimesSync(at('/var/lib/dpkg/status'), old, old);
  utimesSync(at('/var/lib/apt/lists'), old, old);
  let aptOut = 'Listing...\nbash/stable-security 5.2.15-2+b8 amd64 [upgradable from: 5.2.15-2+b7]\nvim/stable 2:9.0 amd64 [upgradable from: 2:8.2]\n';
  let clock = NOW;
  const rec = recordedPlatform({
    os: 'linux',
    exec: { apt: () => ({ stdout: Buffer.from(aptOut) }) },
    files: { '/etc/os-release': 'ID=debian\n', '/usr/bin/apt-get': '' },
  });
  const platform = { ...rec, mtime: systemPlatform().mtime, now: () => clock };
  const aptRuns = () => rec.calls.filter((c) => c.startsWith('apt list')).length;
  const probe = createPatchesProbe(cfg({ interval_s: 10 }), { platform, host: 'pc', stateRoot: root });
  const run = async () => (await probe.collect(new AbortController().signal))[0]!;

  t.match((await run()).fields, { pending: 2n, security_pending: 1n });
  clock += 10_000;
  await run();
  clock += 10_000;
  const third = await run();
  t.equal(aptRuns(), 1, 'unchanged state: apt ran once for three runs');
  t.equal(third.time, clock, 'a reused result is stamped with the time of this run');
  t.ok((third.fields.days_since_patch === undefined) === (probe.last!.last_install_ms === undefined));

  // `apt upgrade` rewrites dpkg's status file: the next run asks apt again.
  aptOut = 'Listing...\nvim/stable 2:9.0 amd64 [upgradable from: 2:8.2]\n';
  writeFileSync(at('/var/lib/dpkg/status'), 'Package: bash\nVersion: 5.2.15-2+b8\n');
  utimesSync(at('/var/lib/dpkg/status'), new Date(clock), new Date(clock));
  clock += 10_000;
  t.match((await run()).fields, { pending: 1n, security_pending: 0n });
  t.equal(aptRuns(), 2, 'dpkg status changed: apt ran again');
  await run();
  t.equal(aptRuns(), 2);

  // `apt update` replaces files in the lists directory (its mtime changes).
  writeFileSync(at('/var/lib/apt/lists/deb.debian.org_debian_dists_bookworm_InRelease'), 'x');
  await run();
  t.equal(aptRuns(), 3, 'new package lists: apt ran again');
  // A reboot flag appearing is a change too (the file did not exist before).
  mkdirSync(at('/var/run'), { recursive: true });
  writeFileSync(at('/var/run/reboot-required'), '*** System restart required ***\n');
  await run();
  t.equal(aptRuns(), 4, 'reboot-required appeared: apt ran again');

  clock += 14400 * 1000;
  await run();
  t.equal(aptRuns(), 5, 'older than max_age_s (default 4 h): apt ran again though nothing changed');
  await run();
  t.equal(aptRuns(), 5);

  // A failed run is not remembered.
  const failing = recordedPlatform({ os: 'linux', files: { '/etc/os-release': 'ID=debian\n', '/usr/bin/apt-get': '' } });
  const fp = createPatchesProbe(cfg(), { platform: { ...failing, mtime: systemPlatform().mtime }, host: 'pc', stateRoot: root });
  await fp.collect(new AbortController().signal);
  await fp.collect(new AbortController().signal);
  t.equal(fp.runs, 2, 'apt missing (tool_missing): tried again every run');
  // max_age_s 0 and Windows: the package manager runs every time.
  const every = createPatchesProbe(cfg({ max_age_s: 0 }), { platform, host: 'pc', stateRoot: root });
  await every.collect(new AbortController().signal);
  await every.collect(new AbortController().signal);
  t.equal(every.runs, 2, 'max_age_s 0: no reuse');
  t.equal(await packageStateKey(recordedPlatform({ os: 'windows' })), undefined, 'no state key on Windows');
  t.ok(PACKAGE_STATE.includes('/var/lib/rpm') && PACKAGE_STATE.includes('/var/cache/dnf'), 'the RHEL family state is watched too');
});

t.test('config and CLI', async (t) => {
  t.throws(() => cfg({ bogus: true }));
  t.same(patchesProbe.cli!.toConfig({ method: 'apt', warn_days_since_patch: '20', online_search: true }), {
    method: 'apt',
    warn_days_since_patch: 20,
    online_search: true,
  });
});
