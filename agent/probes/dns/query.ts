import { randomInt } from 'node:crypto';
import dgram from 'node:dgram';
import net from 'node:net';
import { phase, PhaseError } from '../net/dial.ts';
import { decodeMessage, encodeQuery, type Message, type RecordType } from './wire.ts';

export interface QueryResult {
  message: Message;
  transport: 'udp' | 'tcp';
  /** Wall time of the exchange that gave the answer (the TCP retry alone after a truncated UDP answer). */
  ms: number;
}

function matches(m: Message, id: number, name: string, type: number): boolean {
  return m.id === id && (!m.question || (m.question.name === name && m.question.type === type));
}

function udp(server: string, port: number, q: Buffer, id: number, name: string, type: number, timeoutMs: number, signal?: AbortSignal): Promise<Message> {
  return phase('query', timeoutMs, signal, (onCancel) => {
    const sock = dgram.createSocket(net.isIPv6(server) ? 'udp6' : 'udp4');
    let open = true;
    const close = () => {
      if (open) sock.close();
      open = false;
    };
    onCancel(close);
    return new Promise<Message>((resolve, reject) => {
      sock.on('error', (e) => {
        close();
        reject(e);
      });
      // A datagram with another id or question is someone else's (or forged): keep waiting.
      sock.on('message', (buf, rinfo) => {
        if (rinfo.port !== port) return;
        let m: Message;
        try {
          m = decodeMessage(buf);
        } catch (e) {
          if (buf.length >= 2 && buf.readUInt16BE(0) === id) {
            close();
            reject(new PhaseError('query', 'malformed', `query: malformed answer: ${(e as Error).message}`));
          }
          return;
        }
        if (!matches(m, id, name, type)) return;
        close();
        resolve(m);
      });
      sock.connect(port, server, () => sock.send(q));
    });
  });
}

function tcp(server: string, port: number, q: Buffer, id: number, name: string, type: number, timeoutMs: number, signal?: AbortSignal): Promise<Message> {
  return phase('query', timeoutMs, signal, (onCancel) => {
    const sock = net.connect({ host: server, port });
    onCancel(() => sock.destroy());
    return new Promise<Message>((resolve, reject) => {
      let buf = Buffer.alloc(0);
      sock.once('error', reject);
      sock.once('connect', () => {
        const len = Buffer.alloc(2);
        len.writeUInt16BE(q.length);
        sock.write(Buffer.concat([len, q]));
      });
      sock.on('data', (d: Buffer) => {
        buf = Buffer.concat([buf, d]);
        if (buf.length < 2 || buf.length < 2 + buf.readUInt16BE(0)) return;
        sock.destroy();
        try {
          const m = decodeMessage(buf.subarray(2, 2 + buf.readUInt16BE(0)));
          if (!matches(m, id, name, type)) reject(new PhaseError('query', 'malformed', 'query: answer to another question'));
          else resolve(m);
        } catch (e) {
          reject(new PhaseError('query', 'malformed', `query: malformed answer: ${(e as Error).message}`));
        }
      });
      sock.once('end', () => reject(new PhaseError('query', 'reset', 'query: server closed the TCP connection before answering')));
    });
  });
}

/** Asks one question; over UDP a truncated answer is asked again over TCP (RFC 7766). */
export async function query(
  server: string,
  port: number,
  domain: string,
  type: RecordType,
  transport: 'udp' | 'tcp',
  timeoutMs: number,
  signal?: AbortSignal,
): Promise<QueryResult> {
  const id = randomInt(0, 65536);
  const name = domain.replace(/\.$/, '').toLowerCase();
  const q = encodeQuery(id, name, type);
  const code = q.readUInt16BE(q.length - 4);
  let t0 = performance.now();
  if (transport === 'udp') {
    const m = await udp(server, port, q, id, name, code, timeoutMs, signal);
    if (!m.truncated) return { message: m, transport: 'udp', ms: performance.now() - t0 };
    t0 = performance.now();
  }
  const m = await tcp(server, port, q, id, name, code, timeoutMs, signal);
  return { message: m, transport: 'tcp', ms: performance.now() - t0 };
}
