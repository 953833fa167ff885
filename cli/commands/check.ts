import { probeByKind, probes } from '../../agent/probes/all/index.ts';
import { schemaOf } from '../../agent/probes/all/schemas.ts';
import { abortable, ExitCode, errorClass, timeoutSignal, type CheckExtra, type ProbeBaseConfig, type ProbeDefinition } from '../../agent/probes/probe.ts';
import { ConfigError, formatPath } from '../../config/load.ts';
import { createLogger } from '../../lib/log.ts';
import { encodeLine } from '../../protocol/line-protocol.ts';
import type { Event, Sample } from '../../protocol/sample.ts';
import { parse, UsageError } from '../args.ts';
import type { Command } from '../main.ts';
import os from 'node:os';
import { mkdtempSync } from 'node:fs';
import path from 'node:path';

const STATUS = ['OK', 'WARNING', 'CRITICAL', 'UNKNOWN'] as const;

/** `--help` wording of the options several probes share; a probe's own `cli.help` wins. */
export const COMMON_HELP: Record<string, string> = {
  json: 'print one JSON document instead of line protocol',
  format: 'line (InfluxDB line protocol, the default) or json',
  'timeout-ms': 'end the whole run after this many milliseconds (UNKNOWN)',
  host: 'the device to poll: IP address or host name',
  port: "UDP/TCP port of the device (default: the protocol's)",
  community: 'SNMP v1/v2c community (default public)',
  'snmp-version': 'SNMP version: 1, 2c or 3 (default 2c)',
  user: 'user name (SNMPv3 security name, ONVIF user, SSH user)',
  'auth-protocol': 'SNMPv3 authentication: md5, sha, sha224, sha256, sha384, sha512',
  'auth-key': 'SNMPv3 authentication passphrase (never printed)',
  'priv-protocol': 'SNMPv3 privacy: des, aes, aes256b, aes256r',
  'priv-key': 'SNMPv3 privacy passphrase (never printed)',
  context: 'SNMPv3 context name',
  'max-repetitions': 'GETBULK max-repetitions per request',
  'request-timeout-ms': 'timeout of one request in milliseconds',
  retries: 'retries of a request that got no answer',
  url: "the device's service URL",
  password: 'password (never printed)',
  camera: "the camera's name in samples",
  profile: 'ONVIF media profile token (default: the first)',
  'rtsp-port': 'RTSP port when the camera reports an unreachable one (NAT)',
  'snapshot-port': 'snapshot HTTP port when the camera reports an unreachable one (NAT)',
  'no-stream': 'skip the RTSP stream check (reported as not checked)',
  'no-snapshot': 'skip the snapshot picture check (reported as not checked)',
  target: 'a host to ping (repeat for several)',
  count: 'echo requests per target',
  method: "how to run: one of the probe's methods (its config reference in docs/config.md lists them)",
  'reply-timeout-ms': 'how long to wait for each reply, milliseconds',
  'warn-loss-pct': 'WARNING at or above this packet loss %',
  'crit-loss-pct': 'CRITICAL at or above this packet loss %',
  'warn-rtt-ms': 'WARNING at or above this average round trip, ms',
  'crit-rtt-ms': 'CRITICAL at or above this average round trip, ms',
  inventory: 'also read the hardware/OS inventory (seconds of work)',
  'max-signature-age-days': 'WARNING when antivirus signatures are older than this',
  'online-search': 'ask Windows Update online (slow) instead of the cached result',
  'warn-security-pending': 'WARNING at this many pending security updates',
  'crit-security-pending': 'CRITICAL at this many pending security updates',
  'warn-days-since-patch': 'WARNING when the last update is older than this many days',
  'crit-days-since-patch': 'CRITICAL when the last update is older than this many days',
  // Websites, TLS services, DNS and TCP ports.
  header: "a request header 'Name: value' (repeatable; Authorization and Cookie are never printed)",
  body: 'the request body (for POST and PUT, e.g. a JSON API call)',
  keyword: 'text that must appear in the body, matched after decoding its charset (GBK, GB18030, Big5…)',
  'keyword-absent': 'text that must NOT appear in the body (a defacement hint)',
  regex: 'a regular expression the decoded body must match',
  'json-assert': "an assertion on a JSON response, e.g. '$.code == 0'",
  'expect-status': 'an HTTP status counted as success (repeatable; default 200–399 after redirects)',
  ca: 'a CA bundle (PEM) to verify the server certificate with, instead of the system store',
  cert: 'a client certificate (PEM) for servers that require one',
  key: "the client certificate's private key (PEM)",
  insecure: 'do not verify the certificate (still reported); the request is sent anyway',
  proxy: 'an HTTP CONNECT proxy, http://[user:pass@]host:port',
  ip: 'address family: 4 or 6 (default: what resolves, IPv4 first)',
  'max-redirects': 'redirects followed at most (default 10; a loop is reported as such)',
  'expiry-days': 'certificate/domain expiry thresholds in days (repeatable; default 30, 14, 7)',
  'domain-expires': 'the domain registration expiry date (YYYY-MM-DD), checked like a certificate',
  'warn-response-ms': 'WARNING when the response takes longer than this',
  starttls: 'upgrade a plain connection first: smtp, imap or pop3 (default: direct TLS)',
  'server-name': 'the TLS server name (SNI) and the name the certificate must carry',
  server: 'the DNS server to ask (IP[:port])',
  domain: 'the name to look up',
  type: 'the record type: A, AAAA, CNAME, MX or TXT',
  tcp: 'ask over TCP instead of UDP',
  expect: 'an expected answer (DNS) or banner text (TCP) (repeatable where the probe allows)',
  'expect-rcode': 'the DNS response code counted as success (default NOERROR)',
  send: 'text to send after connecting, before reading the banner',
};

