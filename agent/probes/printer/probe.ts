import { lazyProbe, type ProbeDefinition } from '../probe.ts';
import { cli, printerStatus } from './check.ts';
import type { PrinterConfig } from './schema.ts';
export type { PrinterConfig, PrinterDeviceConfig } from './schema.ts';

/** Printers, copiers and network MFPs (Printer-MIB over SNMP v1/v2c/v3). */
export const printerProbe: ProbeDefinition<PrinterConfig> = {
  kind: 'printer',
  description: 'Printers, copiers and scanners over SNMP (v1/v2c/v3): status and errors, supplies, trays, alerts, page counts',
  create: (cfg, ctx) => lazyProbe(async () => (await import('./collect.ts')).createPrinterProbe(cfg, ctx)),
  cli,
  budget: (cfg) => ({ run_ms: Math.ceil(cfg.devices.length / cfg.concurrency) * 1500 }),
  status: (samples) => printerStatus(samples),
};
