/**
 * Windows: products registered in Windows Security Center (root/SecurityCenter2
 * AntiVirusProduct — Defender, and domestic products such as Huorong and 360 that register
 * there) plus Microsoft Defender's own detail from Get-MpComputerStatus. One PowerShell script
 * in the agent's session, printing one JSON object. Server editions have no Security Center:
 * Defender's status alone then says whether the machine is protected.
 */
export const AV_SCRIPT = `
$r = @{ products = @(); defender = $null; errors = @{} }
function EpochS($d) { if ($d -and $d.Year -gt 1601) { [int64](([DateTimeOffset]$d).ToUnixTimeSeconds()) } else { $null } }
try {
  $r.products = @(Get-CimInstance -Namespace root/SecurityCenter2 -ClassName AntiVirusProduct -ErrorAction Stop | ForEach-Object {
    @{ name = $_.displayName; state = [int64]$_.productState; exe = $_.pathToSignedProductExe }
  })
} catch { $r.errors.wsc = '' + $_.Exception.HResult }
try {
  $m = Get-MpComputerStatus -ErrorAction Stop
  $r.defender = @{
    service_enabled = [bool]$m.AMServiceEnabled; antivirus_enabled = [bool]$m.AntivirusEnabled
    realtime = [bool]$m.RealTimeProtectionEnabled; signature_age_days = $m.AntivirusSignatureAge
    signature_updated_s = EpochS $m.AntivirusSignatureLastUpdated
    quick_scan_s = EpochS $m.QuickScanEndTime; full_scan_s = EpochS $m.FullScanEndTime
    running_mode = '' + $m.AMRunningMode
  }
} catch { $r.errors.defender = '' + $_.Exception.HResult }
$r | ConvertTo-Json -Compress -Depth 4
`;

export interface WscProduct {
  name: string;
  state: number;
  exe?: string | null;
}

export interface DefenderStatus {
  service_enabled?: boolean;
  antivirus_enabled?: boolean;
  realtime?: boolean;
  signature_age_days?: number | null;
  signature_updated_s?: number | null;
  quick_scan_s?: number | null;
  full_scan_s?: number | null;
  /** Normal, Passive (another product is primary), EDR Block Mode, SxS Passive. */
  running_mode?: string | null;
}

export interface AvReport {
  products?: WscProduct[] | WscProduct | null;
  defender?: DefenderStatus | null;
  errors?: Record<string, string> | null;
}

/**
 * Security Center's productState, as documented by the community since Vista (Microsoft has not
 * published it): bits 12–15 = 1 when the real-time scanner is on, bits 4–7 = 0 when signatures
 * are up to date (1 = out of date). 397568 = 0x061100: Defender on, up to date.
 */
export function decodeProductState(state: number): { enabled: boolean; up_to_date: boolean } {
  return { enabled: ((state >> 12) & 0xf) === 1, up_to_date: ((state >> 4) & 0xf) === 0 };
}

export function parseAvReport(text: string): AvReport | undefined {
  const a = text.indexOf('{');
  const b = text.lastIndexOf('}');
  if (a < 0 || b < a) return undefined;
  try {
    return JSON.parse(text.slice(a, b + 1)) as AvReport;
  } catch {
    return undefined;
  }
}

/** Defender registers in Security Center with a windowsdefender:// path in every display language. */
export const isDefender = (p: WscProduct): boolean => /^windowsdefender:/i.test(p.exe ?? '');
