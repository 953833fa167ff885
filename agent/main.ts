import { mkdirSync, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Logger } from 'pino';
import type { AgentConfig } from '../config/schema/agent.ts';
import { VERSION } from '../lib/version.ts';
import { int } from '../protocol/sample.ts';
import { Batcher } from './batcher.ts';
import { DocumentGate } from './documents.ts';
import { Outbox } from './outbox.ts';
import { probeByKind } from './probes/all/index.ts';
import type { ProbeBaseConfig } from './probes/probe.ts';
import { Scheduler } from './scheduler.ts';
import { Transport } from './transport.ts';

export interface RunningAgent {
  scheduler: Scheduler;
  outbox: Outbox;
  transport: Transport;
  batcher: Batcher;
  /** Graceful stop: stop probes, flush the batch, give the transport drainMs to empty the outbox. */
  stop(drainMs?: number): Promise<void>;
}

/** Wiring only: config → probes → scheduler → batcher → outbox → transport. */
export async function startAgent(cfg: AgentConfig, log: Logger): Promise<RunningAgent> {
  const host = cfg.agent.name ?? os.hostname();
  mkdirSync(cfg.agent.data_dir, { recursive: true });
  const outbox = new Outbox({
    dir: cfg.agent.data_dir,
    maxBytes: cfg.outbox.max_bytes,
    maxAgeMs: cfg.outbox.max_age_h * 3_600_000,
    whenFull: cfg.outbox.when_full,
  });
  const batcher = new Batcher(outbox, { maxSamples: cfg.batch.max_samples, flushMs: cfg.batch.flush_ms, tags: cfg.tags });
  const scheduler = new Scheduler({ sink: batcher, host });
  const names: string[] = [];
  for (const raw of cfg.probes) {
    const pc = raw as ProbeBaseConfig;
    const def = probeByKind(pc.kind)!;
    const name = pc.name ?? pc.kind;
    const plog = log.child({ probe: name });
    const stateDir = path.join(cfg.agent.data_dir, 'probes', name.replace(/[^\w.-]/g, '_'));
    const gate = new DocumentGate(outbox, stateDir);
    const probe = def.create(pc, {
      log: plog,
      now: Date.now,
      stateDir,
      host,
      emitEvent: (e) => batcher.push([], [e]),
      emitSamples: (s) => batcher.push(s, []),
      emitDocument: (kind, body, opts) => gate.offer(kind, body, opts),
    });
    scheduler.add({ name, config: pc, probe, log: plog, budgetMs: def.budget?.(pc).run_ms });
    names.push(name);
  }
  const token = cfg.collector.token ?? readFileSync(cfg.collector.token_file!, 'utf8').trim();
  const transport = new Transport(
    {
      url: cfg.collector.url,
      token,
      caFile: cfg.collector.ca_file,
      certFile: cfg.collector.cert_file,
      keyFile: cfg.collector.key_file,
      serverName: cfg.collector.server_name,
      heartbeatMs: cfg.collector.heartbeat_s * 1000,
      maxInFlight: cfg.collector.max_in_flight,
      reconnectMinMs: cfg.collector.reconnect_min_ms,
      reconnectMaxMs: cfg.collector.reconnect_max_ms,
      agentVersion: VERSION,
      probes: names,
      log: log.child({ component: 'transport' }),
    },
    outbox,
  );
  transport.start();
  await scheduler.start();
  // The agent's own health: what waits in the outbox, what bounds dropped, whether it is connected.
  const selfTimer = setInterval(() => {
    const st = outbox.stats();
    batcher.push(
      [
        {
          measurement: 'watchpost_outbox',
          tags: { host },
          fields: {
            batches: int(st.batches),
            samples: int(st.samples),
            bytes: int(st.bytes),
            dropped_full_total: int(st.droppedSamplesFull),
            dropped_age_total: int(st.droppedSamplesAge),
            dropped_disk_full_total: int(st.droppedSamplesDiskFull),
            connected: transport.connected,
            reconnects_total: int(transport.stats.disconnects),
          },
          time: Date.now(),
        },
      ],
      [],
    );
  }, cfg.outbox.self_metrics_s * 1000);
  selfTimer.unref();
  log.info({ probes: names, collector: cfg.collector.url, outbox: outbox.stats() }, 'agent started');
  return {
    scheduler,
    outbox,
    transport,
    batcher,
    async stop(drainMs = 5000) {
      clearInterval(selfTimer);
      await scheduler.stop();
      batcher.flush();
      const drained = await transport.drain(drainMs);
      if (!drained) log.warn({ outbox: outbox.stats() }, 'stopping with unacked batches in the outbox: they are sent at next start');
      await transport.close();
      outbox.close();
    },
  };
}