/** What to do about a failure, by error class: the `hint` of `--json`'s error. */
const HINTS: Record<string, string> = {
  timeout: "no answer — check the community or credentials and the device's ACL, then that it is reachable from here (ping)",
  unreachable: 'the device cannot be reached — check its address, cabling and any firewall between',
  auth: 'the device refused the credentials — check the user name and passwords',
  authentication: 'the device refused the credentials — check the user name and passwords',
  auth_failed: "the device refused the credentials — check the user name and password, and the device's clock (WS-Security rejects a skewed clock)",
  no_reply: 'no echo reply — the host is down, unplugged, or drops ICMP (a firewall)',
  tool_missing: 'the ping tool is missing — install fping (Debian package fping)',
  not_found: "a program or file the probe needs is missing — see the probe's page under docs/ for what it needs",
  permission: "permission denied — run as the agent's service user or give it the capability its page under docs/ names",
  dns: 'the name does not resolve — check the host name or the DNS server',
  tls: 'the TLS handshake failed — check the certificate and the CA file',
};
const SNMP_HINT = "no answer — check the community or credentials and the switch's ACL";
const PRINTER_HINT = "no answer — check the community or credentials and the printer's SNMP settings (many ship with SNMP off or read-only to one address)";

/** The `error` of a failed check's `--json`: from what the probe threw or from its first failed target. */
export function checkError(kind: string, thrown: unknown, samples: Sample[], summary: string): { class: string; message: string; hint: string } | undefined {
  let cls: string | undefined;
  let message = summary;
  if (thrown !== undefined) {
    cls = errorClass(thrown);
    message = (thrown as Error).message ?? String(thrown);
  } else {
    const failed = samples.find((s) => (s.fields.up === 0n || s.fields.up === 0 || s.fields.up === false) && (s.fields.error_class || s.tags.error_class));
    if (failed) cls = String(failed.fields.error_class || failed.tags.error_class);
  }
  if (!cls) return undefined;
  const snmpLike = kind === 'snmp' || kind === 'printer' || kind === 'portmap';
  const hint =
    snmpLike && (cls === 'timeout' || cls === 'auth' || cls === 'authentication' || cls === 'auth_failed' || cls === 'unreachable')
      ? kind === 'printer'
        ? PRINTER_HINT
        : SNMP_HINT
      : (HINTS[cls] ?? 'see the message, and `watchpost check ' + kind + ' --help`');
  return { class: cls, message, hint };
}

