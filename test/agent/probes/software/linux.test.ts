import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import t from 'tap';
import { systemPlatform } from '../../../../agent/probes/platform/platform.ts';
import { localDate } from '../../../../agent/probes/software/inventory.ts';
import {
  DPKG_FORMAT,
  linuxInventory,
  linuxOs,
  parseDpkg,
  parseFlatpakList,
  parseRpm,
  parseSnapList,
  parseUosInfo,
} from '../../../../agent/probes/software/linux.ts';
import { collectSoftware } from '../../../../agent/probes/software/probe.ts';
import { softwareSchema } from '../../../../agent/probes/software/schema.ts';
import { tempDir } from '../../../peers/util.ts';
import { recordedPlatform } from '../helpers.ts';
import { readdir } from 'node:fs/promises';

const has = (cmd: string) => spawnSync('sh', ['-c', `command -v ${cmd}`]).status === 0;
const cfg = softwareSchema.parse({ kind: 'software' });

t.test(
  'dpkg: the same packages and exact versions as dpkg-query itself on this machine',
  { skip: has('dpkg-query') ? false : 'dpkg-query not installed' },
  async (t) => {
    // The reference, asked independently: the abbreviated status "ii " is an installed package.
    const ref = execFileSync('dpkg-query', ['-W', '-f=${db:Status-Abbrev}|${Package}|${Version}|${Architecture}\\n'], { encoding: 'utf8', maxBuffer: 64 << 20 })
      .split('\n')
      .filter((l) => l.startsWith('ii '))
      .map((l) => l.split('|').slice(1).join('|'))
      .sort();
    t.ok(ref.length > 50, `dpkg-query lists ${ref.length} installed packages`);
    const inv = await linuxInventory(systemPlatform(), { uosAppsDir: tempDir('no-uos'), listDir: (d) => readdir(d) });
    t.same(inv.errors, {});
    const mine = inv.items
      .filter((i) => i.source === 'dpkg')
      .map((i) => `${i.name}|${i.version}|${i.arch}`)
      .sort();
    t.same(mine, ref, 'same name|version|arch set');
    // Install dates come from dpkg's per-package file list (multi-arch packages file it as name:arch).
    const libc = inv.items.find((i) => i.name === 'libc6');
    if (libc) {
      const list = ['/var/lib/dpkg/info/libc6:amd64.list', '/var/lib/dpkg/info/libc6.list'].find((f) => {
        try {
          statSync(f);
          return true;
        } catch {
          return false;
        }
      });
      t.equal(libc.install_date, list ? localDate(statSync(list).mtimeMs) : null, 'libc6 dated by its .list file');
    }
    const os = await linuxOs(systemPlatform());
    t.match(os, { name: /\S/, activation: /^(not_applicable|unknown)$/ });
  },
);

t.test('dpkg: rows that are not "install ok installed" are left out', async (t) => {
  const text = [
    'install ok installed\tbash\tbash\t5.2.15-2+b7\tamd64\tMatthias Klose <doko@debian.org>',
    'deinstall ok config-files\tvim-tiny\tvim-tiny\t2:9.0.1378-2\tamd64\tDebian Vim Maintainers <team+vim@tracker.debian.org>',
    'install ok half-configured\tbroken\tbroken\t1.0\tamd64\tX <x@y>',
    'install ok installed\tlibc6:amd64\tlibc6\t2.36-9+deb12u7\tamd64\tGNU Libc Maintainers <debian-glibc@lists.debian.org>',
  ].join('\n');
  const rows = parseDpkg(text);
  t.same(
    rows.map((r) => [r.name, r.version, r.publisher, r.infoName]),
    [
      ['bash', '5.2.15-2+b7', 'Matthias Klose', 'bash'],
      ['libc6', '2.36-9+deb12u7', 'GNU Libc Maintainers', 'libc6:amd64'],
    ],
  );
  t.ok(DPKG_FORMAT.startsWith('${Status}'));
});

