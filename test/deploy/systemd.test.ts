import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import t from 'tap';
import { removeDir, tempDir } from '../peers/util.ts';

const ROOT = path.resolve(import.meta.dirname, '../..');
const UNITS = ['watchpost-collector.service', 'watchpost-agent.service'];

// The units cannot be started here (no systemd as PID 1 in CI); what can be checked offline is:
// systemd's own parser accepts every line (`verify`, with the repo standing in for
// /opt/watchpost so the ExecStart binaries exist), the sandbox scores well
// (`security --offline`), and the hardening the issue asks for is there.
t.test('systemd units: valid, hardened, least capabilities', async (t) => {
  const dir = tempDir('units');
  t.teardown(() => removeDir(dir));
  for (const u of UNITS) {
    const text = readFileSync(path.join(ROOT, 'deploy/systemd', u), 'utf8');
    const file = path.join(dir, u);
    writeFileSync(file, text.replaceAll('/opt/watchpost', ROOT));
    const v = spawnSync('systemd-analyze', ['verify', file], { encoding: 'utf8' });
    t.equal(v.status, 0, `${u}: systemd-analyze verify`);
    t.equal(v.stderr.trim(), '', `${u}: no warnings (${v.stderr.trim()})`);
    const s = spawnSync('systemd-analyze', ['security', '--offline=true', file], { encoding: 'utf8' });
    const score = Number(/Overall exposure level for \S+: ([\d.]+)/.exec(s.stdout)?.[1] ?? 99);
    t.ok(score <= 2.5, `${u}: exposure ${score} (≤ 2.5; 10 = unprotected)`);
    for (const line of ['NoNewPrivileges=yes', 'ProtectSystem=strict', 'PrivateTmp=yes', 'UMask=0077'])
      t.match(text, new RegExp(`^${line}$`, 'm'), `${u}: ${line}`);
    t.match(text, /^User=watchpost/m, `${u}: dedicated user`);
    t.match(text, /^ReadWritePaths=\/var\/lib\/watchpost\//m, `${u}: writes only its state directory`);
    const caps = /^AmbientCapabilities=(.*)$/m.exec(text)?.[1]?.split(/\s+/).filter(Boolean) ?? [];
    t.ok(
      caps.every((c) => c === 'CAP_NET_RAW' || c === 'CAP_NET_BIND_SERVICE'),
      `${u}: only CAP_NET_RAW/CAP_NET_BIND_SERVICE (${caps.join(' ') || 'none'})`,
    );
  }
  t.notMatch(
    readFileSync(path.join(ROOT, 'deploy/systemd/watchpost-collector.service'), 'utf8'),
    /^AmbientCapabilities=\S/m,
    'the collector gets no capability',
  );

  // The check can fail: a misspelt directive is reported.
  const bad = path.join(dir, 'bad.service');
  writeFileSync(bad, readFileSync(path.join(dir, UNITS[0]!), 'utf8').replace('NoNewPrivileges=yes', 'NoNewPrivilege=yes'));
  t.match(spawnSync('systemd-analyze', ['verify', bad], { encoding: 'utf8' }).stderr, 'Unknown key');
});
