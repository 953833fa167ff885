/**
 * The synthetic host metrics both sides of bench:ingest send. A batch's points are spread
 * over 100 series slots and the 100 ms before the batch was made, so no two points share
 * series and timestamp (InfluxDB would keep only one) while sample time stays close to send
 * time (latency is measured from each spool row's oldest sample: at most 0.1 s early).
 */
export function points(agent: number, seq: number, base: number, n: number, now: number): string[] {
  const out: string[] = [];
  for (let i = 0; i < n; i++) {
    const k = base + i;
    const slot = `${seq % 32}-${Math.floor(i / 100)}`;
    out.push(
      `{"m":"cpu","t":{"host":"pc-${agent}","cpu":"cpu-total","slot":"${slot}"},"f":{"usage_user":${(k % 100) + 0.5},"usage_system":${(k % 7) + 0.25},"usage_idle":${90.5 - (k % 50)}},"i":{"n":${k}},"ts":${now - (i % 100)}}`,
    );
  }
  return out;
}

/**
 * The same points as line protocol, for the direct-to-InfluxDB reference: exactly the lines
 * the collector writes for them, including the tags it adds (agent identity and the
 * location it was enrolled with), so InfluxDB does the same work on both paths.
 */
export function lines(agent: number, seq: number, base: number, n: number, now: number): string {
  let body = '';
  for (let i = 0; i < n; i++) {
    const k = base + i;
    const slot = `${seq % 32}-${Math.floor(i / 100)}`;
    body += `cpu,agent=bench-${agent},building=A,cpu=cpu-total,floor=${agent % 10},host=pc-${agent},slot=${slot} usage_user=${(k % 100) + 0.5},usage_system=${(k % 7) + 0.25},usage_idle=${90.5 - (k % 50)},n=${k}i ${now - (i % 100)}\n`;
  }
  return body;
}

/**
 * A batch made once and re-stamped for each send: the bytes of points()/lines() for one
 * (agent, seq mod 32) with the offsets of every timestamp, so a send writes the current
 * time into 13 digits per point instead of building 170 kB of text. Both sides of the
 * bench use it, so neither pays for making its payload on the machine under test (real
 * agents build their batches on their own PCs).
 */
export interface Template {
  buf: Buffer;
  offsets: number[];
}

const STAMP_PLACEHOLDER = 1_700_000_000_000; // 13 digits, as every ms timestamp until 2286

export function template(kind: 'json' | 'line', agent: number, seq: number, n: number): Template {
  const text = kind === 'json' ? points(agent, seq, seq * 1000, n, STAMP_PLACEHOLDER + 99).join(',') : lines(agent, seq, seq * 1000, n, STAMP_PLACEHOLDER + 99);
  const buf = Buffer.from(text, 'latin1');
  const offsets: number[] = [];
  const key = kind === 'json' ? '"ts":' : ' ';
  let at = 0;
  for (let i = 0; i < n; i++) {
    const stamp = String(STAMP_PLACEHOLDER + 99 - (i % 100));
    at = text.indexOf(key + stamp, at);
    if (at < 0) throw new Error('template: timestamp not found');
    offsets.push(at + key.length);
    at += key.length + 13;
  }
  return { buf, offsets };
}

/** Writes `now - (i % 100)` into point i's timestamp, as points()/lines() do; returns the bytes. */
export function stamp(t: Template, now: number): Buffer {
  const b = t.buf;
  for (let i = 0; i < t.offsets.length; i++) {
    // 13 ASCII digits, written in place (String() and buf.write per point cost more than the rest).
    let v = now - (i % 100);
    for (let d = t.offsets[i]! + 12; d >= t.offsets[i]!; d--) {
      b[d] = 0x30 + (v % 10);
      v = Math.floor(v / 10);
    }
  }
  return b;
}
