import type http from 'node:http';
import type { Logger } from 'pino';
import type { AlertsApi } from '../../alerts/module.ts';
import type { CablingHandle } from '../../cabling/module.ts';
import type { DeviceService } from '../../devices/module.ts';
import type { Form } from '../../http/body.ts';
import type { Params, RouteTable } from '../../http/router.ts';
import type { InspectionService } from '../../inspections/service.ts';
import type { Maintenance } from '../../maintenance/module.ts';
import type { CollectorContext } from '../../core/module.ts';
import type { ReportService } from '../../reports/module.ts';
import type { SoftwareService } from '../../software/module.ts';
import type { PageCtx } from '../ui/layout.ts';
import type { Role, Session, UserStore } from '../../security/users.ts';

/** The modules the console shows, when they run; `users` is the console's own store. */
export interface ConsoleDeps {
  users: UserStore;
  devices: DeviceService | undefined;
  alerts: AlertsApi | undefined;
  maintenance: Maintenance | undefined;
  inspections: InspectionService | undefined;
  reports: ReportService | undefined;
  software: SoftwareService | undefined;
  cabling: CablingHandle | undefined;
}

/** What every console page file gets at registration: the collector, the modules, settings. */
export interface ConsoleEnv {
  ctx: CollectorContext;
  deps: ConsoleDeps;
  tz: string;
  photoDir: string;
  log: Logger;
  /** A Set-Cookie value scoped to /console (HttpOnly, SameSite=Strict, Secure under TLS). */
  cookie(name: string, value: string, maxAgeS?: number): string;
}

/**
 * One request to a logged-in console page, after the origin check, the session and (for a
 * POST) the form and its CSRF token have been checked. Pages throw HttpError for 4xx.
 */
export interface ConsoleRequest {
  req: http.IncomingMessage;
  res: http.ServerResponse;
  url: URL;
  params: Params;
  p: PageCtx;
  session: Session;
  /** The session cookie's value. */
  sid: string;
  actor: string;
  form: Form | undefined;
  /** Cookies to set with the answer. */
  cookies: string[];
  /** The answer's extra headers (set-cookie). */
  headers(): Record<string, string | string[]>;
  /** Throws 403 unless the user has the role. */
  need(r: Role): void;
  field(k: string): string;
  /** A positive integer form field; throws 400 otherwise. */
  intField(k: string): number;
}

export type ConsolePage = (c: ConsoleRequest) => void | Promise<void>;

/** Where page files register their pages (method, path pattern as in collector/http/router.ts). */
export type ConsolePages = RouteTable<ConsolePage>;
