import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import t from 'tap';
import { missingPackages, readPackageList } from './ensure-debian.ts';

const LIST = path.join(import.meta.dirname, 'debian-packages.txt');

t.test('the package list parses to names, comments dropped', async (t) => {
  const names = readPackageList(readFileSync(LIST, 'utf8'));
  t.ok(names.includes('influxdb') && names.includes('snmpsim') && names.includes('chromium'), names.join(' '));
  t.notOk(names.some((n) => n.includes('#') || n.includes(' ')));
  t.same(readPackageList('a1  # x\n\n# only a comment\nlib-b.c+  \n'), ['a1', 'lib-b.c+']);
  t.throws(() => readPackageList('influxdb snmp\n'), /not a Debian package name/);
});

t.test('missingPackages agrees with dpkg-query: after the pretest nothing is missing; an unknown name is', async (t) => {
  const names = readPackageList(readFileSync(LIST, 'utf8'));
  t.same(missingPackages(names), [], 'the pretest installed the whole list');
  t.same(missingPackages(['dpkg', 'watchpost-no-such-package']), ['watchpost-no-such-package']);
  const dpkg = spawnSync('dpkg-query', ['-W', '-f=${db:Status-Abbrev}', 'dpkg'], { encoding: 'utf8' }).stdout.trim();
  t.equal(dpkg, 'ii');
});
