/**
 * A small InfluxQL (1.x) SELECT builder for dashboard queries: the foundation SDK has none,
 * and hand-written query strings drift from docs/measurements.md. It renders Grafana's
 * macros verbatim ($timeFilter, $__interval, /^$var$/) for Grafana to substitute.
 */

/** A double-quoted identifier (measurement, tag, field, alias). */
export function ident(name: string): string {
  return `"${name.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`;
}

/** A literal: strings single-quoted, numbers and booleans bare. */
export function lit(v: string | number | boolean): string {
  if (typeof v === 'string') return `'${v.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;
  return String(v);
}

export type Aggregate = 'last' | 'first' | 'mean' | 'max' | 'min' | 'sum' | 'count' | 'median' | 'spread' | 'distinct';

/** `fn("field")`, e.g. agg('last', 'up'). */
export function agg(fn: Aggregate, field: string): string {
  return `${fn}(${ident(field)})`;
}

/** `non_negative_derivative(max("field"), 1s)`: a per-second rate from an integer counter. */
export function rate(field: string, per = '1s'): string {
  return `non_negative_derivative(max(${ident(field)}), ${per})`;
}

/** Condition: tag matches a Grafana template variable (all values: the variable's `.*`). */
export function tagVar(tag: string, variable: string): string {
  return `${ident(tag)} =~ /^$${variable}$/`;
}

/** Condition: tag or field equals / differs from / compares to a literal. */
export function cmp(key: string, op: '=' | '!=' | '<' | '<=' | '>' | '>=', v: string | number | boolean): string {
  return `${ident(key)} ${op} ${lit(v)}`;
}

/** Condition: a string tag or field matches a regular expression (written without slashes). */
export function matches(key: string, re: string): string {
  return `${ident(key)} =~ /${re.replace(/\//g, '\\/')}/`;
}

export function and(...c: string[]): string {
  return c.length === 1 ? c[0]! : `(${c.join(' AND ')})`;
}

export function or(...c: string[]): string {
  return c.length === 1 ? c[0]! : `(${c.join(' OR ')})`;
}

/** A field/tag name (quoted for you), an expression such as agg('last', 'up'), or [expression, alias]. */
type Column = string | readonly [expr: string, alias: string];

/** One SELECT statement, immutable: every method returns a new builder. */
export class Select {
  private readonly s: {
    cols: readonly Column[];
    from?: string | Select;
    where: readonly string[];
    time: boolean;
    groupTime?: string;
    groupTags: readonly string[];
    fill?: string;
    orderDesc: boolean;
    limit?: number;
    slimit?: number;
  };

  private constructor(s: Select['s']) {
    this.s = s;
  }

  static select(...cols: Column[]): Select {
    if (!cols.length) throw new Error('a SELECT needs at least one column');
    return new Select({ cols, where: [], time: false, groupTags: [], orderDesc: false });
  }

  private with(p: Partial<Select['s']>): Select {
    return new Select({ ...this.s, ...p });
  }

  /** A measurement name, or a subquery. */
  from(m: string | Select): Select {
    return this.with({ from: m });
  }

  /** Conditions, joined with AND. */
  where(...conds: string[]): Select {
    return this.with({ where: [...this.s.where, ...conds] });
  }

  /** Adds Grafana's `$timeFilter` (the dashboard's time range). */
  inRange(): Select {
    return this.with({ time: true });
  }

  /** GROUP BY time(interval): `$__interval` by default. */
  byTime(interval = '$__interval', fill: 'null' | 'none' | 'previous' | 'linear' | number = 'null'): Select {
    return this.with({ groupTime: interval, fill: String(fill) });
  }

  byTags(...tags: string[]): Select {
    return this.with({ groupTags: [...this.s.groupTags, ...tags] });
  }

  newestFirst(): Select {
    return this.with({ orderDesc: true });
  }

  limit(n: number): Select {
    return this.with({ limit: n });
  }

  /** At most n series. */
  slimit(n: number): Select {
    return this.with({ slimit: n });
  }

  toString(): string {
    const s = this.s;
    if (!s.from) throw new Error('a SELECT needs FROM');
    const cols = s.cols.map((c) => (typeof c === 'string' ? expr(c) : `${expr(c[0])} AS ${ident(c[1])}`)).join(', ');
    let q = `SELECT ${cols} FROM ${typeof s.from === 'string' ? ident(s.from) : `(${s.from.toString()})`}`;
    const where = [...s.where.map((w) => (s.where.length > 1 || s.time ? wrap(w) : w)), ...(s.time ? ['$timeFilter'] : [])];
    if (where.length) q += ` WHERE ${where.join(' AND ')}`;
    const groups = [...(s.groupTime ? [`time(${s.groupTime})`] : []), ...s.groupTags.map(ident)];
    if (groups.length) q += ` GROUP BY ${groups.join(', ')}`;
    if (s.groupTime && s.fill) q += ` fill(${s.fill})`;
    if (s.orderDesc) q += ' ORDER BY time DESC';
    if (s.limit !== undefined) q += ` LIMIT ${s.limit}`;
    if (s.slimit !== undefined) q += ` SLIMIT ${s.slimit}`;
    return q;
  }
}

/** A bare name is a field or tag: quote it; anything else is an expression already. */
function expr(c: string): string {
  return /^[A-Za-z_][A-Za-z0-9_]*$/.test(c) ? ident(c) : c;
}

function wrap(c: string): string {
  return c.startsWith('(') && c.endsWith(')') ? c : /\s(AND|OR)\s/.test(c) ? `(${c})` : c;
}

export const select = Select.select;

/** `SHOW TAG VALUES FROM "m" WITH KEY = "tag" [WHERE …]`: a template variable's query. */
export function showTagValues(measurement: string | readonly string[], tag: string, ...conds: string[]): string {
  const from = typeof measurement === 'string' ? ident(measurement) : measurement.map(ident).join(', ');
  return `SHOW TAG VALUES FROM ${from} WITH KEY = ${ident(tag)}${conds.length ? ` WHERE ${conds.join(' AND ')}` : ''}`;
}
