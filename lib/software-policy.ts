import { compilePattern } from './software-match.ts';

/** A rule as the policy schema validated it (kept structural so the engine needs no zod). */
export interface PolicyRule {
  name: string;
  match: { name?: string | undefined; publisher?: string | undefined; version?: string | undefined };
  action: 'forbidden' | 'requires_license' | 'approved';
  licenses?: number | undefined;
}

export type PolicyAction = PolicyRule['action'] | 'unreviewed';

/** What a rule is tested against. */
export interface PolicySubject {
  name: string;
  version: string;
  publisher: string;
}

/** One program's classification, as `watchpost check software` prints it. */
export interface Finding {
  /** The matching rule's name; null for unreviewed. */
  rule: string | null;
  name: string;
  version: string;
  action: PolicyAction;
}

export interface LicenceCount {
  rule: string;
  /** Machines holding at least one installation the rule matches (an Office seat is a machine, however many Office entries it lists). */
  installed: number;
  licensed: number;
}

interface Compiled {
  rule: PolicyRule;
  name?: RegExp;
  publisher?: RegExp;
  version?: RegExp;
}

/**
 * The licensing policy engine. Built from a validated policy (compiling cannot fail then);
 * `classify` is called for every installed program on every machine, so patterns are
 * compiled once here.
 */
export class PolicyEngine {
  private readonly compiled: Compiled[];
  readonly rules: readonly PolicyRule[];

  constructor(rules: readonly PolicyRule[]) {
    this.rules = rules;
    this.compiled = rules.map((rule) => {
      const c: Compiled = { rule };
      if (rule.match.name !== undefined) c.name = compilePattern(rule.match.name);
      if (rule.match.publisher !== undefined) c.publisher = compilePattern(rule.match.publisher);
      if (rule.match.version !== undefined) c.version = compilePattern(rule.match.version);
      return c;
    });
  }

  /** The first rule whose every given pattern matches, or undefined (unreviewed). */
  match(s: PolicySubject): PolicyRule | undefined {
    for (const c of this.compiled) {
      if (c.name && !c.name.test(s.name)) continue;
      if (c.publisher && !c.publisher.test(s.publisher)) continue;
      if (c.version && !c.version.test(s.version)) continue;
      return c.rule;
    }
    return undefined;
  }

  /** Findings for one machine's programs: everything but approved ones, in the list's order. */
  findings(items: readonly PolicySubject[]): Finding[] {
    const out: Finding[] = [];
    for (const s of items) {
      const r = this.match(s);
      if (r?.action === 'approved') continue;
      out.push({ rule: r?.name ?? null, name: s.name, version: s.version, action: r?.action ?? 'unreviewed' });
    }
    return out;
  }

  /** Licence counts over machines: each requires_license rule, with the machines that hold a matching program. */
  licensing(machines: Iterable<readonly PolicySubject[]>): LicenceCount[] {
    const counts = new Map<string, number>();
    for (const r of this.rules) if (r.action === 'requires_license') counts.set(r.name, 0);
    for (const items of machines) {
      const hit = new Set<string>();
      for (const s of items) {
        const r = this.match(s);
        if (r?.action === 'requires_license') hit.add(r.name);
      }
      for (const n of hit) counts.set(n, counts.get(n)! + 1);
    }
    return this.rules.filter((r) => r.action === 'requires_license').map((r) => ({ rule: r.name, installed: counts.get(r.name)!, licensed: r.licenses ?? 0 }));
  }
}
