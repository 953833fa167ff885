import { PROBE_EVENT_KINDS } from '../protocol/event-kinds.ts';

/**
 * What the built-in probes and the collector write, for checking alert rules at load time
 * (a rule on `snmp_devise` or on field `upp` would never fire, silently). A measurement with
 * `null` fields is checked by name only. Adding a probe: add its measurements here.
 */
export const MEASUREMENTS: Readonly<Record<string, readonly string[] | null>> = {
  cpu: ['usage_user', 'usage_system', 'usage_idle', 'usage_nice', 'usage_irq', 'usage_steal', 'usage_guest'],
  mem: ['total', 'available', 'available_percent', 'used', 'used_percent', 'free', 'cached', 'buffered', 'active', 'slab', 'swap_total', 'swap_free'],
  disk: null,
  net: null,
  system: ['load1', 'load5', 'load15', 'n_cpus', 'uptime'],
  host_inventory: null,
  ping: [
    'packets_transmitted',
    'packets_received',
    'percent_packet_loss',
    'result_code',
    'error_class',
    'minimum_response_ms',
    'average_response_ms',
    'maximum_response_ms',
    'standard_deviation_ms',
  ],
  snmp_device: ['up', 'result_code', 'error_class', 'poll_ms', 'sys_name', 'sys_descr', 'sys_object_id', 'reboot', 'uptime_s'],
  interface: [
    'ifDescr',
    'ifAlias',
    'admin_status',
    'oper_status',
    'speed_mbps',
    'in_octets',
    'out_octets',
    'in_errors',
    'out_errors',
    'in_discards',
    'out_discards',
    'in_bps',
    'out_bps',
    'in_util_pct',
    'out_util_pct',
    'in_errors_per_s',
    'out_errors_per_s',
    'flaps',
  ],
  sensor: ['unit', 'status', 'value'],
  lldp_neighbor: ['remote_sys_name', 'remote_port', 'remote_chassis_id'],
  snmp_trap_receiver: ['received_total', 'rejected_total'],
  camera: [
    'up',
    'reachable',
    'auth',
    'stream_ok',
    'snapshot_ok',
    'snapshot_problem',
    'error_class',
    'clock_drift_s',
    'stream_latency_ms',
    'snapshot_bytes',
    'firmware',
    'serial',
    'ntp_servers',
  ],
  ssh_check: null,
  antivirus: null,
  antivirus_status: null,
  patches: null,
  printer: null,
  printer_supply: null,
  printer_tray: null,
  printer_alert: null,
  portmap: null,
  software: null,
  software_compliance: null,
  http_response: null,
  x509_cert: null,
  domain: null,
  dns_query: null,
  net_response: null,
  // Written by the collector and the agent about themselves.
  device_uptime: ['uptime_24h_pct', 'uptime_month_pct'],
  camera_uptime: ['uptime_24h_pct', 'uptime_month_pct', 'compliant_24h', 'unknown_24h_pct'],
  alert_state: ['state', 'firing', 'age_s'],
  inspection: null,
  sms_usage: ['sent_parts', 'budget_used_pct'],
  event: ['message', 'attrs'],
  watchpost_agent: null,
  watchpost_collector: null,
  watchpost_outbox: null,
  watchpost_probe: null,
};

/**
 * Every event kind an alert rule of `type: event` can match: what the probes declare
 * (protocol/event-kinds.ts) and what the collector raises itself (cabling register,
 * inspection notices).
 */
export const EVENT_KINDS: readonly string[] = [
  ...Object.values(PROBE_EVENT_KINDS).flat(),
  'cabling_unknown_device',
  'cabling_device_moved',
  'cabling_port_lost_device',
  'inspection_reminder',
  'inspection_overdue',
];

export { didYouMean } from '../lib/did-you-mean.ts';
