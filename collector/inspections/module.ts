import type { AlertsApi } from '../alerts/module.ts';
import type { CablingHandle } from '../cabling/module.ts';
import type { CollectorContext } from '../core/module.ts';
import { influxReader } from '../store/influx-reader.ts';
import type { SoftwareService } from '../software/module.ts';
import { influxInspectionInputs } from './inputs.ts';
import { InspectionService } from './service.ts';

/** Inspections: schedules, runs, sign-off and problems. Its handle is the InspectionService. */
export function startInspections(
  ctx: CollectorContext,
  deps: { alerts: AlertsApi | undefined; software: SoftwareService | undefined; cabling: CablingHandle | undefined },
): InspectionService {
  const cfg = ctx.config;
  const svc = new InspectionService({
    config: cfg,
    db: ctx.db,
    audit: ctx.audit,
    devices: ctx.inventory.devices,
    inputs: cfg.influxdb ? influxInspectionInputs(influxReader(cfg.influxdb)) : undefined,
    log: ctx.log.child({ component: 'inspections' }),
    now: ctx.now,
    alerts: deps.alerts,
    software: deps.software,
    cabling: deps.cabling?.register,
    emit: (samples, events) => ctx.ingest.accept({ kind: 'http', name: 'collector-inspections', tags: {} }, samples, events),
  });
  if (cfg.inspections.enabled && cfg.inspections.schedules.length) {
    // First tick once every module has started and the server listens.
    const run = () => {
      try {
        svc.tick();
      } catch (e) {
        ctx.log.error({ err: (e as Error).stack }, 'inspection schedule check failed');
      }
    };
    setImmediate(run);
    const timer = setInterval(run, cfg.inspections.check_interval_s * 1000);
    timer.unref();
    ctx.onStop(() => clearInterval(timer));
  }
  return svc;
}
