import { readFileSync } from 'node:fs';
import path from 'node:path';
import t from 'tap';
import { localDate } from '../../../../agent/probes/software/inventory.ts';
import { activationOf, installDate, msixPublisher, parseWindowsReport, windowsFromReport } from '../../../../agent/probes/software/windows.ts';
import { SOFTWARE_SCRIPT } from '../../../../agent/probes/software/windows-script.ts';
import { collectSoftware } from '../../../../agent/probes/software/probe.ts';
import { softwareSchema } from '../../../../agent/probes/software/schema.ts';
import { recordedPlatform } from '../helpers.ts';

// Hand-written in the script's output shape, not recorded on Windows: see fixtures/SOURCES.md.
const FIX = path.join(import.meta.dirname, 'fixtures');
const text = (f: string) => readFileSync(path.join(FIX, f), 'utf8');
const U1 = 'S-1-5-21-3623811015-3361044348-30300820-1001';
const U2 = 'S-1-5-21-3623811015-3361044348-30300820-1002';
const opts = { includeSystemComponents: false, includeUpdates: false };

t.test('a Chinese Windows 10 desktop: machine and per-user entries, updates and components left out', async (t) => {
  const rep = parseWindowsReport(text('windows-10-zh.json'))!;
  t.ok(rep, 'the script output parses');
  const w = windowsFromReport(rep, opts);
  const rows = w.items.map((i) => [i.source, i.scope, i.name, i.version, i.arch, i.install_date]);
  t.same(rows, [
    ['registry', 'machine', 'Microsoft Office Professional Plus 2016', '16.0.4266.1001', 'x64', '2024-03-15'],
    ['registry', 'machine', 'Microsoft 365 应用版 - zh-cn', '16.0.17928.20114', 'x64', localDate(1730000000 * 1000)],
    ['registry', 'machine', 'Google Chrome', '131.0.6778.86', 'x86', localDate(1732665600 * 1000)],
    ['registry', 'machine', '迅雷', '11.4.8.2122', 'x86', '2023-11-05'],
    ['registry', U1, 'WPS Office (11.1.0.14309)', '11.1.0.14309', '', '2024-01-02'],
    ['registry', U1, '微信', '3.9.12.17', '', localDate(1725148800 * 1000)],
    ['registry', U2, '微信', '3.9.11.25', '', localDate(1725235200 * 1000)],
    ['msix', U1, 'Microsoft.WindowsTerminal', '1.21.2911.0', 'x64', localDate(1730419200 * 1000)],
    ['msix', 'machine', 'DingTalk.Desktop', '7.6.0.0', 'neutral', null],
  ]);
  t.equal(
    w.items.find((i) => i.name === 'Google Chrome')?.install_location,
    'C:\\Program Files (x86)\\Google\\Chrome\\Application',
    'quotes around InstallLocation dropped',
  );
  t.equal(w.items.find((i) => i.name === '迅雷')?.publisher, '深圳市迅雷网络技术有限公司');
  t.equal(w.items.find((i) => i.name === 'DingTalk.Desktop')?.publisher, 'Alibaba (China) Network Technology Co., Ltd.', 'quoted CN with commas');
  t.same(w.os, { name: 'Microsoft Windows 10 专业版', version: '10.0.19045.4651', edition: 'Professional', activation: 'licensed' });
  t.same(
    w.licenses.map((l) => [l.family, l.activation]),
    [
      ['windows', 'licensed'],
      ['office', 'grace'],
    ],
    'products of other applications are not Windows or Office',
  );
  t.same(w.office, [
    { kind: 'c2r', product: 'O365ProPlusRetail', version: '16.0.17928.20114', activation: 'grace' },
    { kind: 'msi', product: 'Microsoft Office Professional Plus 2016', version: '16.0.4266.1001', activation: 'grace' },
    { kind: 'wps', product: 'WPS Office (11.1.0.14309)', version: '11.1.0.14309', activation: 'unknown' },
  ]);
  t.same(w.errors, {});
  t.same(w.readScopes, { registry: [U1, U2] }, 'the user hives read; MSIX listed for all users');
});

t.test('asked for: system components and updates are listed too', async (t) => {
  const w = windowsFromReport(parseWindowsReport(text('windows-10-zh.json'))!, { includeSystemComponents: true, includeUpdates: true });
  const names = w.items.map((i) => i.name);
  t.ok(names.includes('Security Update for Microsoft Office 2016 (KB5002140) 64-Bit Edition'));
  t.ok(names.includes('Update for Windows (KB5034441)'));
  t.equal(names.filter((n) => n === 'Microsoft Office Professional Plus 2016').length, 2, 'the SystemComponent part too');
  t.ok(names.includes('Microsoft.WindowsCalculator'), 'system-signed MSIX');
  t.notOk(names.includes('Microsoft.VCLibs.140.00'), 'frameworks never');
});

