import { Batcher } from '../../agent/batcher.ts';
import { Outbox } from '../../agent/outbox.ts';
import { Transport } from '../../agent/transport.ts';
import { silentLogger } from '../../lib/log.ts';
import type { Sample } from '../../protocol/sample.ts';

/**
 * A real agent data path (batcher → outbox on disk → transport) without probes, fed with
 * numbered points so a test can count exactly what arrives in InfluxDB.
 */
export class SimAgent {
  readonly outbox: Outbox;
  readonly batcher: Batcher;
  readonly transport: Transport;
  produced = 0;
  private readonly run: string;

  constructor(opts: { url: string; token: string; dir: string; run: string; maxSamples?: number; flushMs?: number; caFile?: string }) {
    this.run = opts.run;
    this.outbox = new Outbox({ dir: opts.dir, maxBytes: 512 * 1024 * 1024, maxAgeMs: 86_400_000, whenFull: 'drop_oldest' });
    this.batcher = new Batcher(this.outbox, { maxSamples: opts.maxSamples ?? 500, flushMs: opts.flushMs ?? 50 });
    this.transport = new Transport(
      {
        url: opts.url,
        token: opts.token,
        caFile: opts.caFile,
        heartbeatMs: 2000,
        maxInFlight: 16,
        reconnectMinMs: 50,
        reconnectMaxMs: 1000,
        agentVersion: 'test',
        probes: ['sim'],
        log: silentLogger,
      },
      this.outbox,
    );
    this.transport.start();
  }

  /** Pushes n numbered points (distinct timestamps, so none overwrite another in InfluxDB). */
  push(n: number, base = Date.now() - 3_600_000): void {
    const out: Sample[] = [];
    for (let i = 0; i < n; i++) {
      const k = this.produced++;
      out.push({ measurement: 'seqtest', tags: { run: this.run, device: 'sw-a-3f-01' }, fields: { n: BigInt(k) }, time: base + k });
    }
    this.batcher.push(out, []);
  }

  /** Pushes `rate` points per second for `seconds`, in 20 slices per second. */
  async stream(rate: number, seconds: number, base?: number): Promise<void> {
    const slices = Math.round(seconds * 20);
    const per = Math.round(rate / 20);
    const b = base ?? Date.now() - 3_600_000;
    for (let i = 0; i < slices; i++) {
      this.push(per, b);
      await new Promise((r) => setTimeout(r, 50));
    }
  }

  async close(): Promise<void> {
    this.batcher.flush();
    await this.transport.close();
    this.outbox.close();
  }
}

/** Waits until `count()` reaches `want` (or stops changing for stallMs), returning the last count. */
export async function waitForCount(count: () => Promise<number>, want: number, timeoutMs: number): Promise<number> {
  const until = Date.now() + timeoutMs;
  let n = -1;
  while (Date.now() < until) {
    try {
      n = await count();
    } catch {
      /* influxd restarting */
    }
    if (n >= want) return n;
    await new Promise((r) => setTimeout(r, 200));
  }
  return n;
}
