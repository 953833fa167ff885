import type { CollectorModule } from '../module.ts';
import { influxReader } from '../reports/influxql.ts';
import { influxInspectionInputs } from './inputs.ts';
import { InspectionService } from './service.ts';

let timer: NodeJS.Timeout | undefined;

/** Inspections: schedules, runs, sign-off and problems. Its value (ctx.modules.get('inspections')) is the InspectionService. */
export const inspectionsModule: CollectorModule = {
  name: 'inspections',
  start(ctx) {
    const cfg = ctx.config;
    const svc = new InspectionService({
      config: cfg,
      db: ctx.db,
      audit: ctx.audit,
      devices: ctx.inventory.devices,
      inputs: cfg.influxdb ? influxInspectionInputs(influxReader(cfg.influxdb)) : undefined,
      log: ctx.log.child({ component: 'inspections' }),
      now: ctx.now,
      modules: ctx.modules,
      emit: (samples, events) => ctx.ingest.accept({ kind: 'http', name: 'collector-inspections', tags: {} }, samples, events),
    });
    if (cfg.inspections.enabled && cfg.inspections.schedules.length) {
      // First tick once every module has started (the alerts module may come after this one).
      const run = () => {
        try {
          svc.tick();
        } catch (e) {
          ctx.log.error({ err: (e as Error).stack }, 'inspection schedule check failed');
        }
      };
      setImmediate(run);
      timer = setInterval(run, cfg.inspections.check_interval_s * 1000);
      timer.unref();
    }
    return svc;
  },
  stop() {
    if (timer) clearInterval(timer);
    timer = undefined;
  },
};
