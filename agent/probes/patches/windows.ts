import { decodeConsole } from '../platform/decode.ts';
import type { Platform } from '../platform/platform.ts';
import { parseSysteminfo, parseWindowsUpdateReport, parseWmicQfe } from './parse.ts';
import type { PatchState } from './probe.ts';

/**
 * Windows Update Agent through its COM API, in the agent's PowerShell session. The search uses
 * the agent's cached scan (Online=$false) unless online_search is set, so a run costs seconds,
 * not the minutes an online scan against WSUS can take. Security updates are recognised by
 * category GUID (Security Updates, Critical Updates) or an MSRC severity — never by the
 * localised category names.
 */
export function wuaScript(online: boolean): string {
  return `
$ErrorActionPreference = 'Stop'
$r = @{ errors = @{} }
function EpochS($d) { if ($d -and $d.Year -gt 1601) { [int64](([DateTimeOffset]$d).ToUnixTimeSeconds()) } else { $null } }
try {
  $s = New-Object -ComObject Microsoft.Update.Session
  $q = $s.CreateUpdateSearcher()
  $q.Online = $${online ? 'true' : 'false'}
  $res = $q.Search("IsInstalled=0 and IsHidden=0 and Type='Software'")
  $sec = 0; $titles = @()
  foreach ($u in $res.Updates) {
    $isSec = [bool]$u.MsrcSeverity
    foreach ($c in $u.Categories) { if ($c.CategoryID -in @('0fa1201d-4330-4fa8-8ae9-b877473b6441','e6cf1350-c01b-414d-a61f-263d14d133b4')) { $isSec = $true } }
    if ($isSec) { $sec++; if ($titles.Count -lt 20) { $titles += $u.Title } }
  }
  $r.pending = $res.Updates.Count; $r.security_pending = $sec; $r.security_titles = $titles
} catch { $r.errors.wua = '' + $_.Exception.HResult }
try { $r.last_success_s = EpochS((New-Object -ComObject Microsoft.Update.AutoUpdate).Results.LastInstallationSuccessDate) } catch { $r.errors.autoupdate = '' + $_.Exception.HResult }
try { $r.reboot_required = [bool](New-Object -ComObject Microsoft.Update.SystemInfo).RebootRequired } catch { $r.reboot_required = Test-Path 'HKLM:\\SOFTWARE\\Microsoft\\Windows\\CurrentVersion\\WindowsUpdate\\Auto Update\\RebootRequired' }
try {
  $hf = @(Get-CimInstance -ClassName Win32_QuickFixEngineering)
  $r.hotfixes = $hf.Count
  $last = $hf | Where-Object { $_.InstalledOn } | Sort-Object InstalledOn -Descending | Select-Object -First 1
  if ($last) { $r.last_hotfix_s = EpochS($last.InstalledOn) }
} catch { $r.errors.qfe = '' + $_.Exception.HResult }
$r | ConvertTo-Json -Compress -Depth 3
`;
}

/**
 * Pending and security updates from the Windows Update Agent, the last install from WUA or
 * the newest hotfix. When PowerShell gives nothing (blocked by policy, broken), falls back to
 * `wmic qfe` (UTF-16LE), then to `systeminfo` (console code page: GBK on zh-CN) for the
 * installed hotfix list; pending counts are then unknown and error_class says why.
 */
export async function windowsPatches(platform: Platform, online: boolean, signal?: AbortSignal): Promise<PatchState> {
  const st: PatchState = {
    os_family: 'windows',
    method: 'wua',
    pending: undefined,
    security_pending: undefined,
    reboot_required: undefined,
    error_class: '',
    security_names: [],
  };
  const rep = parseWindowsUpdateReport(await platform.powershell(wuaScript(online), signal));
  if (rep) {
    if (typeof rep.pending === 'number') st.pending = rep.pending;
    if (typeof rep.security_pending === 'number') st.security_pending = rep.security_pending;
    st.security_names = rep.security_titles ?? [];
    const last = Math.max(rep.last_success_s ?? 0, rep.last_hotfix_s ?? 0);
    if (last > 0) st.last_install_ms = last * 1000;
    if (typeof rep.reboot_required === 'boolean') st.reboot_required = rep.reboot_required;
    if (typeof rep.hotfixes === 'number') st.hotfixes = rep.hotfixes;
    if (rep.errors?.wua !== undefined) st.error_class = 'wua_failed';
    return st;
  }
  st.error_class = 'powershell_failed';
  const qfe = await platform.exec('wmic', ['qfe', 'get', 'HotFixID,InstalledOn,Description'], { signal, timeoutMs: 60_000 });
  if (!qfe.error_class && qfe.code === 0) {
    const fixes = parseWmicQfe(decodeConsole(qfe.stdout, await platform.codepage()));
    st.method = 'wmic';
    st.hotfixes = fixes.length;
    const last = Math.max(0, ...fixes.map((f) => f.installed ?? 0));
    if (last > 0) st.last_install_ms = last;
    return st;
  }
  // wmic is gone from Windows 11 24H2; systeminfo is everywhere but has no install dates.
  const si = await platform.exec('systeminfo', [], { signal, timeoutMs: 60_000 });
  if (!si.error_class && si.code === 0) {
    st.method = 'systeminfo';
    st.hotfixes = parseSysteminfo(decodeConsole(si.stdout, await platform.codepage())).hotfixes.length;
  }
  return st;
}
