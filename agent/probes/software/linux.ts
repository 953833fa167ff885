import path from 'node:path';
import type { Platform } from '../platform/platform.ts';
import { parseOsRelease } from '../patches/linux.ts';
import { localDate, type OsInfo, type SoftwareItem } from './inventory.ts';

const C = { LC_ALL: 'C.UTF-8', LANG: 'C.UTF-8' };

/**
 * dpkg-query's format: the package's full status ("install ok installed" for an installed one;
 * deinstall/half-configured/config-files rows are skipped), the name dpkg files it under
 * (name:arch for Multi-Arch: same), name, version, architecture, maintainer.
 */
export const DPKG_FORMAT = '${Status}\\t${binary:Package}\\t${Package}\\t${Version}\\t${Architecture}\\t${Maintainer}\\n';

/** A dpkg row with the name dpkg keeps its file list under, to date it. */
export interface DpkgRow extends SoftwareItem {
  infoName: string;
}

/** Publisher of a Debian package: the maintainer's name without the address. */
function maintainerName(m: string): string {
  return m.replace(/\s*<[^>]*>\s*$/, '').trim();
}

/** Parses `dpkg-query -W -f=DPKG_FORMAT` output; only packages whose status is "install ok installed". */
export function parseDpkg(text: string): DpkgRow[] {
  const out: DpkgRow[] = [];
  for (const line of text.split('\n')) {
    const f = line.split('\t');
    if (f.length < 6 || f[0] !== 'install ok installed') continue;
    out.push({
      infoName: f[1]!,
      name: f[2]!,
      version: f[3]!,
      arch: f[4]!,
      publisher: maintainerName(f.slice(5).join('\t')),
      install_date: null,
      install_location: '',
      source: 'dpkg',
      scope: 'machine',
    });
  }
  return out;
}

/** rpm's query format: name, epoch ("(none)" without one), version, release, arch, vendor, install time (epoch s). */
export const RPM_FORMAT = '%{NAME}\\t%{EPOCH}\\t%{VERSION}\\t%{RELEASE}\\t%{ARCH}\\t%{VENDOR}\\t%{INSTALLTIME}\\n';

const NONE = (v: string | undefined) => (v === undefined || v === '(none)' ? '' : v);

/**
 * Parses `rpm -qa --queryformat RPM_FORMAT`. Versions are written as rpm writes them
 * ([epoch:]version-release). gpg-pubkey entries are the keys rpm trusts, not software: skipped.
 */
export function parseRpm(text: string): SoftwareItem[] {
  const out: SoftwareItem[] = [];
  for (const line of text.split('\n')) {
    const f = line.split('\t');
    if (f.length < 7 || f[0] === 'gpg-pubkey') continue;
    const epoch = NONE(f[1]);
    const t = Number(f[6]);
    out.push({
      name: f[0]!,
      version: `${epoch ? `${epoch}:` : ''}${f[2]}${NONE(f[3]) ? `-${f[3]}` : ''}`,
      arch: NONE(f[4]),
      publisher: NONE(f[5]),
      install_date: Number.isFinite(t) && t > 0 ? localDate(t * 1000) : null,
      install_location: '',
      source: 'rpm',
      scope: 'machine',
    });
  }
  return out;
}

/** `snap list --unicode=never --color=never`: whitespace columns Name Version Rev Tracking Publisher Notes. */
export function parseSnapList(text: string): SoftwareItem[] {
  const out: SoftwareItem[] = [];
  const lines = text.split('\n');
  if (!/^Name\s+Version\s+Rev/.test(lines[0] ?? '')) return out;
  for (const line of lines.slice(1)) {
    const f = line.trim().split(/\s+/);
    if (f.length < 5) continue;
    // Verified publishers carry a mark: "canonical**" (--unicode=never) or "canonical✓".
    const pub = f[4]!.replace(/(\*\*|✓|\*)$/u, '');
    out.push({
      name: f[0]!,
      version: f[1]!,
      arch: '',
      publisher: pub === '-' ? '' : pub,
      install_date: null,
      install_location: `/snap/${f[0]}`,
      source: 'snap',
      scope: 'machine',
    });
  }
  return out;
}

