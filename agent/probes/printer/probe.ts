import type { Sample } from '../../../protocol/sample.ts';
import { lazyProbe, type ProbeDefinition } from '../probe.ts';
import { printerCheckJson, printerCliOptions, printerStatus, printerToConfig } from './check.ts';
import type { PrinterConfig } from './schema.ts';
export type { PrinterConfig, PrinterDeviceConfig } from './schema.ts';

/** Printers, copiers and network MFPs (Printer-MIB over SNMP v1/v2c/v3). */
export const printerProbe: ProbeDefinition<PrinterConfig> = {
  kind: 'printer',
  description: 'Printers, copiers and scanners over SNMP (v1/v2c/v3): status and errors, supplies, trays, alerts, page counts',
  create: (cfg, ctx) => lazyProbe(async () => (await import('./collect.ts')).createPrinterProbe(cfg, ctx)),
  cli: {
    options: printerCliOptions,
    toConfig: printerToConfig,
    toJson: (samples: Sample[]) => printerCheckJson(samples),
    jsonDocument: true,
    required: ['host'],
    help: {
      'low-pct': 'a consumed supply or a tray is low at or below this % (default 10)',
      'full-pct': 'a waste receptacle is near full at or above this % full (default 90)',
      'receptacle-level': 'remaining (RFC 3805: the level is the space left, the default) or filled (devices that report fullness)',
    },
  },
  budget: (cfg) => ({ run_ms: Math.ceil(cfg.devices.length / cfg.concurrency) * 1500 }),
  status: (samples) => printerStatus(samples),
};
