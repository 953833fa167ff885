/**
 * npm test's pretest: makes sure the Debian packages the tests start as real peers
 * (test/peers/debian-packages.txt) are installed before the first test runs.
 *
 * Missing packages are installed when this runs as root or can `sudo -n`: `apt-get update`
 * once, then one `apt-get install`, with a policy-rc.d that keeps the packages' own services
 * (influxdb, nginx, sshd, snmpd) from starting — the tests start their own peers on free
 * ports, and a service started here would be a process nobody stops. Otherwise it stops the
 * run with the exact command to type. .ci/run calls the same script.
 *
 * Exit codes: 0 all present (or installed now), 1 missing and cannot install, 2 not a
 * Debian-family machine.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';

const LIST = path.join(import.meta.dirname, 'debian-packages.txt');
const POLICY = '/usr/sbin/policy-rc.d';

/** The package names of the list: one per line, `#` starts a comment. */
export function readPackageList(text: string): string[] {
  return text
    .split('\n')
    .map((l) => l.replace(/#.*/, '').trim())
    .filter((l) => l.length > 0)
    .map((l) => {
      if (!/^[a-z0-9][a-z0-9+.-]+$/.test(l)) throw new Error(`${LIST}: "${l}" is not a Debian package name (one name per line, # for comments)`);
      return l;
    });
}

/** The packages of `wanted` dpkg does not list as installed. */
export function missingPackages(wanted: readonly string[]): string[] {
  const r = spawnSync('dpkg-query', ['-W', '-f=${Package} ${db:Status-Abbrev}\\n', ...wanted], { encoding: 'utf8' });
  const installed = new Set<string>();
  for (const line of (r.stdout ?? '').split('\n')) {
    const [name, status] = line.trim().split(/\s+/);
    // "ii" is installed; "rc" (removed, config left) and "un" are not.
    if (name && status === 'ii') installed.add(name.replace(/:.*/, ''));
  }
  return wanted.filter((p) => !installed.has(p));
}

function isRoot(): boolean {
  return typeof process.getuid === 'function' && process.getuid() === 0;
}

function canSudo(): boolean {
  return spawnSync('sudo', ['-n', 'true'], { stdio: 'ignore' }).status === 0;
}

function run(prefix: string[], cmd: string[]): boolean {
  const [bin, ...args] = [...prefix, ...cmd];
  const r = spawnSync(bin!, args, { stdio: ['ignore', 'ignore', 'inherit'], env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' } });
  return r.status === 0;
}

function main(): number {
  if (!existsSync('/usr/bin/dpkg-query')) {
    console.error(
      'watchpost tests: this is not a Debian-family machine (no dpkg-query). The tests start real peers from Debian packages;\n' +
        `install the equivalents of ${LIST} yourself, or run the tests on Debian/Ubuntu.`,
    );
    return 2;
  }
  const wanted = readPackageList(readFileSync(LIST, 'utf8'));
  const missing = missingPackages(wanted);
  if (missing.length === 0) return notes();
  const install = ['apt-get', 'install', '-y', '-qq', '--no-install-recommends', ...missing];
  const prefix = isRoot() ? [] : canSudo() ? ['sudo', '-n'] : undefined;
  if (!prefix) {
    console.error(
      `watchpost tests: missing Debian packages the tests run as peers: ${missing.join(' ')}\nInstall them, then run npm test again:\n\n  sudo apt-get update && sudo ${install.join(' ')}\n`,
    );
    return 1;
  }
  console.error(`watchpost tests: installing missing Debian packages: ${missing.join(' ')}`);
  // Deny service starts only if nobody else has a policy in place; remove only ours.
  let ownPolicy = false;
  if (!existsSync(POLICY)) {
    const ok =
      prefix.length === 0
        ? (writeFileSync(POLICY, '#!/bin/sh\n# written by watchpost test/peers/ensure-debian.ts during apt-get install\nexit 101\n', { mode: 0o755 }), true)
        : run(prefix, ['sh', '-c', `printf '#!/bin/sh\\nexit 101\\n' > ${POLICY} && chmod 755 ${POLICY}`]);
    ownPolicy = ok;
  }
  try {
    if (!run(prefix, ['apt-get', 'update', '-qq']) || !run(prefix, install)) {
      console.error(`watchpost tests: apt-get failed; the command was:\n\n  ${[...prefix, ...install].join(' ')}\n`);
      return 1;
    }
  } finally {
    if (ownPolicy) {
      if (prefix.length === 0) rmSync(POLICY, { force: true });
      else run(prefix, ['rm', '-f', POLICY]);
    }
  }
  const still = missingPackages(wanted);
  if (still.length) {
    console.error(`watchpost tests: still missing after apt-get install: ${still.join(' ')}`);
    return 1;
  }
  return notes();
}

/** The one line the summary gets about tests that can only run elsewhere. */
function notes(): number {
  if (!isRoot()) {
    console.error(
      'watchpost tests: not root — the tests that need network namespaces or a tmpfs mount (ping, onvif discovery, partition, disk full) are skipped; CI runs them as root.',
    );
  }
  return 0;
}

if (import.meta.main) process.exit(main());