/** JSON-safe copy of samples: integers that do not fit a double become strings. */
export function samplesToJson(samples: Sample[]): unknown[] {
  return samples.map((s) => ({
    measurement: s.measurement,
    tags: s.tags,
    fields: Object.fromEntries(
      Object.entries(s.fields).map(([k, v]) => [
        k,
        typeof v === 'bigint' ? (v <= BigInt(Number.MAX_SAFE_INTEGER) && v >= -BigInt(Number.MAX_SAFE_INTEGER) ? Number(v) : v.toString()) : v,
      ]),
    ),
    time: s.time,
  }));
}

/**
 * Runs one probe once and prints its samples, like `telegraf --test`: line protocol by
 * default, JSON with --json. The exit code follows the Monitoring Plugins convention, so
 * the command also serves as a Nagios/Zabbix external check.
 */
export async function runCheck(def: ProbeDefinition, raw: Record<string, unknown>, format: 'line' | 'json', prepared?: unknown): Promise<number> {
  const parsed = schemaOf(def.kind)!.safeParse({ kind: def.kind, ...raw });
  if (!parsed.success) {
    throw new ConfigError(
      parsed.error.issues.map((i) => ({
        file: 'command line',
        line: 0,
        column: 0,
        path: formatPath(i.path),
        message: i.message,
        fix: `see \`watchpost check ${def.kind} --help\``,
      })),
    );
  }
  const cfg = parsed.data as ProbeBaseConfig;
  const log = createLogger(process.env.WATCHPOST_LOG_LEVEL ?? 'warn', `check-${def.kind}`);
  const events: Event[] = [];
  const extra: Sample[] = [];
  const list: { kind: string; body: unknown }[] = [];
  const documents = new Map<string, unknown>();
  const checkExtra: CheckExtra = { documents, list, prepared: prepared };
  const probe = def.create(cfg, {
    log,
    now: Date.now,
    emitEvent: (e) => events.push(e),
    emitSamples: (s) => extra.push(...s),
    stateDir: process.env.WATCHPOST_STATE_DIR ?? mkdtempSync(path.join(os.tmpdir(), 'watchpost-check-')),
    emitDocument(kind, body) {
      documents.set(kind, body);
      list.push({ kind, body });
      return { hash: '', queued: false };
    },
  });
  let samples: Sample[] = [];
  let status: { code: 0 | 1 | 2 | 3; summary: string };
  let thrown: unknown;
  const timeout = timeoutSignal(cfg.timeout_ms);
  try {
    samples = await abortable(probe.collect(timeout.signal), timeout.signal);
    samples.push(...extra);
    status = def.status ? def.status(samples, cfg, checkExtra) : { code: ExitCode.OK, summary: `${samples.length} samples` };
  } catch (e) {
    thrown = e;
    status = { code: ExitCode.UNKNOWN, summary: `${errorClass(e)}: ${(e as Error).message}` };
  } finally {
    timeout.clear();
    await probe.close?.();
  }
  if (format === 'json') {
    // No answer at all (UNKNOWN) leaves a fixed-shape document nothing to fill: the plain wrapper
    // says so. A run that produced its inventory document keeps the probe's shape even when a
    // source failed (UNKNOWN): the shape is the interface, the exit code the verdict.
    const useDoc = def.cli?.toJson !== undefined && thrown === undefined && (status.code !== ExitCode.UNKNOWN || documents.size > 0);
    const body = (useDoc ? def.cli!.toJson!(samples, events, checkExtra) : { samples: samplesToJson(samples), events }) as Record<string, unknown>;
    const error = status.code === ExitCode.OK ? undefined : checkError(def.kind, thrown, samples, status.summary);
    // Every check's JSON carries status and summary; a document whose shape an issue fixes keeps
    // its own keys (the printer's `status` is its device status) and gets the others beside them.
    const head: Record<string, unknown> = def.cli?.jsonDocument && useDoc ? {} : { status: STATUS[status.code], summary: status.summary };
    if (def.cli?.jsonDocument && useDoc) {
      if (!Object.hasOwn(body, 'status')) head.status = STATUS[status.code];
      head.summary = status.summary;
    }
    // A multi-target document (a list) has no place for them; its exit code carries the status.
    const out = Array.isArray(body) ? body : def.cli?.jsonDocument && useDoc ? { ...body, ...head } : { ...head, ...body };
    if (error && !Array.isArray(out)) (out as Record<string, unknown>).error = error;
    console.log(JSON.stringify(out, null, 2));
  } else {
    for (const s of samples) {
      const l = encodeLine(s);
      if (l) console.log(l);
    }
    console.error(`${def.kind.toUpperCase()} ${STATUS[status.code]} - ${status.summary}`);
  }
  return status.code;
}

