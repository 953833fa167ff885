/**
 * The PowerShell that lists installed software on Windows, run in the agent's persistent
 * PowerShell session (platform.powershell; the host probe starts it). It only reads and
 * prints raw values as JSON: every decision (what is an update, what counts as a system
 * component, dates, architectures, Office editions) is made in TypeScript (windows.ts),
 * where tests hold it to fixtures in the shapes this script prints.
 *
 * - Uninstall keys through .NET's registry views: LocalMachine 64-bit and 32-bit view (the
 *   latter is HKLM\SOFTWARE\WOW6432Node), and every user hive loaded under HKEY_USERS, so
 *   per-user installs (WPS, WeChat, VS Code user setup) are seen even when the agent runs as
 *   SYSTEM (osquery's `programs` misses them then, its issue #2732). Only logged-on users'
 *   hives are loaded: `hives` lists those read, so the collector keeps what it knows of the
 *   others instead of taking a log-off for an uninstall. Each entry carries its
 *   key's last-write time (RegQueryInfoKey), the install date when InstallDate is empty.
 * - MSIX/AppX packages for all users when the account may list them (SYSTEM and admins),
 *   otherwise the agent account's own.
 * - SoftwareLicensingProduct rows that hold a product key: Windows and Office (2013+)
 *   activation; OfficeSoftwareProtectionProduct for Office 2010 where that class exists.
 * - Win32_OperatingSystem and the CurrentVersion key for the edition; the Click-to-Run
 *   configuration key for Office 365/2016+ C2R products.
 * Non-ASCII characters are escaped (\uXXXX) so the output survives any console code page.
 * The whole script is one script block (`& { … }`): the persistent session reads commands
 * from stdin, where a script of many statements would run piecemeal as lines arrive, and its
 * variables and $ErrorActionPreference stay out of the session shared with other probes.
 * Read-Uninstall reaches $r through PowerShell's dynamic scoping (it only calls methods on it).
 */
