<#
.SYNOPSIS
  Installs the Watchpost agent as a Windows service on an office PC.

.DESCRIPTION
  NOT YET RUN ON REAL WINDOWS. This script was written against the documented behaviour of
  Windows PowerShell 5.1 cmdlets and sc.exe, and has only been read, not executed, by the
  Watchpost team (no Windows machine in CI). Try it on one PC before rolling it out, and
  report what breaks.

  What it does, in order:
    1. Copies the Watchpost folder (this repository with node_modules, including the Node 24
       runtime that npm installs as node_modules\node) to -InstallDir.
    2. Copies the agent config, CA certificate and token file to C:\ProgramData\Watchpost,
       and restricts that folder to SYSTEM and Administrators (the token is a secret).
    3. Validates the config with `watchpost agent --check-config` (exits on error).
    4. Registers a service "WatchpostAgent" running as the virtual account
       "NT SERVICE\WatchpostAgent" (least privilege, not LocalSystem; ICMP echo through
       ping.exe needs no admin rights on Windows), started automatically (delayed),
       restarted on failure.
    5. Starts it.

  Windows services need a process that talks to the Service Control Manager. Node does not,
  so the service runs the agent through WinSW (https://github.com/winsw/winsw, MIT), a small
  wrapper executable the operator downloads once and passes with -WinSW (we do not download
  anything from this script). WinSW stops the service with Ctrl+C/CTRL_BREAK, which Node
  turns into SIGINT: the agent flushes its outbox as on Linux.

.EXAMPLE
  # As Administrator, from the unpacked Watchpost folder:
  .\deploy\windows\install-agent.ps1 -Config .\agent.yaml -CaFile .\ca.pem -TokenFile .\agent.token -WinSW .\WinSW-x64.exe

.EXAMPLE
  .\deploy\windows\install-agent.ps1 -Uninstall
#>
[CmdletBinding(DefaultParameterSetName = 'Install')]
param(
  [Parameter(ParameterSetName = 'Install', Mandatory = $true)][string]$Config,
  [Parameter(ParameterSetName = 'Install')][string]$CaFile,
  [Parameter(ParameterSetName = 'Install')][string]$TokenFile,
  [Parameter(ParameterSetName = 'Install', Mandatory = $true)][string]$WinSW,
  [Parameter(ParameterSetName = 'Install')][string]$InstallDir = "$env:ProgramFiles\Watchpost",
  [Parameter(ParameterSetName = 'Uninstall', Mandatory = $true)][switch]$Uninstall
)

$ErrorActionPreference = 'Stop'
$ServiceName = 'WatchpostAgent'
$DataRoot = Join-Path $env:ProgramData 'Watchpost'

function Assert-Admin {
  $id = [Security.Principal.WindowsIdentity]::GetCurrent()
  if (-not (New-Object Security.Principal.WindowsPrincipal $id).IsInRole([Security.Principal.WindowsBuiltInRole]::Administrator)) {
    throw 'Run this script from an elevated PowerShell (Run as Administrator).'
  }
}

function Restrict-Folder([string]$Path, [string]$ServiceAccount) {
  # Owner-only ACL: SYSTEM, Administrators and the service account; inheritance from the parent removed.
  $acl = New-Object System.Security.AccessControl.DirectorySecurity
  $acl.SetAccessRuleProtection($true, $false)
  foreach ($who in @('NT AUTHORITY\SYSTEM', 'BUILTIN\Administrators', $ServiceAccount)) {
    $rule = New-Object System.Security.AccessControl.FileSystemAccessRule($who, 'Modify', 'ContainerInherit,ObjectInherit', 'None', 'Allow')
    $acl.AddAccessRule($rule)
  }
  Set-Acl -Path $Path -AclObject $acl
}

Assert-Admin
$WinSWExe = Join-Path $InstallDir "$ServiceName.exe"

if ($Uninstall) {
  if (Get-Service -Name $ServiceName -ErrorAction SilentlyContinue) {
    Stop-Service -Name $ServiceName -ErrorAction SilentlyContinue
    if (Test-Path $WinSWExe) { & $WinSWExe uninstall } else { sc.exe delete $ServiceName | Out-Null }
  }
  Write-Host "Service removed. $InstallDir and $DataRoot (config, token, outbox) are left in place; delete them by hand if wanted."
  return
}

$Source = Resolve-Path (Join-Path $PSScriptRoot '..\..')
# The same Node flags and compile cache as deploy/systemd/watchpost-agent.service (see the
# comment there and docs/measurements.md): a smaller young generation, no optimising
# compilers, modules kept compiled across restarts.
$NodeFlags = '--max-semi-space-size=1 --no-opt --no-maglev --no-node-snapshot --optimize-for-size --no-sparkplug'
$CompileCache = Join-Path $DataRoot 'cache\compile'
$Node = Join-Path $InstallDir 'node_modules\node\bin\node.exe'
if (-not (Test-Path (Join-Path $Source 'node_modules\node'))) {
  throw "node_modules\node is missing in $($Source): run 'npm ci --omit=dev' there first (it installs the Node 24 runtime)."
}

Write-Host "Copying Watchpost to $InstallDir"
New-Item -ItemType Directory -Force -Path $InstallDir | Out-Null
robocopy $Source $InstallDir /MIR /XD .git test bench .watchpost /NFL /NDL /NJH /NJS /NP | Out-Null
if ($LASTEXITCODE -ge 8) { throw "robocopy failed with code $LASTEXITCODE" }
if (-not (Test-Path $Node)) { $Node = Join-Path $InstallDir 'node_modules\node\bin\node' }

Write-Host "Copying config and secrets to $DataRoot"
New-Item -ItemType Directory -Force -Path $DataRoot, (Join-Path $DataRoot 'agent') | Out-Null
Copy-Item $Config (Join-Path $DataRoot 'agent.yaml') -Force
if ($CaFile) { Copy-Item $CaFile (Join-Path $DataRoot 'ca.pem') -Force }
if ($TokenFile) { Copy-Item $TokenFile (Join-Path $DataRoot 'agent.token') -Force }
Restrict-Folder $DataRoot "NT SERVICE\$ServiceName"
Write-Host "  agent.yaml should use: data_dir: $DataRoot\agent, token_file: $DataRoot\agent.token, ca_file: $DataRoot\ca.pem"

Write-Host 'Checking the config'
# Also fills the compile cache the service then starts from.
New-Item -ItemType Directory -Force -Path $CompileCache | Out-Null
$env:NODE_COMPILE_CACHE = $CompileCache
& $Node $NodeFlags.Split(' ') (Join-Path $InstallDir 'cli\watchpost.ts') agent --config (Join-Path $DataRoot 'agent.yaml') --check-config | Out-Null
if ($LASTEXITCODE -ne 0) { throw "the agent config is invalid (exit $LASTEXITCODE): fix $DataRoot\agent.yaml and run again" }

Write-Host "Registering service $ServiceName"
Copy-Item $WinSW $WinSWExe -Force
$xml = @"
<service>
  <id>$ServiceName</id>
  <name>Watchpost agent</name>
  <description>Watchpost monitoring agent: probes to outbox to collector.</description>
  <executable>$Node</executable>
  <arguments>$NodeFlags "$InstallDir\cli\watchpost.ts" agent --config "$DataRoot\agent.yaml"</arguments>
  <env name="NODE_COMPILE_CACHE" value="$CompileCache"/>
  <workingdirectory>$DataRoot</workingdirectory>
  <serviceaccount><username>NT SERVICE\$ServiceName</username></serviceaccount>
  <startmode>Automatic</startmode>
  <delayedAutoStart>true</delayedAutoStart>
  <stoptimeout>30sec</stoptimeout>
  <onfailure action="restart" delay="10 sec"/>
  <onfailure action="restart" delay="60 sec"/>
  <log mode="roll-by-size"><sizeThreshold>10240</sizeThreshold><keepFiles>8</keepFiles></log>
  <logpath>$DataRoot\logs</logpath>
</service>
"@
Set-Content -Path (Join-Path $InstallDir "$ServiceName.xml") -Value $xml -Encoding UTF8
& $WinSWExe install
if ($LASTEXITCODE -ne 0) { throw "WinSW install failed ($LASTEXITCODE)" }
Start-Service -Name $ServiceName
Get-Service -Name $ServiceName | Format-Table -AutoSize Name, Status, StartType
Write-Host "Logs: $DataRoot\logs (rolled at 10 MB, 8 kept). Outbox: $DataRoot\agent\outbox.db"