function optionHelp(def: ProbeDefinition, name: string): string {
  const k = name.replaceAll('_', '-');
  return def.cli?.help?.[name] ?? def.cli?.help?.[k] ?? COMMON_HELP[k] ?? '';
}

/** `watchpost check KIND --help`: every option in the documented (kebab-case) spelling with its meaning. */
export function checkHelp(def: ProbeDefinition): string {
  const opts: [string, { type: string; multiple?: boolean }][] = [
    ['json', { type: 'boolean' }],
    ['format', { type: 'string' }],
    ['timeout-ms', { type: 'string' }],
    ...(Object.entries(def.cli?.options ?? {}) as [string, { type: string; multiple?: boolean }][]),
  ];
  const rows = opts.map(
    ([k, o]) =>
      [
        `--${k.replaceAll('_', '-')}${o.type === 'string' ? ' VALUE' : ''}`,
        `${optionHelp(def, k)}${o.multiple ? ' (repeatable)' : ''}${def.cli?.required?.includes(k) ? ' [required]' : ''}`,
      ] as const,
  );
  const w = Math.max(...rows.map((r) => r[0].length)) + 2;
  return [
    `usage: watchpost check ${def.kind} [options]`,
    `  ${def.description}`,
    '',
    ...rows.map(([a, b]) => `  ${a.padEnd(w)}${b}`),
    '',
    'Options are also accepted in snake_case (--timeout_ms). Exit codes: 0 OK, 1 WARNING, 2 CRITICAL, 3 UNKNOWN.',
  ].join('\n');
}

export const command: Command = {
  summary: 'run one probe once and print its samples (Monitoring Plugins exit codes)',
  async run(argv) {
    const kind = argv[0];
    if (!kind || kind.startsWith('-')) {
      console.log(`usage: watchpost check <${probes.map((p) => p.kind).join('|')}> [--json|--format line|json] [probe options]`);
      return kind === '--help' || kind === '-h' ? 0 : 2;
    }
    const def = probeByKind(kind);
    if (!def) throw new UsageError(`unknown probe "${kind}"; known: ${probes.map((p) => p.kind).join(', ')}`);
    const cliOpts = def.cli?.options ?? {};
    const { values } = parse(
      argv.slice(1),
      {
        format: { type: 'string' },
        json: { type: 'boolean' },
        'timeout-ms': { type: 'string' },
        ...cliOpts,
      },
      false,
    );
    if (values.help) {
      console.log(checkHelp(def));
      return 0;
    }
    for (const r of def.cli?.required ?? []) {
      if ((values as Record<string, unknown>)[r] === undefined)
        throw new UsageError(`--${r.replaceAll('_', '-')} is required (${optionHelp(def, r)}); see \`watchpost check ${kind} --help\``);
    }
    const format = values.json ? 'json' : (values.format ?? 'line');
    if (format !== 'line' && format !== 'json') throw new UsageError(`--format must be line or json, not "${String(format)}"`);
    const raw: Record<string, unknown> = def.cli ? def.cli.toConfig(values as never) : {};
    const timeoutMs = values['timeout-ms'];
    if (timeoutMs !== undefined) {
      if (!/^\d+$/.test(String(timeoutMs))) throw new UsageError(`--timeout-ms must be a whole number of milliseconds, not "${String(timeoutMs)}"`);
      raw.timeout_ms = Number(timeoutMs);
    }
    return runCheck(def, raw, format, await def.cli?.prepare?.(values as never));
  },
};