t.test(
  'rpm: a real rpm -qa on packages built with rpmbuild into a temp database',
  { skip: has('rpmbuild') && has('rpm') ? false : 'rpmbuild/rpm not installed' },
  async (t) => {
    const dir = tempDir('rpm');
    const db = path.join(dir, 'db');
    mkdirSync(db);
    const build = (name: string, version: string, release: string, epoch: string | undefined, vendor: string | undefined, arch: string) => {
      const spec = path.join(dir, `${name}.spec`);
      writeFileSync(
        spec,
        [
          `Name: ${name}`,
          `Version: ${version}`,
          `Release: ${release}`,
          ...(epoch ? [`Epoch: ${epoch}`] : []),
          `Summary: test`,
          `License: MIT`,
          ...(vendor ? [`Vendor: ${vendor}`] : []),
          `BuildArch: ${arch}`,
          '%description',
          'test',
          '%files',
          '',
        ].join('\n'),
      );
      execFileSync('rpmbuild', ['-bb', '--quiet', '--define', `_topdir ${path.join(dir, 'top')}`, '--define', `_dbpath ${db}`, spec], { stdio: 'pipe' });
      return path.join(dir, 'top', 'RPMS', arch, `${name}-${version}-${release}.${arch}.rpm`);
    };
    const pkgs = [
      build('wp-office-suite', '16.0', '5.el9', '2', 'Kingsoft 金山办公', 'noarch'),
      build('wp-tool', '0.9.1', '1', undefined, undefined, 'noarch'),
    ];
    execFileSync('rpm', ['--dbpath', db, '--initdb']);
    execFileSync('rpm', ['--dbpath', db, '-i', '--nodeps', '--justdb', ...pkgs], { stdio: 'pipe' });
    const inv = await linuxInventory(systemPlatform(), { uosAppsDir: tempDir('no-uos'), rpmArgs: ['--dbpath', db], listDir: (d) => readdir(d) });
    const rpm = inv.items.filter((i) => i.source === 'rpm').sort((a, b) => a.name.localeCompare(b.name));
    const today = localDate(Date.now());
    t.same(rpm, [
      {
        name: 'wp-office-suite',
        version: '2:16.0-5.el9',
        arch: 'noarch',
        publisher: 'Kingsoft 金山办公',
        install_date: today,
        install_location: '',
        source: 'rpm',
        scope: 'machine',
      },
      { name: 'wp-tool', version: '0.9.1-1', arch: 'noarch', publisher: '', install_date: today, install_location: '', source: 'rpm', scope: 'machine' },
    ]);
    t.same(inv.errors, {});
    t.same(parseRpm('gpg-pubkey\t(none)\tfd431d51\t4ae0493b\t(none)\t(none)\t1700000000\n'), [], 'gpg-pubkey is a key, not software');
  },
);

t.test('rpm: a corrupt database is an error of that source, not an empty list', { skip: has('rpm') ? false : 'rpm not installed' }, async (t) => {
  const db = tempDir('rpm-bad');
  writeFileSync(path.join(db, 'rpmdb.sqlite'), 'this is not an sqlite file');
  const inv = await linuxInventory(systemPlatform(), { uosAppsDir: tempDir('no-uos'), rpmArgs: ['--dbpath', db], listDir: (d) => readdir(d) });
  t.equal(inv.errors.rpm, 'tool_failed', 'rpm exited 1: the source failed');
  t.equal(inv.items.filter((i) => i.source === 'rpm').length, 0);
  t.ok(
    inv.items.some((i) => i.source === 'dpkg'),
    'the other sources still answer',
  );
});

