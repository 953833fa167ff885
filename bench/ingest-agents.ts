// Child process of bench/ingest.ts: A simulated agents, each one WebSocket speaking the
// real protocol (hello, batch frames, acks), sending `total` points in all as fast as the
// collector acks them (window of W unacked batches per agent). Sample time = send time,
// so the collector's sample→InfluxDB latency is agent→InfluxDB latency.
import WebSocket from 'ws';
import { AGENT_WS_PATH, PROTOCOL_VERSION } from '../protocol/frames.ts';
import { points } from './ingest-points.ts';

const [url, tokensCsv, totalS, batchS, windowS] = process.argv.slice(2);
const tokens = tokensCsv!.split(',');
const total = Number(totalS);
const batch = Number(batchS);
const window = Number(windowS);
const perAgent = Math.ceil(total / tokens.length / batch) * batch;

function frame(seq: number, agent: number, base: number): string {
  return `{"type":"batch","seq":${seq},"samples":[${points(agent, seq, base, batch, Date.now()).join(',')}]}`;
}

let done = 0;
for (let a = 0; a < tokens.length; a++) {
  const ws = new WebSocket(new URL(AGENT_WS_PATH, url).toString(), { headers: { authorization: `Bearer ${tokens[a]}` }, perMessageDeflate: false });
  let seq = 0;
  let sent = 0;
  let acked = 0;
  const pump = () => {
    while (sent < perAgent && seq - acked / batch < window) {
      seq++;
      ws.send(frame(seq, a, sent));
      sent += batch;
    }
  };
  ws.on('open', () => ws.send(JSON.stringify({ type: 'hello', protocol: PROTOCOL_VERSION, agent_version: 'bench', hostname: `pc-${a}`, platform: 'bench', probes: [] })));
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
