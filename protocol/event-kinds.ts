/**
 * The event kinds each probe emits through ctx.emitEvent, by probe kind: declared here once, so
 * ProbeContext.emitEvent accepts only these (the compiler checks every probe) and the config
 * schema checks alert rules of `type: event` against them (a rule on `trap` would match nothing).
 * Adding an event to a probe: add its kind here.
 */
export const PROBE_EVENT_KINDS = {
  snmp: ['snmp_reboot'],
  snmp_trap: ['snmp_trap'],
  ssh: ['config_backup', 'config_changed'],
  printer: ['printer_alert', 'printer_alert_cleared'],
} as const satisfies Record<string, readonly string[]>;

export type ProbeEventKind = (typeof PROBE_EVENT_KINDS)[keyof typeof PROBE_EVENT_KINDS][number];
