/**
 * The collector's self-metrics in Prometheus text exposition format (GET /metrics). Small on
 * purpose: counters and gauges with fixed label sets, no client library needed.
 */
type Labels = Record<string, string>;

interface Family {
  help: string;
  type: 'counter' | 'gauge';
  values: Map<string, { labels: Labels; value: number }>;
  collect?: () => number | { labels: Labels; value: number }[];
}

function key(labels: Labels): string {
  return Object.keys(labels)
    .sort()
    .map((k) => `${k}=${labels[k]}`)
    .join(',');
}

function fmtLabels(labels: Labels): string {
  const ks = Object.keys(labels);
  if (!ks.length) return '';
  return `{${ks.map((k) => `${k}="${labels[k]!.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n')}"`).join(',')}}`;
}

/** A counter handle from Metrics.counter. */
export type Counter = ReturnType<Metrics['counter']>;

export class Metrics {
  private families = new Map<string, Family>();

  private family(name: string, type: Family['type'], help: string): Family {
    let f = this.families.get(name);
    if (!f) {
      f = { help, type, values: new Map() };
      this.families.set(name, f);
    }
    return f;
  }

  counter(name: string, help: string) {
    const f = this.family(name, 'counter', help);
    return {
      inc: (labels: Labels = {}, n = 1) => {
        const k = key(labels);
        const v = f.values.get(k);
        if (v) v.value += n;
        else f.values.set(k, { labels, value: n });
      },
      get: (labels: Labels = {}) => f.values.get(key(labels))?.value ?? 0,
    };
  }

  /** A gauge whose value is read when /metrics is scraped. */
  gauge(name: string, help: string, collect: () => number | { labels: Labels; value: number }[]): void {
    const f = this.family(name, 'gauge', help);
    f.collect = collect;
  }

  render(): string {
    let out = '';
    for (const [name, f] of this.families) {
      out += `# HELP ${name} ${f.help}\n# TYPE ${name} ${f.type}\n`;
      if (f.collect) {
        const v = f.collect();
        if (typeof v === 'number') out += `${name} ${v}\n`;
        else for (const s of v) out += `${name}${fmtLabels(s.labels)} ${s.value}\n`;
      } else {
        if (!f.values.size) out += `${name} 0\n`;
        for (const s of f.values.values()) out += `${name}${fmtLabels(s.labels)} ${s.value}\n`;
      }
    }
    return out;
  }
}

/**
 * Quantiles over the last `size` observations (a ring buffer): enough for p50/p99 of
 * ingest latency without a histogram's bucket choices.
 */
export class Window {
  private buf: Float64Array;
  private n = 0;
  private i = 0;
  constructor(size = 10_000) {
    this.buf = new Float64Array(size);
  }
  observe(v: number): void {
    this.buf[this.i] = v;
    this.i = (this.i + 1) % this.buf.length;
    if (this.n < this.buf.length) this.n++;
  }
  quantile(q: number): number {
    if (!this.n) return 0;
    const a = Array.from(this.buf.subarray(0, this.n)).sort((x, y) => x - y);
    return a[Math.min(a.length - 1, Math.floor(q * a.length))]!;
  }
  get count(): number {
    return this.n;
  }
}
