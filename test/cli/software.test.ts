import { execFileSync, spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import t from 'tap';
import { removeDir, tempDir } from '../peers/util.ts';

t.setTimeout(300_000);
const ROOT = path.resolve(import.meta.dirname, '../..');
const CLI = path.join(ROOT, 'cli/watchpost.ts');
const dir = tempDir('sw-cli');
t.teardown(() => removeDir(dir));

function run(args: string[]) {
  const r = spawnSync(process.execPath, [CLI, 'check', 'software', ...args], { cwd: ROOT, encoding: 'utf8', timeout: 60_000, maxBuffer: 64 << 20 });
  return { code: r.status, out: r.stdout, err: r.stderr };
}
function policy(name: string, body: string): string {
  const f = path.join(dir, name);
  writeFileSync(f, body);
  return f;
}

const installed = execFileSync('dpkg-query', ['-W', '-f=${db:Status-Abbrev}|${Package}|${Version}\\n'], { encoding: 'utf8' })
  .split('\n')
  .filter((l) => l.startsWith('ii'))
  .map((l) => l.split('|'));

t.test('--json prints exactly {os, software, findings, licensing} with the documented keys', async (t) => {
  const p = policy(
    'ok.yaml',
    'rules:\n  - name: shells\n    match: { name: "bash" }\n    action: requires_license\n    licenses: 5\n  - name: everything else\n    match: { name: "*" }\n    action: approved\n',
  );
  const r = run(['--policy', p, '--json']);
  t.equal(r.code, 0, r.err);
  const j = JSON.parse(r.out);
  // The document, then the status and summary every check's JSON carries.
  t.same(Object.keys(j), ['os', 'software', 'findings', 'licensing', 'status', 'summary']);
  t.same(Object.keys(j.os), ['name', 'version', 'edition', 'activation']);
  const keys = new Set(j.software.map((s: object) => Object.keys(s).join(',')));
  t.same([...keys], ['name,version,publisher,arch,install_date,source,scope'], 'every software entry has exactly the seven keys');
  t.equal(j.software.length, installed.length, 'every installed package');
  const bash = installed.find((x) => x[1] === 'bash')!;
  t.same(j.findings, [{ rule: 'shells', name: 'bash', version: bash[2], action: 'requires_license' }]);
  t.same(j.licensing, [{ rule: 'shells', installed: 1, licensed: 5 }]);
});

t.test('exit codes: CRITICAL for a forbidden package, WARNING for unreviewed with --strict, OK otherwise', async (t) => {
  const forbid = policy('forbid.yaml', 'rules:\n  - name: no shells\n    match: { name: "/^ba.h$/" }\n    action: forbidden\n');
  let r = run(['--policy', forbid, '--json']);
  t.equal(r.code, 2, 'bash is forbidden: CRITICAL');
  t.same(
    JSON.parse(r.out)
      .findings.filter((f: { action: string }) => f.action === 'forbidden')
      .map((f: { name: string }) => f.name),
    ['bash'],
  );
  r = run(['--policy', forbid]);
  t.equal(r.code, 2);
  t.match(r.err, /SOFTWARE CRITICAL - \d+ programs, 1 forbidden/);
  // One machine over a licence count is not critical on its own (a fleet question).
  const over = policy(
    'over.yaml',
    'rules:\n  - name: shells\n    match: { name: "bash" }\n    action: requires_license\n    licenses: 0\n  - name: rest\n    match: { name: "*" }\n    action: approved\n',
  );
  r = run(['--policy', over, '--json', '--strict']);
  t.equal(r.code, 0, 'licence count exceeded on one machine: still OK');
  t.same(JSON.parse(r.out).licensing, [{ rule: 'shells', installed: 1, licensed: 0 }]);
  r = run(['--json', '--strict']);
  t.equal(r.code, 1, 'no policy + --strict: everything unreviewed, WARNING');
  t.equal(JSON.parse(r.out).findings.length, installed.length);
  r = run(['--json']);
  t.equal(r.code, 0, 'unreviewed without --strict: OK');
});

t.test('a bad policy file is reported with file:line, path and fix', async (t) => {
  const bad = policy('bad.yaml', 'rules:\n  - name: p2p\n    match: { name: "/迅雷(/" }\n    action: forbidden\n');
  const r = run(['--policy', bad, '--json']);
  t.equal(r.code, 2);
  t.match(r.err, `${bad}:3:`);
  t.match(r.err, 'rules[0].match.name');
  t.match(r.err, /fix: .*between slashes/);
});

import { runCheck } from '../../cli/commands/check.ts';
import { createSoftwareProbe, softwareProbe } from '../../agent/probes/software/probe.ts';
import { prepareSoftwareCheck } from '../../agent/probes/software/check-policy.ts';
import { recordedPlatform } from '../agent/probes/helpers.ts';

t.test('a failed source: exit UNKNOWN, and the JSON keeps its shape', async (t) => {
  // dpkg-query exits 2 (a broken status file): nothing can be said about this machine's software.
  const platform = recordedPlatform({
    os: 'linux',
    exec: { 'dpkg-query': { code: 2, stderr: Buffer.from('dpkg-query: error: parsing file /var/lib/dpkg/status') } },
    files: { '/etc/os-release': 'NAME="Kylin"\nVERSION_ID="V10"\nID=kylin\n' },
  });
  const def = { ...softwareProbe, create: (cfg: never, ctx: never) => createSoftwareProbe(cfg, { platform, host: 'pc', listDir: async () => [] }, ctx) };
  const lines: string[] = [];
  const log = console.log;
  console.log = (s: string) => lines.push(s);
  let code: number;
  try {
    code = await runCheck(def as never, {}, 'json', prepareSoftwareCheck({}));
  } finally {
    console.log = log;
  }
  t.equal(code, 3);
  const j = JSON.parse(lines.join('\n'));
  t.same(Object.keys(j).slice(0, 6), ['os', 'software', 'findings', 'licensing', 'status', 'summary']);
  t.equal(j.status, 'UNKNOWN');
  t.same(j.os, { name: 'Kylin', version: 'V10', edition: '', activation: 'unknown' });
  t.same(j.software, []);
});
