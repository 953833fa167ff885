import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { createHash } from 'node:crypto';
import type { Outbox } from './outbox.ts';

interface Sent {
  hash: string;
  sent_ms: number;
}

/**
 * Decides when an inventory document goes to the collector: when its hash differs from
 * the last one queued for this kind, or when that was more than resendMs ago (so a
 * collector that lost it gets it back). The last hash and time live in a small JSON file in
 * the probe's stateDir, so an agent restart does not resend an unchanged list. Queued is
 * enough: the outbox keeps the frame until the collector acks it.
 */
export class DocumentGate {
  private readonly outbox: Outbox;
  private readonly dir: string;
  private readonly now: () => number;

  constructor(outbox: Outbox, stateDir: string, now: () => number = Date.now) {
    this.outbox = outbox;
    this.dir = stateDir;
    this.now = now;
  }

  private file(kind: string): string {
    return path.join(this.dir, `document-${kind.replace(/[^\w.-]/g, '_')}.json`);
  }

  private last(kind: string): Sent | undefined {
    try {
      const j = JSON.parse(readFileSync(this.file(kind), 'utf8')) as Sent;
      return typeof j.hash === 'string' && typeof j.sent_ms === 'number' ? j : undefined;
    } catch {
      return undefined;
    }
  }

  offer(kind: string, body: unknown, opts: { resendMs: number }): { hash: string; queued: boolean } {
    const json = JSON.stringify(body);
    const hash = createHash('sha256').update(json).digest('hex');
    const now = this.now();
    const last = this.last(kind);
    if (last && last.hash === hash && now - last.sent_ms < opts.resendMs) return { hash, queued: false };
    const seq = this.outbox.appendDocument(kind, hash, now, json);
    if (seq === undefined) return { hash, queued: false };
    mkdirSync(this.dir, { recursive: true });
    const tmp = `${this.file(kind)}.tmp`;
    writeFileSync(tmp, JSON.stringify({ hash, sent_ms: now } satisfies Sent));
    renameSync(tmp, this.file(kind));
    return { hash, queued: true };
  }
}
