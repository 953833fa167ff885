/**
 * Parsers for the three ping programs the probe drives. Each returns the same PingResult, so
 * the probe turns any of them into Telegraf's `ping` fields. Windows ping.exe output is parsed
 * by anchors that are the same in every locale (`TTL=`, `=N ms`/`<N ms`, `(N%`), never by words.
 */
export interface PingResult {
  target: string;
  transmitted: number;
  received: number;
  /** Round-trip times of the replies, ms. */
  rtts: number[];
  ttl?: number | undefined;
  /** 0 ok (at least one reply), 1 host unknown, 2 no reply or ping error (Telegraf's result_code). */
  result_code: 0 | 1 | 2;
  /** '' when replies came; no_reply, unknown_host, tool_missing, tool_failed, timeout otherwise. */
  error_class: string;
  /** ping.exe's own summary, when it printed one (it rounds to whole ms). */
  summary?: { min: number; max: number; avg: number } | undefined;
}

export function resultFrom(target: string, transmitted: number, rtts: number[], ttl?: number): PingResult {
  const received = rtts.length;
  return {
    target,
    transmitted,
    received,
    rtts,
    ttl,
    result_code: received > 0 ? 0 : 2,
    error_class: received > 0 ? '' : 'no_reply',
  };
}

export function failed(target: string, transmitted: number, result_code: 1 | 2, error_class: string): PingResult {
  return { target, transmitted, received: 0, rtts: [], result_code, error_class };
}

/**
 * fping `-C N -q` prints, on stderr, one line per resolved target: `name : 0.03 - 0.05` where
 * `-` is a lost packet. Targets fping could not resolve get no line (fping exits 2).
 */
export function parseFpingC(stderr: string, targets: readonly string[], count: number): PingResult[] {
  const byTarget = new Map<string, number[] | null>();
  for (const line of stderr.split('\n')) {
    const m = /^(\S+)\s+:((?:\s+(?:[\d.]+|-))+)\s*$/.exec(line);
    if (!m) continue;
    const vals = m[2]!.trim().split(/\s+/);
    if (vals.length !== count) continue;
    byTarget.set(m[1]!, vals.filter((v) => v !== '-').map(Number));
  }
  return targets.map((t) => {
    const rtts = byTarget.get(t);
    return rtts ? resultFrom(t, count, rtts) : failed(t, count, 1, 'unknown_host');
  });
}

/**
 * iputils `ping -n -c N` run with LC_ALL=C. Exit 2 with no reply lines means the name did
 * not resolve (or ping could not send), exit 1 means no reply.
 */
export function parseIputils(stdout: string, target: string, count: number, exitCode: number | null): PingResult {
  const rtts: number[] = [];
  let ttl: number | undefined;
  for (const line of stdout.split('\n')) {
    const t = /\btime[=<]\s*([\d.]+)\s*ms/.exec(line);
    if (!t) continue;
    rtts.push(Number(t[1]));
    const tt = /\bttl=(\d+)/i.exec(line);
    if (tt) ttl = Number(tt[1]);
  }
  const tx = /(\d+) packets transmitted/.exec(stdout);
  if (!tx && rtts.length === 0) return failed(target, count, exitCode === 2 ? 1 : 2, exitCode === 2 ? 'unknown_host' : 'tool_failed');
  return resultFrom(target, tx ? Number(tx[1]) : count, rtts, ttl);
}

const IP_LITERAL = /(?:\b\d{1,3}(?:\.\d{1,3}){3}\b)|(?:\b[0-9a-f]{0,4}(?::[0-9a-f]{0,4}){2,7}\b)/i;

/**
 * Windows `ping.exe -n N` in any display language, already decoded from its code page.
 * Reply lines are the ones carrying `TTL=` ("Destination host unreachable" replies, which
 * ping.exe counts as received, carry none and count as lost here, as in Telegraf). The
 * statistics line is the one with `(N%`; its first number is Sent. The RTT summary is the
 * last line with three `= Nms` values, always in the order minimum, maximum, average.
 */
export function parseWindowsPing(text: string, target: string, count: number): PingResult {
  const lines = text.split(/\r?\n/);
  const rtts: number[] = [];
  let ttl: number | undefined;
  let sent: number | undefined;
  let summary: PingResult['summary'];
  for (const line of lines) {
    const tt = /TTL=(\d+)/i.exec(line);
    if (tt) {
      ttl = Number(tt[1]);
      const r = /([=<])\s*(\d+(?:\.\d+)?)\s*ms/i.exec(line);
      // `<1ms` is ping.exe's way of saying under a millisecond; its own summary then says 0.
      rtts.push(r ? (r[1] === '<' ? 0 : Number(r[2])) : 0);
      continue;
    }
    if (/\(\s*\d+\s*%/.test(line)) {
      const nums = [...line.matchAll(/=\s*(\d+)/g)].map((m) => Number(m[1]));
      if (nums.length >= 3) sent = nums[0];
      continue;
    }
    const ms = [...line.matchAll(/=\s*(\d+)\s*ms/gi)].map((m) => Number(m[1]));
    if (ms.length === 3) summary = { min: ms[0]!, max: ms[1]!, avg: ms[2]! };
  }
  if (sent === undefined && rtts.length === 0) {
    // No statistics: the name did not resolve (no address in the output) or ping.exe failed.
    return IP_LITERAL.test(text) ? failed(target, count, 2, 'tool_failed') : failed(target, count, 1, 'unknown_host');
  }
  const r = resultFrom(target, sent ?? count, rtts, ttl);
  r.summary = summary;
  return r;
}
