import type { CollectorModule } from './module.ts';
import { selfMetrics } from './self/module.ts';
import { uptimeModule } from './uptime/module.ts';
import { maintenanceModule } from './maintenance/module.ts';
import { alertsModule } from './alerts/module.ts';
import { inspectionsModule } from './inspections/module.ts';
import { reportsModule } from './reports/module.ts';
import { consoleModule } from './console/module.ts';
import { configsModule } from './configs/module.ts';
import { cablingModule } from './cabling/module.ts';
import { softwareModule } from './software/module.ts';
import { devicesModule } from './devices/module.ts';

/**
 * The collector's modules, started in this order. Adding one: a folder under collector/
 * with a module.ts exporting a CollectorModule, and one line here.
 */
export const modules: CollectorModule[] = [selfMetrics, uptimeModule, maintenanceModule, softwareModule, alertsModule, devicesModule, inspectionsModule, reportsModule, consoleModule, configsModule, cablingModule];
