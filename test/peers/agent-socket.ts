import WebSocket from 'ws';
import { AGENT_WS_PATH, type CollectorFrame, decodeCollectorFrame, encodeFrame, PROTOCOL_VERSION, type WireSample } from '../../protocol/frames.ts';

/**
 * The agent's side of the wire protocol, frame by frame, for tests that must see exactly
 * what the collector answers to one batch (an ack, an error frame, a close). A real agent
 * (agent/transport.ts) hides those behind its outbox and retries.
 */
export interface AgentSocket {
  ws: WebSocket;
  /** Every frame received, in order. */
  frames: CollectorFrame[];
  /** The close code and reason once the collector closed the connection. */
  closed: Promise<{ code: number; reason: string }>;
  /** Sends a batch; resolves 'ack' when acked, or the close when the connection closes first (or 'timeout'). */
  batch(seq: number, samples: WireSample[], timeoutMs?: number): Promise<'ack' | 'timeout' | { code: number; reason: string }>;
  close(): Promise<void>;
}

/** Connects with `token`, says hello and waits for the welcome; rejects on a refused upgrade. */
export async function agentSocket(baseUrl: string, token: string, opts: { hostname?: string } = {}): Promise<AgentSocket> {
  const ws = new WebSocket(`${baseUrl.replace(/^http/, 'ws')}${AGENT_WS_PATH}`, { headers: { authorization: `Bearer ${token}` }, perMessageDeflate: false });
  const frames: CollectorFrame[] = [];
  const waiters = new Set<() => void>();
  ws.on('message', (d) => {
    frames.push(decodeCollectorFrame(d as Buffer));
    for (const w of waiters) w();
  });
  const closed = new Promise<{ code: number; reason: string }>((resolve) => ws.once('close', (code, reason) => resolve({ code, reason: reason.toString() })));
  await new Promise<void>((resolve, reject) => {
    ws.once('open', () => resolve());
    ws.once('unexpected-response', (_req, res) => reject(new Error(`upgrade refused: ${res.statusCode}`)));
    ws.once('error', reject);
  });
  ws.send(encodeFrame({ type: 'hello', protocol: PROTOCOL_VERSION, agent_version: 'test', hostname: opts.hostname ?? 'test-host', platform: 'linux-x64', probes: ['test'] }));
  await new Promise<void>((resolve, reject) => {
    const check = () => {
      if (frames.some((f) => f.type === 'welcome')) {
        waiters.delete(check);
        resolve();
      }
    };
    waiters.add(check);
    void closed.then((c) => reject(new Error(`closed before welcome: ${c.code} ${c.reason}`)));
  });
  return {
    ws,
    frames,
    closed,
    async batch(seq, samples, timeoutMs = 5000) {
      if (ws.readyState !== WebSocket.OPEN) return closed;
      ws.send(JSON.stringify({ type: 'batch', seq, samples }));
      return new Promise((resolve) => {
        const check = () => {
          if (frames.some((f) => f.type === 'ack' && f.seq === seq)) done('ack');
        };
        const done = (r: 'ack' | 'timeout' | { code: number; reason: string }) => {
          waiters.delete(check);
          clearTimeout(timer);
          resolve(r);
        };
        const timer = setTimeout(() => done('timeout'), timeoutMs);
        waiters.add(check);
        void closed.then(done);
      });
    },
    async close() {
      if (ws.readyState === WebSocket.CLOSED) return;
      ws.close(1000);
      await closed;
    },
  };
}
