import type { RouteConfig } from '../../config/schema/alerts.ts';

/** Where one alert goes: a receiver, its escalation chain and its timing (inherited down the tree). */
export interface RouteResult {
  receiver: string;
  escalate: { after_s: number; receiver: string }[];
  group_by: string[];
  group_wait_s: number;
  repeat_interval_s: number;
  /** Path of route indexes, for showing which route matched. */
  path: string;
}

interface Compiled {
  c: RouteConfig;
  re: [string, RegExp][];
  children: Compiled[];
}

function compile(c: RouteConfig): Compiled {
  return { c, re: Object.entries(c.match_re).map(([k, v]) => [k, new RegExp(`^(?:${v})$`)]), children: c.routes.map(compile) };
}

/**
 * The routing tree (Alertmanager's model): a route matches on labels and on time classes
 * (working_hours, night, weekend, holiday… from the duty calendar); the first matching child
 * wins unless it says `continue`; a route with no matching child delivers to its own
 * receiver; children inherit receiver, escalation and timing from their parents.
 */
export class Router {
  private readonly root: Compiled;
  private readonly defaults: { group_wait_s: number; repeat_interval_s: number };

  constructor(root: RouteConfig, defaults: { group_wait_s: number; repeat_interval_s: number }) {
    this.root = compile(root);
    this.defaults = defaults;
  }

  route(labels: Record<string, string>, classes: ReadonlySet<string>): RouteResult[] {
    const out: RouteResult[] = [];
    const base: RouteResult = {
      receiver: '',
      escalate: [],
      group_by: ['rule'],
      group_wait_s: this.defaults.group_wait_s,
      repeat_interval_s: this.defaults.repeat_interval_s,
      path: 'route',
    };
    this.walk(this.root, labels, classes, base, out);
    return out.filter((r) => r.receiver);
  }

  private matches(n: Compiled, labels: Record<string, string>, classes: ReadonlySet<string>): boolean {
    for (const [k, v] of Object.entries(n.c.match)) if (labels[k] !== v) return false;
    for (const [k, re] of n.re) if (!re.test(labels[k] ?? '')) return false;
    if (n.c.when.length && !n.c.when.some((w) => classes.has(w))) return false;
    return true;
  }

  private walk(n: Compiled, labels: Record<string, string>, classes: ReadonlySet<string>, parent: RouteResult, out: RouteResult[]): void {
    const me: RouteResult = {
      receiver: n.c.receiver ?? parent.receiver,
      escalate: n.c.escalate ?? parent.escalate,
      group_by: n.c.group_by ?? parent.group_by,
      group_wait_s: n.c.group_wait_s ?? parent.group_wait_s,
      repeat_interval_s: n.c.repeat_interval_s ?? parent.repeat_interval_s,
      path: parent.path,
    };
    let matched = false;
    for (let i = 0; i < n.children.length; i++) {
      const ch = n.children[i]!;
      if (!this.matches(ch, labels, classes)) continue;
      matched = true;
      this.walk(ch, labels, classes, { ...me, path: `${me.path}.routes[${i}]` }, out);
      if (!ch.c.continue) break;
    }
    if (!matched) out.push(me);
  }
}