t.test('UOS app-store apps: /opt/apps/<appid>/info, and the deb of the same app listed once', async (t) => {
  const apps = tempDir('uos');
  mkdirSync(path.join(apps, 'com.qq.weixin.deepin'));
  writeFileSync(
    path.join(apps, 'com.qq.weixin.deepin', 'info'),
    JSON.stringify({ appid: 'com.qq.weixin.deepin', name: '微信', version: '3.2.1.154deepin14', arch: ['amd64'], permissions: { autostart: false } }),
  );
  mkdirSync(path.join(apps, 'broken'));
  writeFileSync(path.join(apps, 'broken', 'info'), 'not json');
  const dpkgOut = [
    'install ok installed\tcom.qq.weixin.deepin\tcom.qq.weixin.deepin\t3.2.1.154deepin14\tamd64\tDeepin Packages Builder <packages@deepin.org>',
    'install ok installed\tbash\tbash\t5.1-6\tamd64\tMatthias Klose <doko@debian.org>',
  ].join('\n');
  const p = recordedPlatform({
    os: 'linux',
    exec: { 'dpkg-query': { stdout: Buffer.from(dpkgOut) } },
    files: {
      [path.join(apps, 'com.qq.weixin.deepin', 'info')]: '',
      '/etc/os-release': 'NAME="UnionTech OS Desktop"\nVERSION_ID="20"\nID=uos\n',
      '/etc/os-version': '[Version]\nSystemName=UnionTech OS Desktop\nEditionName=Professional\nEditionName[zh_CN]=专业版\n',
    },
    mtimes: { '/var/lib/dpkg/info/com.qq.weixin.deepin.list': Date.UTC(2026, 2, 1, 4), '/var/lib/dpkg/info/bash.list': Date.UTC(2025, 0, 2, 4) },
  });
  // Files come from the real temp dir for the app infos, from the recording for the rest.
  const real = systemPlatform();
  const plat = { ...p, readFile: async (f: string) => (f.startsWith(apps) ? real.readFile(f) : p.readFile(f)) };
  const doc = await collectSoftware({ ...cfg, uos_apps_dir: apps }, { platform: plat, host: 'uos-pc', listDir: (d) => readdir(d) });
  t.same(doc.os, { name: 'UnionTech OS Desktop', version: '20', edition: 'Professional', activation: 'unknown' });
  t.same(
    doc.software.map((s) => [s.source, s.name, s.version, s.publisher, s.install_date]),
    [
      ['dpkg', 'bash', '5.1-6', 'Matthias Klose', localDate(Date.UTC(2025, 0, 2, 4))],
      ['uos', '微信', '3.2.1.154deepin14', 'Deepin Packages Builder', localDate(Date.UTC(2026, 2, 1, 4))],
    ],
  );
  t.equal(parseUosInfo('/opt/apps/x', '{"version":"1"}')?.name, 'x', 'an info without a name is named by its folder');
  t.equal(parseUosInfo('/opt/apps/x', 'garbage'), undefined);
});

t.test('snap and flatpak list parsers (formats from snapd and flatpak documentation; neither is installed here)', async (t) => {
  const snap =
    'Name      Version          Rev    Tracking         Publisher   Notes\ncore22    20240111         1122   latest/stable    canonical**  base\nwechat    3.0              12     latest/stable    -           -\n';
  t.same(
    parseSnapList(snap).map((s) => [s.name, s.version, s.publisher]),
    [
      ['core22', '20240111', 'canonical'],
      ['wechat', '3.0', ''],
    ],
  );
  t.same(parseSnapList('error: no snaps installed\n'), []);
  const fp = 'org.libreoffice.LibreOffice\tLibreOffice\t24.2.1.2\tx86_64\tflathub\tsystem\ncom.wps.Office\tWPS Office\t11.1.0.11719\tx86_64\tflathub\tuser\n';
  t.same(
    parseFlatpakList(fp).map((s) => [s.name, s.version, s.publisher, s.scope]),
    [
      ['LibreOffice', '24.2.1.2', 'flathub', 'machine'],
      ['WPS Office', '11.1.0.11719', 'flathub', 'user'],
    ],
  );
});
