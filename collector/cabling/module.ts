import type { Event } from '../../protocol/sample.ts';
import type { CollectorContext } from '../core/module.ts';
import { DocumentError, type Source } from '../ingest/ingest.ts';
import { PORTMAP_DOCUMENT } from '../../lib/portmap-snapshot.ts';
import { HttpError } from '../http/respond.ts';
import { ouiVendor } from './oui.ts';
import { registerCablingRoutes } from './api.ts';
import { createCablingRegister, type CablingRegister, type IngestSummary } from './register.ts';
import { portmapSnapshotSchema } from './snapshot-schema.ts';

/**
 * The cabling module's handle. `ingestDocument` is the one entry for a port map
 * from the wire: it validates the body as a PortmapSnapshot (throws HttpError 400 naming the
 * bad path) and hands it to the register; events it raises go through ingest, so alert rules
 * of `type: event` on the CABLING_EVENTS kinds fire on them.
 */
export interface CablingHandle {
  register: CablingRegister;
  ingestDocument(agent: string, body: unknown, now: number): IngestSummary;
}

const SOURCE: Source = { kind: 'http', name: 'collector-cabling', tags: {} };
/** An inventory device's addresses: `address` may be one or a list. */
const addressesOf = (d: { address?: string | string[] | undefined }): string[] =>
  d.address === undefined ? [] : Array.isArray(d.address) ? d.address : [d.address];
/** A node unseen this long has left its port: longer than a night with the PC off and the FDB aged out. */
export const LOST_AFTER_MS = 24 * 3600_000;

/**
 * Names agents by the address they connect from, when that address is theirs alone (several
 * agents behind one NAT address name nobody): the PCs a port map finds. Re-read once a minute.
 */
function agentNamesByAddress(ctx: CollectorContext): () => Map<string, string> {
  let agentsAt = new Map<string, string>();
  let agentsRead = -Infinity;
  return () => {
    if (ctx.now() - agentsRead < 60_000) return agentsAt;
    agentsRead = ctx.now();
    const seen = new Map<string, string | null>();
    for (const a of ctx.agents.list()) {
      if (a.revoked_ms || !a.last_addr) continue;
      const ip = a.last_addr.replace(/^::ffff:/, '');
      seen.set(ip, seen.has(ip) ? null : a.name);
    }
    agentsAt = new Map([...seen].filter((e): e is [string, string] => e[1] !== null));
    return agentsAt;
  };
}

export function startCabling(ctx: CollectorContext): CablingHandle {
  const agentByIp = agentNamesByAddress(ctx);
  const register = createCablingRegister(ctx.db, {
    identity: {
      vendor: ouiVendor,
      device: (ip) => (ip ? (ctx.inventory.devices.find((d) => addressesOf(d).includes(ip))?.name ?? agentByIp().get(ip)) : undefined),
      addressesOf: (text) => {
        const t = text.toLowerCase();
        const ips = ctx.inventory.devices.filter((d) => d.name.toLowerCase().includes(t)).flatMap(addressesOf);
        for (const [ip, name] of agentByIp()) if (name.toLowerCase().includes(t)) ips.push(ip);
        return ips;
      },
    },
    emit: (events: Event[]) => ctx.ingest.accept(SOURCE, [], events),
    lostAfterMs: LOST_AFTER_MS,
  });
  const handle: CablingHandle = {
    register,
    ingestDocument(agent, body, now) {
      const p = portmapSnapshotSchema.safeParse(body);
      if (!p.success)
        throw new HttpError(
          400,
          `bad portmap snapshot: ${p.error.issues
            .slice(0, 3)
            .map((i) => `${i.path.join('.')}: ${i.message}`)
            .join('; ')}`,
        );
      const { events: _e, ...summary } = register.ingest(agent, p.data, now);
      return summary;
    },
  };

  // Agents' port maps arrive as `portmap` document frames (one per switch per poll).
  ctx.ingest.onDocument(PORTMAP_DOCUMENT, (doc, source) => {
    try {
      handle.ingestDocument(source.name, doc.body, ctx.now());
    } catch (e) {
      if (e instanceof HttpError) throw new DocumentError(e.message);
      throw e;
    }
  });
  registerCablingRoutes(ctx, handle);
  return handle;
}
