// Child process of bench/ingest.ts: A simulated agents, each one WebSocket speaking the
// real protocol (hello, batch frames, acks), sending `total` points in all as fast as the
// collector acks them (window of W unacked batches per agent). Sample time = send time,
// so the collector's sample→InfluxDB latency is agent→InfluxDB latency. Batches are
// templates re-stamped per send (ingest-points.ts): the simulated agents stand for office
// PCs, so building their JSON should not eat the CPU of the machine under test.
import WebSocket from 'ws';
import { AGENT_WS_PATH, PROTOCOL_VERSION } from '../protocol/frames.ts';
import { stamp, template, type Template } from './ingest-points.ts';

const [url, tokensCsv, totalS, batchS, windowS, rateS] = process.argv.slice(2);
/** Points per second offered by all agents together; 0: as fast as acks come back. */
const rate = Number(rateS ?? 0);
const tokens = tokensCsv!.split(',');
const total = Number(totalS);
const batch = Number(batchS);
const window = Number(windowS);
const perAgent = Math.ceil(total / tokens.length / batch) * batch;
/** Room in front of each template for the frame's head (`{"type":"batch","seq":N,"samples":[`). */
const HEAD_ROOM = 64;

/** Each template inside one buffer with its frame's head room in front and `]}` after. */
const templates: { t: Template; frame: Buffer }[][] = tokens.map((_, a) =>
  Array.from({ length: 32 }, (_, s) => {
    const t = template('json', a, s, batch);
    const frame = Buffer.alloc(HEAD_ROOM + t.buf.length + 2);
    t.buf.copy(frame, HEAD_ROOM);
    frame.write(']}', HEAD_ROOM + t.buf.length, 'latin1');
    // Stamping writes into the frame's own copy of the template bytes.
    return { t: { buf: frame.subarray(HEAD_ROOM, HEAD_ROOM + t.buf.length), offsets: t.offsets }, frame };
  }),
);

/** Per agent and template, the last time stamped: a template's series may not get one time twice. */
const lastStamp: number[][] = tokens.map(() => Array.from({ length: 32 }, () => 0));

function frame(seq: number, agent: number): Buffer {
  // The seq goes in front; the samples are the template for this seq's series slots, stamped
  // now, or later when this template was stamped less than 100 ms ago (an agent that catches
  // up alone at the end sends 32 batches within 100 ms, and InfluxDB would keep one point of
  // two that share series and time).
  const slot = seq % 32;
  const now = Math.max(Date.now(), lastStamp[agent]![slot]! + 100);
  lastStamp[agent]![slot] = now;
  const { t, frame } = templates[agent]![slot]!;
  stamp(t, now);
  // The head goes right before the samples; the frame is sent from where the head starts.
  const head = `{"type":"batch","seq":${seq},"samples":[`;
  const at = HEAD_ROOM - head.length;
  frame.write(head, at, 'latin1');
  return frame.subarray(at);
}

process.send?.({ ready: true });
await new Promise((r) => process.once('message', r));

let done = 0;
for (let a = 0; a < tokens.length; a++) {
  // A zero masking key: ws then sends the frame's bytes as they are instead of XOR-ing a
  // copy of every 80 kB frame (a tenth of these simulated agents' CPU, on the machine the
  // collector and InfluxDB share). Valid RFC 6455 framing, and the collector unmasks it as
  // any other frame; the real agent keeps ws's random keys.
  const ws = new WebSocket(new URL(AGENT_WS_PATH, url).toString(), {
    headers: { authorization: `Bearer ${tokens[a]}` },
    perMessageDeflate: false,
    generateMask: (mask) => void mask.fill(0),
  });
  let seq = 0;
  let sent = 0;
  let acked = 0;
  // Paced: a batch may go every batch / (rate / agents) seconds (starting staggered).
  let credit = 0;
  const pump = () => {
    while (sent < perAgent && seq - acked / batch < window && (rate === 0 || credit > 0)) {
      seq++;
      credit--;
      ws.send(frame(seq, a), { binary: false });
      sent += batch;
    }
  };
  if (rate > 0) {
    const every = (batch / (rate / tokens.length)) * 1000;
    setTimeout(
      () => {
        const timer = setInterval(() => {
          credit++;
          pump();
          if (sent >= perAgent) clearInterval(timer);
        }, every);
      },
      (every * a) / tokens.length,
    );
  }
  ws.on('open', () =>
    ws.send(JSON.stringify({ type: 'hello', protocol: PROTOCOL_VERSION, agent_version: 'bench', hostname: `pc-${a}`, platform: 'bench', probes: [] })),
  );
  ws.on('message', (d) => {
    const f = JSON.parse(d.toString()) as { type: string };
    if (f.type === 'welcome') pump();
    else if (f.type === 'ack') {
      acked += batch;
      if (acked >= perAgent) {
        ws.close();
        if (++done === tokens.length) process.send?.({ sent: perAgent * tokens.length });
      } else pump();
    }
  });
  ws.on('error', (e) => {
    console.error(`agent ${a}: ${e.message}`);
    process.exit(1);
  });
}
