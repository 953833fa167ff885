import { writeFileSync } from 'node:fs';
import path from 'node:path';
import t from 'tap';
import { ConfigError, loadConfig, parseConfig } from '../../config/load.ts';
import { softwarePolicySchema } from '../../lib/software-policy-schema.ts';
import { compilePattern } from '../../lib/software-match.ts';
import { PolicyEngine } from '../../lib/software-policy.ts';
import { compareVersions } from '../../lib/version-compare.ts';
import { tempDir } from '../peers/util.ts';

const POLICY = `rules:
  - name: Office seats
    match: { name: "Microsoft Office*" }     # glob
    action: requires_license
    licenses: 2
  - name: no P2P clients
    match: { name: "/迅雷|Thunder|BitTorrent/i" }
    action: forbidden
  - name: WPS 2019 only
    match: { name: "WPS Office*", version: "11.1.*" }
    action: approved
  - name: cracking tools
    match: { publisher: "/^(KMSpico|KMSAuto)/" }
    action: forbidden
  - name: WeChat
    match: { name: "微信", publisher: "腾讯*" }
    action: approved
`;

const sw = (name: string, version = '1.0', publisher = '') => ({ name, version, publisher });

t.test('globs: whole value, case-insensitive, * and ? only; regex between slashes with flags', async (t) => {
  t.ok(compilePattern('Microsoft Office*').test('microsoft office Professional Plus 2016'));
  t.notOk(compilePattern('Microsoft Office*').test('Uninstall Microsoft Office'), 'anchored at the start');
  t.ok(compilePattern('7-Zip ?? (x64)').test('7-Zip 23 (x64)'), '? is one character; ( ) and - are literal');
  t.notOk(compilePattern('a.b').test('axb'), '. is literal in a glob');
  t.ok(compilePattern('/迅雷|Thunder/i').test('迅雷11'), 'regex matches anywhere unless anchored');
  t.ok(compilePattern('/thunder/i').test('Thunder Network'));
  t.notOk(compilePattern('/thunder/').test('Thunder'), 'no i flag: case matters');
  t.ok(compilePattern('*金山*').test('WPS Office 金山办公'), 'globs with Chinese');
  t.throws(() => compilePattern('/(unclosed/'), /invalid regular expression/);
  t.throws(() => compilePattern('/x/g'), /flags "g" not allowed/);
});

t.test('first matching rule wins; every given field must match; unmatched is unreviewed', async (t) => {
  const p = parseConfig(POLICY, 'policy.yaml', softwarePolicySchema);
  const e = new PolicyEngine(p.rules);
  t.equal(e.match(sw('Microsoft Office Professional Plus 2016'))?.name, 'Office seats');
  t.equal(e.match(sw('迅雷', '11.4'))?.name, 'no P2P clients');
  t.equal(e.match(sw('qBittorrent'))?.name, 'no P2P clients', 'regex matches inside the name');
  t.equal(e.match(sw('WPS Office (11.1.0.14309)', '11.1.0.14309'))?.name, 'WPS 2019 only');
  t.equal(e.match(sw('WPS Office (12.1.0.1)', '12.1.0.1')), undefined, 'version must match too');
  t.equal(e.match(sw('KMS tool', '1', 'KMSAuto Net'))?.action, 'forbidden', 'publisher regex');
  t.equal(e.match(sw('微信', '3.9', '腾讯科技(深圳)有限公司'))?.action, 'approved');
  t.equal(e.match(sw('微信', '3.9', 'Someone else')), undefined);
  const f = e.findings([sw('迅雷', '11.4'), sw('微信', '3.9', '腾讯科技(深圳)有限公司'), sw('Notepad++', '8.6'), sw('Microsoft Office Standard 2019', '16.0')]);
  t.same(
    f,
    [
      { rule: 'no P2P clients', name: '迅雷', version: '11.4', action: 'forbidden' },
      { rule: null, name: 'Notepad++', version: '8.6', action: 'unreviewed' },
      { rule: 'Office seats', name: 'Microsoft Office Standard 2019', version: '16.0', action: 'requires_license' },
    ],
    'approved programs are not findings',
  );
});

t.test('licence counts: machines holding a matching program, once per machine', async (t) => {
  const e = new PolicyEngine(parseConfig(POLICY, 'policy.yaml', softwarePolicySchema).rules);
  const machines = [
    [sw('Microsoft Office Professional Plus 2016'), sw('Microsoft Office 2016 Proofing Tools')],
    [sw('Microsoft Office Standard 2019')],
    [sw('Notepad++')],
    [sw('Microsoft Office Home and Student 2021')],
  ];
  t.same(e.licensing(machines), [{ rule: 'Office seats', installed: 3, licensed: 2 }], 'three machines against two licences');
  t.same(new PolicyEngine([]).licensing(machines), []);
});

t.test('policy validation: file:line, path and fix', async (t) => {
  const dir = tempDir('policy');
  const bad = (body: string) => {
    const f = path.join(dir, `p${Math.random().toString(36).slice(2)}.yaml`);
    writeFileSync(f, body);
    try {
      loadConfig(f, softwarePolicySchema);
    } catch (e) {
      t.ok(e instanceof ConfigError);
      return { f, p: (e as ConfigError).problems };
    }
    t.fail('no error');
    return { f, p: [] };
  };
  let r = bad('rules:\n  - name: x\n    match: { name: "/(迅雷/" }\n    action: forbidden\n');
  t.match(r.p[0], { file: r.f, line: 3, path: 'rules[0].match.name', message: /invalid regular expression/, fix: /glob|slashes/ });
  t.match(r.p[0]!.fix, /between slashes/);
  r = bad('rules:\n  - name: Office\n    match: { name: "Office*" }\n    action: requires_license\n');
  t.match(r.p[0], { line: 2, path: 'rules[0].licenses', message: /needs "licenses: N"/ });
  r = bad('rules:\n  - name: a\n    match: { name: a }\n    action: forbidden\n    licenses: 3\n');
  t.match(r.p[0], { line: 5, path: 'rules[0].licenses', message: /only applies to action requires_license/ });
  r = bad('rules:\n  - name: a\n    match: {}\n    action: forbidden\n');
  t.match(r.p[0], { line: 3, path: 'rules[0].match', message: /at least one of name, publisher, version/ });
  r = bad('rules:\n  - name: a\n    match: { name: a }\n    action: banned\n');
  t.match(r.p[0], { line: 4, path: 'rules[0].action', fix: /forbidden.*requires_license.*approved/ });
  r = bad('rules:\n  - name: a\n    match: { name: a }\n    action: approved\n  - name: a\n    match: { name: b }\n    action: forbidden\n');
  t.match(r.p[0], { line: 5, path: 'rules[1].name', message: /already used by rules\[0\]/ });
  r = bad('rules:\n  - name: a\n    match: { title: a }\n    action: approved\n');
  t.match(r.p[0], { line: 3, path: 'rules[0].match.title', message: /unknown key "title"/ });
});

t.test('version order tells upgrades from downgrades', async (t) => {
  t.ok(compareVersions('2.36-9+deb12u7', '2.36-9+deb12u4') > 0);
  t.ok(compareVersions('1:1.0', '2.0') > 0, 'epoch first');
  t.ok(compareVersions('11.1.0.14309', '11.1.0.9999') > 0, 'numbers as numbers');
  t.ok(compareVersions('3.9.11.25', '3.9.12.17') < 0);
  t.equal(compareVersions('16.0.4266.1001', '16.0.4266.1001'), 0);
  t.ok(compareVersions('1.0', '1.0.1') < 0);
});
