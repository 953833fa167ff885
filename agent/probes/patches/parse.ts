/**
 * Parsers for what package managers and Windows print about updates. Pure functions over text
 * (already decoded), so each is tested on recorded outputs.
 */

export interface Pending {
  name: string;
  security: boolean;
}

/** A pocket/repo is a security one when its name says so: Debian `*-security`, Ubuntu `jammy-security`, UOS/Kylin `*-security`. */
const SECURITY_POCKET = /(?:^|[-/,])security\b|Debian-Security|updates-security/i;

/**
 * `apt list --upgradable` (any locale: the lines themselves are not translated):
 * `name/suite1,suite2 version arch [upgradable from: old]`.
 */
export function parseAptList(text: string): Pending[] {
  const out: Pending[] = [];
  for (const line of text.split('\n')) {
    const m = /^([a-z0-9][a-z0-9+.-]*)\/(\S+)\s+\S+\s+\S+\s+\[/.exec(line);
    if (!m) continue;
    out.push({ name: m[1]!, security: m[2]!.split(',').some((s) => SECURITY_POCKET.test(s)) });
  }
  return out;
}

/** `apt-get -s dist-upgrade`: `Inst name [old] (new Origin:ver/suite, Origin2/suite2 [arch])`. */
export function parseAptGetSimulate(text: string): Pending[] {
  const out: Pending[] = [];
  for (const line of text.split('\n')) {
    const m = /^Inst (\S+)(?: \[[^\]]*\])? \((\S+) ([^[]*)\[/.exec(line);
    if (!m) continue;
    out.push({ name: m[1]!, security: m[3]!.split(',').some((s) => SECURITY_POCKET.test(s.trim())) });
  }
  return out;
}

/**
 * The newest package upgrade in dpkg's log (`2026-11-24 10:00:01 upgrade pkg:amd64 old new`),
 * in epoch ms. Installs of new packages are not patches and are ignored. dpkg logs local time.
 */
export function lastDpkgUpgrade(...logs: string[]): number | undefined {
  let best: number | undefined;
  for (const log of logs) {
    for (const m of log.matchAll(/^(\d{4})-(\d\d)-(\d\d) (\d\d):(\d\d):(\d\d) upgrade /gm)) {
      const t = new Date(+m[1]!, +m[2]! - 1, +m[3]!, +m[4]!, +m[5]!, +m[6]!).getTime();
      if (best === undefined || t > best) best = t;
    }
  }
  return best;
}

/** `dnf -q check-update` (exit 100 when updates exist): `name.arch  version  repo` until "Obsoleting Packages". */
export function parseDnfCheckUpdate(text: string): string[] {
  const out: string[] = [];
  for (const line of text.split('\n')) {
    if (/^Obsoleting/i.test(line)) break;
    const m = /^(\S+)\.(\w+)\s+(\S+)\s+(\S+)\s*$/.exec(line);
    if (m && /\d/.test(m[3]!)) out.push(m[1]!);
  }
  return out;
}

/** `dnf -q updateinfo list --security`: `RLSA-2024:1234 Important/Sec. name-ver-rel.arch`; returns package names. */
export function parseDnfUpdateinfo(text: string): string[] {
  const names = new Set<string>();
  for (const line of text.split('\n')) {
    const m = /^\S+\s+\S*\/Sec\.\s+(\S+)\s*$/.exec(line);
    if (!m) continue;
    // name-version-release.arch: the name is what precedes the last two dash-separated parts.
    const nevra = m[1]!.replace(/\.[^.]+$/, '');
    names.add(nevra.split('-').slice(0, -2).join('-'));
  }
  return [...names];
}

export interface HotFix {
  id: string;
  /** Install date in epoch ms (local midnight), when Windows recorded one. */
  installed?: number | undefined;
  description?: string | undefined;
}

/**
 * `wmic qfe` / `wmic qfe list full` table output, decoded. Columns are found from the header by
 * position (the header names are not translated; values such as InstalledBy are). InstalledOn
 * is M/D/YYYY in every locale (WMI stores it that way), sometimes a hex FILETIME.
 */
export function parseWmicQfe(text: string): HotFix[] {
  const lines = text.split(/\r?\n/);
  const h = lines.findIndex((l) => /\bHotFixID\b/.test(l) && /\bInstalledOn\b/.test(l));
  if (h < 0) return [];
  const header = lines[h]!;
  const cols = [...header.matchAll(/\S+/g)].map((m) => ({ name: m[0], start: m.index }));
  const col = (line: string, name: string) => {
    const i = cols.findIndex((c) => c.name === name);
    if (i < 0) return '';
    return line.slice(cols[i]!.start, cols[i + 1]?.start ?? line.length).trim();
  };
  const out: HotFix[] = [];
  for (const line of lines.slice(h + 1)) {
    const id = col(line, 'HotFixID');
    if (!/^KB\d+/i.test(id)) continue;
    // Columns right of InstalledBy can shift: wmic pads by its own width of non-ASCII names
    // (the ru-RU recording), so the date is found by its shape rather than its column.
    const date = /\b(\d{1,2}\/\d{1,2}\/\d{4})\b/.exec(line.slice(cols.find((c) => c.name === 'HotFixID')!.start))?.[1];
    out.push({ id, installed: parseQfeDate(date ?? col(line, 'InstalledOn')), description: col(line, 'Description') || undefined });
  }
  return out;
}

export function parseQfeDate(s: string): number | undefined {
  const m = /^(\d{1,2})\/(\d{1,2})\/(\d{4})$/.exec(s);
  if (m) return new Date(+m[3]!, +m[1]! - 1, +m[2]!).getTime();
  const hex = /^([0-9a-f]{15,16})$/i.exec(s);
  // FILETIME: 100 ns ticks since 1601-01-01 UTC.
  if (hex) return Number(BigInt(`0x${hex[1]}`) / 10000n) - 11_644_473_600_000;
  return undefined;
}

export interface SystemInfo {
  os_name?: string | undefined;
  os_version?: string | undefined;
  os_build?: string | undefined;
  hotfixes: string[];
  /** Original install date, epoch ms local time, when the date format was recognised. */
  install_date?: number | undefined;
}

/**
 * `systeminfo` in any language, decoded (GBK on zh-CN). Labels are translated, so values are
 * found by shape: the version line is the one whose value starts with `N.N.NNNNN`; hotfixes are
 * the `[NN]: KBnnnn` lines; the first two date-shaped values are install date and boot time.
 */
export function parseSysteminfo(text: string): SystemInfo {
  const lines = text.split(/\r?\n/);
  const value = (l: string) => l.replace(/^[^:]*:\s*/, '');
  const out: SystemInfo = { hotfixes: [] };
  for (const [i, l] of lines.entries()) {
    const v = value(l);
    const ver = /^(\d+\.\d+\.(\d+))\b/.exec(v);
    if (ver && !out.os_version) {
      out.os_version = ver[1];
      out.os_build = ver[2];
      // The OS name is the line just above the version in every layout systeminfo has.
      out.os_name = value(lines[i - 1] ?? '').trim() || undefined;
    }
    const kb = /^\s+\[\d+\]:\s*(KB\d+)/i.exec(l);
    if (kb) out.hotfixes.push(kb[1]!);
    if (out.install_date === undefined) {
      // zh-CN 2019/1/24, 9:46:29 · en-US 1/24/2019, 9:46:29 AM · de-DE 24.01.2019, 09:46:29
      const ymd = /^(\d{4})\/(\d{1,2})\/(\d{1,2}),\s*(\d{1,2}):(\d\d):(\d\d)/.exec(v);
      const mdy = /^(\d{1,2})\/(\d{1,2})\/(\d{4}),\s*(\d{1,2}):(\d\d):(\d\d)\s*(AM|PM)?/i.exec(v);
      if (ymd) out.install_date = new Date(+ymd[1]!, +ymd[2]! - 1, +ymd[3]!, +ymd[4]!, +ymd[5]!, +ymd[6]!).getTime();
      else if (mdy) {
        const ampm = mdy[7]?.toUpperCase();
        const hr = ampm === 'PM' ? (+mdy[4]! % 12) + 12 : ampm === 'AM' ? +mdy[4]! % 12 : +mdy[4]!;
        out.install_date = new Date(+mdy[3]!, +mdy[1]! - 1, +mdy[2]!, hr, +mdy[5]!, +mdy[6]!).getTime();
      }
    }
  }
  return out;
}

/** What the probe's PowerShell script prints (one JSON object); see windows.ts. */
export interface WindowsUpdateReport {
  pending?: number | null;
  security_pending?: number | null;
  security_titles?: string[] | null;
  last_success_s?: number | null;
  last_hotfix_s?: number | null;
  hotfixes?: number | null;
  reboot_required?: boolean | null;
  errors?: Record<string, string> | null;
}

export function parseWindowsUpdateReport(text: string): WindowsUpdateReport | undefined {
  const start = text.indexOf('{');
  const end = text.lastIndexOf('}');
  if (start < 0 || end < start) return undefined;
  try {
    const v = JSON.parse(text.slice(start, end + 1)) as unknown;
    return typeof v === 'object' && v !== null ? (v as WindowsUpdateReport) : undefined;
  } catch {
    return undefined;
  }
}
