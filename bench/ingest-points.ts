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