/** The columns asked of `flatpak list --app`. */
export const FLATPAK_COLUMNS = 'application,name,version,arch,origin,installation';

/** `flatpak list --app --columns=FLATPAK_COLUMNS`: one tab-separated row per app (a header line, if printed, is skipped). */
export function parseFlatpakList(text: string): SoftwareItem[] {
  const out: SoftwareItem[] = [];
  for (const line of text.split('\n')) {
    const f = line.split('\t');
    if (f.length < 6 || f[0] === 'Application ID' || f[0] === 'Application') continue;
    const inst = f[5]!.trim();
    out.push({
      name: f[1]!.trim() || f[0]!,
      version: f[2]!.trim(),
      arch: f[3]!.trim(),
      publisher: f[4]!.trim(),
      install_date: null,
      install_location: f[0]!,
      source: 'flatpak',
      scope: inst === 'system' || inst === '' ? 'machine' : 'user',
    });
  }
  return out;
}

/** A UOS/Deepin app-store app's `info` file (only the fields used). */
export interface UosInfo {
  appid?: unknown;
  name?: unknown;
  version?: unknown;
  arch?: unknown;
}

/** One app from /opt/apps/<appid>/info, or undefined when the file is not an app description. */
export function parseUosInfo(dir: string, text: string): SoftwareItem | undefined {
  let j: UosInfo;
  try {
    j = JSON.parse(text) as UosInfo;
  } catch {
    return undefined;
  }
  const appid = typeof j.appid === 'string' && j.appid ? j.appid : path.basename(dir);
  const arch = Array.isArray(j.arch) ? j.arch.filter((a) => typeof a === 'string').join(',') : typeof j.arch === 'string' ? j.arch : '';
  return {
    name: typeof j.name === 'string' && j.name ? j.name : appid,
    version: typeof j.version === 'string' ? j.version : '',
    arch,
    publisher: '',
    install_date: null,
    install_location: dir,
    source: 'uos',
    scope: 'machine',
  };
}

/** UOS /etc/os-version (INI): the English EditionName (专业版 → Professional). */
function uosEdition(text: string): string {
  return /^EditionName\s*=\s*(.+)$/m.exec(text)?.[1]?.trim() ?? '';
}

/** Distributions with a licence activation we cannot read yet: their state is unknown, never "not applicable". */
const ACTIVATED_DISTROS = new Set(['uos', 'kylin', 'rhel']);

export async function linuxOs(platform: Platform): Promise<OsInfo> {
  const rel = parseOsRelease((await platform.readFile('/etc/os-release'))?.toString('utf8') ?? '');
  const id = rel.ID ?? '';
  let edition = rel.VARIANT ?? rel.VARIANT_ID ?? '';
  const osv = await platform.readFile('/etc/os-version');
  if (osv) edition = uosEdition(osv.toString('utf8')) || edition;
  const like = `${id} ${rel.ID_LIKE ?? ''}`.split(/\s+/);
  return {
    name: rel.NAME ?? 'Linux',
    version: rel.VERSION_ID ?? rel.VERSION ?? '',
    edition,
    activation: like.some((x) => ACTIVATED_DISTROS.has(x)) && !like.includes('fedora') ? 'unknown' : 'not_applicable',
  };
}

/** rpm's database in its sqlite (RHEL 9, Kylin V10 SP3), Berkeley DB and ndb forms, at the classic and the /usr/lib/sysimage location. */
export const RPM_DATABASES = ['rpmdb.sqlite', 'Packages', 'Packages.db'].flatMap((f) => [`/var/lib/rpm/${f}`, `/usr/lib/sysimage/rpm/${f}`]);

async function anyExists(platform: Platform, files: string[]): Promise<boolean> {
  return (await Promise.all(files.map((f) => platform.exists(f)))).some(Boolean);
}

export interface LinuxInventory {
  items: SoftwareItem[];
  errors: Record<string, string>;
}

export interface LinuxSourcesOptions {
  uosAppsDir: string;
  /** Extra arguments for rpm (tests: --dbpath DIR). */
  rpmArgs?: string[];
  /** Where dpkg keeps its per-package file lists (their mtime is the install/upgrade date). */
  dpkgInfoDir?: string;
  /** Directory listing for the UOS apps folder (the platform has none). */
  listDir(dir: string): Promise<string[]>;
}

