import { mapLimit } from '../../../lib/concurrency.ts';
import { int, type Sample } from '../../../protocol/sample.ts';
import type { Probe } from '../probe.ts';
import { PhaseError } from '../net/dial.ts';
import { query } from './query.ts';
import type { DnsConfig, DnsTarget } from './schema.ts';
import { rcodeName, WireError } from './wire.ts';

const norm = (v: string) => v.trim().toLowerCase().replace(/\.$/, '');

/** Telegraf's dns_query for one question, plus up (answered with the expected rcode and values), the answers, and why not. */
export async function probeDnsTarget(t: DnsTarget, base: Record<string, string>, signal: AbortSignal, now: () => number): Promise<Sample> {
  const tags: Record<string, string> = {
    ...base,
    ...t.tags,
    ...(t.name ? { target_name: t.name } : {}),
    server: t.server,
    domain: t.domain,
    record_type: t.record_type,
    protocol: t.transport,
  };
  const fields: Sample['fields'] = {};
  try {
    const r = await query(t.server, t.port, t.domain, t.record_type, t.transport, t.timeout_ms, signal);
    const m = r.message;
    const rc = rcodeName(m.rcode);
    const values = m.answers.filter((a) => a.type === t.record_type).map((a) => a.value);
    // TXT text keeps its case; names and addresses compare case-blind.
    const have = new Set(values.map((v) => (t.record_type === 'TXT' ? v : norm(v))));
    const missing = t.expect.filter((e) => !have.has(t.record_type === 'TXT' ? e : norm(e)));
    const rcodeOk = rc === t.expect_rcode;
    tags.result = 'success';
    tags.rcode = rc;
    tags.protocol = r.transport;
    Object.assign(fields, {
      query_time_ms: r.ms,
      result_code: int(0),
      rcode_value: int(m.rcode),
      answer_count: int(values.length),
      answers: values.join(','),
      expect_match: int(missing.length === 0 ? 1 : 0),
      up: int(rcodeOk && missing.length === 0 ? 1 : 0),
    });
    if (!rcodeOk) {
      fields.error_class = 'rcode';
      fields.error = `rcode ${rc}, expected ${t.expect_rcode}`;
    } else if (missing.length) {
      fields.error_class = 'answer_mismatch';
      fields.error = `expected ${missing.join(', ')} not in answers (${values.join(', ') || 'none'})`;
    }
  } catch (e) {
    const timeout = e instanceof PhaseError && e.errorClass === 'timeout';
    tags.result = timeout ? 'timeout' : 'error';
    fields.result_code = int(timeout ? 1 : 2);
    fields.up = int(0);
    fields.error_class = e instanceof PhaseError ? e.errorClass : e instanceof WireError ? 'bad_query' : 'internal';
    fields.error = (e as Error).message;
  }
  return { measurement: 'dns_query', tags, fields, time: now() };
}

export function createDnsProbe(cfg: DnsConfig, host: string | undefined, now = () => Date.now()): Probe {
  const base = { ...(host ? { host } : {}), ...cfg.tags };
  return {
    async collect(signal) {
      return mapLimit(cfg.targets, cfg.concurrency, (t) => probeDnsTarget(t, base, signal, now));
    },
  };
}
