import { parentPort } from 'node:worker_threads';
import { writeLines, type InfluxTarget, type WriteOutcome } from './influx-writer.ts';

/**
 * The InfluxDB writer's HTTP side, on its own thread: posting a 10,000-point body (copying
 * it into the socket, the HTTP exchange, reading the answer) is a sixth of the collector's
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
  // The main thread keeps several batches queued here (its event loop may answer late when
  // ingest keeps it busy); at most `concurrency` of them are posted at once.
  const queue: PostRequest[] = [];
  let active = 0;
  const pump = () => {
    while (queue.length && active < (queue[0]!.target.concurrency ?? 2)) {
      const m = queue.shift()!;
      active++;
      const body = Buffer.from(m.body.buffer, m.body.byteOffset, m.body.byteLength);
      writeLines(m.target, body, m.points, stopper.signal)
        .catch((e: unknown): WriteOutcome => ({ ok: false, retryable: true, reason: 'network', message: String(e) }))
        .then((outcome) => {
          active--;
          port.postMessage({ id: m.id, outcome, body: m.body } satisfies PostReply, [m.body.buffer as ArrayBuffer]);
          pump();
        });
    }
  };
  port.on('message', (m: PostRequest | PostAbort) => {
    if (m.type === 'abort') {
      stopper.abort();
      stopper = new AbortController();
      for (const q of queue.splice(0))
        port.postMessage({ id: q.id, outcome: { ok: false, retryable: true, reason: 'timeout', message: 'aborted' }, body: q.body } satisfies PostReply, [
          q.body.buffer as ArrayBuffer,
        ]);
      return;
    }
    queue.push(m);
    pump();
  });
}