/**
 * Every Linux source that exists on the machine. A tool that is not installed is not an
 * error (a Debian machine has no rpm database); a tool that is there and fails is, and
 * lands in `errors` by source.
 */
export async function linuxInventory(platform: Platform, o: LinuxSourcesOptions, signal?: AbortSignal): Promise<LinuxInventory> {
  const errors: Record<string, string> = {};
  const items: SoftwareItem[] = [];
  const failed = (src: string, r: { error_class: string; code: number | null }) => {
    if (r.error_class === 'not_found') return true;
    if (r.error_class || r.code !== 0) {
      errors[src] = r.error_class || 'tool_failed';
      return true;
    }
    return false;
  };
  const [dpkg, rpm, snap, flatpak] = await Promise.all([
    platform.exec('dpkg-query', ['-W', `-f=${DPKG_FORMAT}`], { signal, env: C, timeoutMs: 60_000 }),
    // Debian's rpm package brings the tool and an empty /var/lib/rpm: rpm is asked only when a database file exists.
    o.rpmArgs || (await anyExists(platform, RPM_DATABASES))
      ? platform.exec('rpm', ['-qa', ...(o.rpmArgs ?? []), '--queryformat', RPM_FORMAT], { signal, env: C, timeoutMs: 60_000 })
      : undefined,
    platform
      .exists('/usr/bin/snap')
      .then((y) => (y ? platform.exec('snap', ['list', '--unicode=never', '--color=never'], { signal, env: C, timeoutMs: 30_000 }) : undefined)),
    platform
      .exists('/usr/bin/flatpak')
      .then((y) => (y ? platform.exec('flatpak', ['list', '--app', `--columns=${FLATPAK_COLUMNS}`], { signal, env: C, timeoutMs: 30_000 }) : undefined)),
  ]);
  const dpkgRows = failed('dpkg', dpkg) ? [] : parseDpkg(dpkg.stdout.toString('utf8'));
  const infoDir = o.dpkgInfoDir ?? '/var/lib/dpkg/info';
  // dpkg keeps no install time; its file list is rewritten at every install or upgrade of the package.
  const lists = dpkgRows.map((r) => `${infoDir}/${r.infoName}.list`);
  const mtimes = platform.mtimes ? await platform.mtimes(lists) : await Promise.all(lists.map((f) => platform.mtime(f)));
  const uos = await uosApps(platform, o);
  const uosIds = new Set(uos.map((a) => path.basename(a.install_location)));
  dpkgRows.forEach((r, i) => {
    const m = mtimes[i];
    const item: SoftwareItem = {
      name: r.name,
      version: r.version,
      publisher: r.publisher,
      arch: r.arch,
      install_date: null,
      install_location: '',
      source: 'dpkg',
      scope: 'machine',
    };
    // The app-store package is listed once, under the app's own name and version (below).
    if (uosIds.has(item.name)) {
      const app = uos.find((a) => path.basename(a.install_location) === item.name)!;
      app.publisher ||= item.publisher;
      app.install_date ??= m !== undefined ? localDate(m) : null;
      return;
    }
    items.push({ ...item, install_date: m !== undefined ? localDate(m) : null });
  });
  items.push(...uos);
  if (rpm && !failed('rpm', rpm)) items.push(...parseRpm(rpm.stdout.toString('utf8')));
  if (snap && !failed('snap', snap)) items.push(...parseSnapList(snap.stdout.toString('utf8')));
  if (flatpak && !failed('flatpak', flatpak)) items.push(...parseFlatpakList(flatpak.stdout.toString('utf8')));
  return { items, errors };
}

async function uosApps(platform: Platform, o: LinuxSourcesOptions): Promise<SoftwareItem[]> {
  const out: SoftwareItem[] = [];
  let dirs: string[];
  try {
    dirs = await o.listDir(o.uosAppsDir);
  } catch {
    return out;
  }
  for (const d of dirs.sort()) {
    const dir = path.join(o.uosAppsDir, d);
    const text = await platform.readFile(path.join(dir, 'info'));
    if (!text) continue;
    const app = parseUosInfo(dir, text.toString('utf8'));
    if (app) out.push(app);
  }
  return out;
}
