import { parentPort } from 'node:worker_threads';
import { writeLines, type InfluxTarget, type WriteOutcome } from './influx-writer.ts';

/**
 * The InfluxDB writer's HTTP side, on its own thread: posting a 10,000-point body (copying
 * it into the socket, undici's bookkeeping, reading the answer) is a sixth of the collector's
 * per-point work, and on the main thread it competes with ingest, so under load the writer
 * fell behind the acks. The main thread keeps the spool and every decision (retry, drop,
 * metrics); this thread only posts and answers. Bodies move between threads by transfer, not copy.
 */
export interface PostRequest {
  type: 'write';
  id: number;
  target: InfluxTarget;
  body: Uint8Array;
  points: number;
}
export interface PostAbort {
  type: 'abort';
}
export interface PostReply {
  id: number;
  outcome: WriteOutcome;
  body: Uint8Array;
}

const port = parentPort;
if (port) {
  let stopper = new AbortController();
  port.on('message', (m: PostRequest | PostAbort) => {
    if (m.type === 'abort') {
      stopper.abort();
      stopper = new AbortController();
      return;
    }
    const body = Buffer.from(m.body.buffer, m.body.byteOffset, m.body.byteLength);
    writeLines(m.target, body, m.points, stopper.signal).then(
      (outcome) => port.postMessage({ id: m.id, outcome, body: m.body } satisfies PostReply, [m.body.buffer as ArrayBuffer]),
      (e: unknown) => port.postMessage({ id: m.id, outcome: { ok: false, retryable: true, reason: 'network', message: String(e) }, body: m.body } satisfies PostReply, [m.body.buffer as ArrayBuffer]),
    );
  });
}
