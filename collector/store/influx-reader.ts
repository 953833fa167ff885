import { influxQuery, type InfluxTarget } from './influx-writer.ts';

export interface Series {
  name: string;
  tags: Record<string, string>;
  columns: string[];
  values: unknown[][];
}

/** Runs read-only InfluxQL for reports and inspections. Throws when InfluxDB answers with an error. */
export interface InfluxReader {
  query(q: string): Promise<Series[]>;
}

export function influxReader(t: InfluxTarget): InfluxReader {
  return {
    async query(q) {
      const body = (await influxQuery(t, q, 'POST')) as { results?: { series?: Series[] }[] };
      return (body.results?.[0]?.series ?? []).map((s) => ({ ...s, tags: s.tags ?? {} }));
    },
  };
}

/** An RFC 3339 literal for InfluxQL time bounds. */
export function ts(ms: number): string {
  return `'${new Date(ms).toISOString()}'`;
}

/** Quotes an identifier or a tag value for InfluxQL. */
export function ident(s: string): string {
  return `"${s.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`;
}
export function str(s: string): string {
  return `'${s.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;
}

/** The value of a column in one row, as a number (null when absent or not numeric). */
export function num(s: Series, row: unknown[], col: string): number | null {
  const i = s.columns.indexOf(col);
  const v = i >= 0 ? row[i] : undefined;
  if (typeof v === 'number') return v;
  if (typeof v === 'boolean') return v ? 1 : 0;
  return null;
}

export function val(s: Series, row: unknown[], col: string): unknown {
  const i = s.columns.indexOf(col);
  return i >= 0 ? row[i] : undefined;
}