export const SOFTWARE_SCRIPT = String.raw`& {
$ErrorActionPreference = 'Stop'
if (-not ('WatchpostRegTime' -as [type])) {
Add-Type -TypeDefinition @'
using System;
using System.Runtime.InteropServices;
using Microsoft.Win32;
using Microsoft.Win32.SafeHandles;
public static class WatchpostRegTime {
  [DllImport("advapi32.dll", CharSet = CharSet.Unicode)]
  static extern int RegQueryInfoKey(SafeRegistryHandle h, IntPtr c, IntPtr cc, IntPtr r, IntPtr sk, IntPtr msk, IntPtr mc, IntPtr v, IntPtr mvn, IntPtr mv, IntPtr sd, out long ft);
  public static long EpochS(RegistryKey k) {
    long ft;
    if (RegQueryInfoKey(k.Handle, IntPtr.Zero, IntPtr.Zero, IntPtr.Zero, IntPtr.Zero, IntPtr.Zero, IntPtr.Zero, IntPtr.Zero, IntPtr.Zero, IntPtr.Zero, IntPtr.Zero, out ft) != 0) return 0;
    return (ft - 116444736000000000L) / 10000000L;
  }
}
'@
}
$r = @{ entries = [System.Collections.ArrayList]::new(); msix = [System.Collections.ArrayList]::new(); licenses = [System.Collections.ArrayList]::new(); hives = [System.Collections.ArrayList]::new(); errors = @{} }
$UninstallPath = 'SOFTWARE\Microsoft\Windows\CurrentVersion\Uninstall'
$ValueNames = 'DisplayName','DisplayVersion','Publisher','InstallDate','InstallLocation','SystemComponent','ParentKeyName','ReleaseType','WindowsInstaller'
function Read-Uninstall($base, $path, $hive, $sid) {
  $k = $base.OpenSubKey($path)
  if (-not $k) { return }
  foreach ($n in $k.GetSubKeyNames()) {
    try {
      $s = $k.OpenSubKey($n)
      if (-not $s) { continue }
      $e = @{ key = $n; hive = $hive; sid = $sid; lw = [WatchpostRegTime]::EpochS($s) }
      foreach ($vn in $ValueNames) { $x = $s.GetValue($vn); if ($null -ne $x) { $e[$vn] = '' + $x } }
      $s.Close()
      if ($e.DisplayName) { [void]$r.entries.Add($e) }
    } catch { $r.errors["$hive\$n"] = '' + $_.Exception.HResult }
  }
  $k.Close()
}
$is64 = [Environment]::Is64BitOperatingSystem
# Assigned, not output from an if: PowerShell would unroll a one-element array of arrays.
$views = @(,@('Registry32','HKLM32'))
if ($is64) { $views = @(@('Registry64','HKLM64'), @('Registry32','HKLM32')) }
foreach ($vw in $views) {
  $b = [Microsoft.Win32.RegistryKey]::OpenBaseKey('LocalMachine', $vw[0])
  Read-Uninstall $b $UninstallPath $vw[1] ''
  $b.Close()
}
$hku = [Microsoft.Win32.RegistryKey]::OpenBaseKey('Users', 'Default')
foreach ($sid in $hku.GetSubKeyNames()) {
  if ($sid -notmatch '^S-1-(5-21|12-1)-[\d-]+$') { continue }
  [void]$r.hives.Add($sid)
  Read-Uninstall $hku "$sid\$UninstallPath" 'HKU' $sid
  if ($is64) { Read-Uninstall $hku "$sid\SOFTWARE\WOW6432Node\Microsoft\Windows\CurrentVersion\Uninstall" 'HKU32' $sid }
}
$hku.Close()
try {
  $all = $true
  try { $pk = @(Get-AppxPackage -AllUsers) } catch { $all = $false; $pk = @(Get-AppxPackage) }
  $me = [Security.Principal.WindowsIdentity]::GetCurrent().User.Value
  $r.msix_all = $all; $r.me = $me
  foreach ($p in $pk) {
    $users = @()
    if ($all) { foreach ($ui in $p.PackageUserInformation) { $users += @{ sid = '' + $ui.UserSecurityId.Sid; state = '' + $ui.InstallState } } }
    else { $users = @(@{ sid = $me; state = 'Installed' }) }
    $created = 0
    try { if ($p.InstallLocation) { $created = [int64](([DateTimeOffset](Get-Item -LiteralPath $p.InstallLocation).CreationTimeUtc).ToUnixTimeSeconds()) } } catch {}
    [void]$r.msix.Add(@{ name = '' + $p.Name; full = '' + $p.PackageFullName; version = '' + $p.Version; publisher = '' + $p.Publisher; arch = '' + $p.Architecture; location = '' + $p.InstallLocation; framework = [bool]$p.IsFramework; signature = '' + $p.SignatureKind; created = $created; users = $users })
  }
} catch { $r.errors.msix = '' + $_.Exception.HResult }
try {
  $os = Get-CimInstance -ClassName Win32_OperatingSystem
  $cv = Get-ItemProperty 'HKLM:\SOFTWARE\Microsoft\Windows NT\CurrentVersion'
  $r.os = @{ caption = '' + $os.Caption; version = '' + $os.Version; edition_id = '' + $cv.EditionID; display_version = '' + $cv.DisplayVersion; ubr = '' + $cv.UBR; product_type = [int]$os.ProductType }
} catch { $r.errors.os = '' + $_.Exception.HResult }
foreach ($cls in 'SoftwareLicensingProduct','OfficeSoftwareProtectionProduct') {
  try {
    foreach ($l in @(Get-CimInstance -ClassName $cls -Filter 'PartialProductKey IS NOT NULL')) {
      [void]$r.licenses.Add(@{ class = $cls; application_id = '' + $l.ApplicationID; name = '' + $l.Name; description = '' + $l.Description; status = [int]$l.LicenseStatus; grace_min = [int64]$l.GracePeriodRemaining })
    }
  } catch { if ($cls -eq 'SoftwareLicensingProduct') { $r.errors.licensing = '' + $_.Exception.HResult } }
}
try {
  $c2r = Get-ItemProperty 'HKLM:\SOFTWARE\Microsoft\Office\ClickToRun\Configuration' -ErrorAction Stop
  $r.c2r = @{ products = '' + $c2r.ProductReleaseIds; version = '' + $c2r.VersionToReport; platform = '' + $c2r.Platform; channel = '' + $c2r.CDNBaseUrl }
} catch {}
$j = $r | ConvertTo-Json -Compress -Depth 5
[regex]::Replace($j, '[^\x00-\x7f]', { param($m) '\u{0:x4}' -f [int][char]$m.Value })
}
`;