t.test('a Server Core box where AppX and licensing failed: nulls for empty collections, errors kept', async (t) => {
  const w = windowsFromReport(parseWindowsReport(text('windows-server-core.json'))!, opts);
  t.same(
    w.items.map((i) => i.name),
    ['7-Zip 23.01 (x64)'],
  );
  t.same(
    w.os,
    { name: 'Microsoft Windows Server 2019 Datacenter', version: '10.0.17763.6054', edition: 'ServerDatacenterCor', activation: 'unknown' },
    'licensing unreadable: unknown, never licensed',
  );
  t.same(w.errors, { msix: 'hresult_-2146233087', licensing: 'hresult_-2147217405' });
  t.same(w.readScopes, { registry: [] }, 'nobody logged on: no user hive read');
});

t.test('through the probe: PowerShell runs the script once; no output is a failed registry source', async (t) => {
  const cfg = softwareSchema.parse({ kind: 'software' });
  let scripts = 0;
  const ok = recordedPlatform({ os: 'windows', powershell: (s) => (scripts++, s === SOFTWARE_SCRIPT ? text('windows-10-zh.json') : '') });
  const doc = await collectSoftware(cfg, { platform: ok, host: 'pc-01' });
  t.equal(scripts, 1);
  t.equal(doc.software.length, 9);
  t.same(
    doc.software.map((s) => s.source + ':' + s.name).slice(0, 2),
    ['msix:Microsoft.WindowsTerminal', 'msix:DingTalk.Desktop'],
    'canonical order: source, then scope (a SID sorts before "machine"), then name',
  );
  const broken = recordedPlatform({ os: 'windows', powershell: () => '' });
  const d2 = await collectSoftware(cfg, { platform: broken, host: 'pc-01' });
  t.same(d2.errors, { registry: 'powershell_failed', msix: 'powershell_failed' }, 'both Windows sources failed: the collector keeps what it had of each');
  t.equal(d2.os.activation, 'unknown');
});

t.test('small parsers', async (t) => {
  t.equal(installDate('20240315'), '2024-03-15');
  t.equal(installDate('2023-1-5'), '2023-01-05');
  t.equal(installDate('20241399'), null);
  t.equal(installDate('5/6/2023'), null, 'an ambiguous US/EU date is not guessed');
  t.equal(installDate(undefined), null);
  t.same([0, 1, 2, 3, 4, 5, 6, 9].map(activationOf), ['unlicensed', 'licensed', 'grace', 'grace', 'non_genuine', 'notification', 'grace', 'unknown']);
  t.equal(msixPublisher('CN=Microsoft Corporation, O=Microsoft Corporation, C=US'), 'Microsoft Corporation');
  t.equal(parseWindowsReport('Get-AppxPackage : not recognized'), undefined);
  t.equal(parseWindowsReport('{"something":"else"}'), undefined);
});

t.test('the script reads what the parsers expect and escapes non-ASCII', async (t) => {
  for (const k of ['DisplayName', 'DisplayVersion', 'Publisher', 'InstallDate', 'InstallLocation', 'SystemComponent', 'ParentKeyName', 'ReleaseType'])
    t.match(SOFTWARE_SCRIPT, k);
  t.match(SOFTWARE_SCRIPT, "OpenBaseKey('LocalMachine'");
  t.match(SOFTWARE_SCRIPT, "OpenBaseKey('Users'");
  t.match(SOFTWARE_SCRIPT, 'Get-AppxPackage -AllUsers');
  t.match(SOFTWARE_SCRIPT, 'SoftwareLicensingProduct');
  t.match(SOFTWARE_SCRIPT, 'ClickToRun\\Configuration');
  t.match(SOFTWARE_SCRIPT, 'RegQueryInfoKey');
  t.match(SOFTWARE_SCRIPT, "'[^\\x00-\\x7f]'");
});

t.test('the script names every variable one way (PowerShell names are case-insensitive) and shadows no automatic variable', async (t) => {
  const names = new Map<string, Set<string>>();
  for (const m of SOFTWARE_SCRIPT.matchAll(/\$(?:script:)?([A-Za-z_][A-Za-z0-9_]*)/g)) {
    const n = m[1]!;
    (names.get(n.toLowerCase()) ?? names.set(n.toLowerCase(), new Set()).get(n.toLowerCase())!).add(n);
  }
  const clashes = [...names.values()].filter((s) => s.size > 1).map((s) => [...s].join('/'));
  t.same(clashes, [], 'no $V and $v for two things');
  const automatic = ['args', 'input', 'host', 'error', 'matches', 'home', 'pid', 'profile', 'pwd', 'this', 'event', 'sender', 'psitem', 'ofs'];
  t.same(
    automatic.filter((a) => names.has(a)),
    [],
  );
  t.ok(names.has('valuenames') && names.has('uninstallpath'));
  t.match(SOFTWARE_SCRIPT.trim(), /^& \{[\s\S]*\}$/, 'one script block, so the stdin session runs it whole');
  t.equal((SOFTWARE_SCRIPT.match(/\{/g) ?? []).length, (SOFTWARE_SCRIPT.match(/\}/g) ?? []).length, 'braces balance');
  t.notMatch(SOFTWARE_SCRIPT, /\$script:/, 'no script-scope variables (the block has its own scope)');
});
