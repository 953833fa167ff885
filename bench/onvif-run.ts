// Child of bench/onvif.ts: one measured run over the cameras in $URLS, printing one JSON line
// {wallMs, cpuS, maxRssMiB, ok, failed}. `probe`: the real onvif probe; `reference`: the
// same HTTP/RTSP exchanges done bare (SOAP bodies with WS-Security posted with fetch, the
// snapshot fetched but not decoded) — the protocol's own cost, without the onvif package,
// XML parsing and JPEG analysis.
import { createHash, randomBytes } from 'node:crypto';
import os from 'node:os';
import pino from 'pino';
import { createOnvifProbe } from '../agent/probes/onvif/cameras.ts';
import { onvifSchema } from '../agent/probes/onvif/schema.ts';
import { checkRtsp } from '../agent/probes/onvif/rtsp.ts';
import { httpGet } from '../agent/probes/onvif/snapshot.ts';

const mode = process.argv[2];
const urls = JSON.parse(process.env.URLS ?? '[]') as string[];
const rtspPorts = (process.env.RTSP_PORTS ?? '').split(',').map(Number);
const rtspPort = (i: number) => rtspPorts[i % rtspPorts.length]!;
const CONCURRENCY = Number(process.env.CONCURRENCY ?? 32);
const USER = 'admin';
const PASS = 'Cam#2026';

function wsse(): string {
  const nonce = randomBytes(16);
  const created = new Date().toISOString();
  const digest = createHash('sha1')
    .update(Buffer.concat([nonce, Buffer.from(created), Buffer.from(PASS)]))
    .digest('base64');
  return `<s:Header><Security s:mustUnderstand="1" xmlns="http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-secext-1.0.xsd"><UsernameToken><Username>${USER}</Username><Password Type="http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-username-token-profile-1.0#PasswordDigest">${digest}</Password><Nonce EncodingType="http://docs.oasis-open.org/wss/2004/01/oasis-200401-soap-message-security-1.0#Base64Binary">${nonce.toString('base64')}</Nonce><Created xmlns="http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-utility-1.0.xsd">${created}</Created></UsernameToken></Security></s:Header>`;
}
const env = (body: string) =>
  `<s:Envelope xmlns:s="http://www.w3.org/2003/05/soap-envelope">${wsse()}<s:Body xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xmlns:xsd="http://www.w3.org/2001/XMLSchema">${body}</s:Body></s:Envelope>`;
const ACTIONS = [
  '<GetSystemDateAndTime xmlns="http://www.onvif.org/ver10/device/wsdl"/>',
  '<GetCapabilities xmlns="http://www.onvif.org/ver10/device/wsdl"><Category>All</Category></GetCapabilities>',
  '<GetDeviceInformation xmlns="http://www.onvif.org/ver10/device/wsdl"/>',
  '<GetNTP xmlns="http://www.onvif.org/ver10/device/wsdl"/>',
  '<GetProfiles xmlns="http://www.onvif.org/ver10/media/wsdl"/>',
  '<GetStreamUri xmlns="http://www.onvif.org/ver10/media/wsdl"><StreamSetup><Stream xmlns="http://www.onvif.org/ver10/schema">RTP-Unicast</Stream><Transport xmlns="http://www.onvif.org/ver10/schema"><Protocol>RTSP</Protocol></Transport></StreamSetup><ProfileToken>Profile_1</ProfileToken></GetStreamUri>',
  '<GetSnapshotUri xmlns="http://www.onvif.org/ver10/media/wsdl"><ProfileToken>Profile_1</ProfileToken></GetSnapshotUri>',
];

async function reference(url: string, i: number): Promise<boolean> {
  const u = new URL(url);
  let ok = true;
  for (const a of ACTIONS) {
    const r = await fetch(url, { method: 'POST', body: env(a), headers: { 'content-type': 'application/soap+xml; charset=utf-8' } });
    await r.arrayBuffer();
    ok &&= r.status === 200 || a.startsWith('<GetNTP');
  }
  const rt = await checkRtsp(`rtsp://127.0.0.1:${rtspPort(i)}/cam/realmonitor?channel=1&subtype=1&unicast=true&proto=Onvif`, USER, PASS, 5000);
  const snap = await httpGet(`http://${u.host}/onvifsnapshot/media_service/snapshot?channel=1&subtype=1`, USER, PASS, 5000);
  return ok && rt.ok && snap.status === 200;
}

const cpu0 = process.cpuUsage();
const t0 = performance.now();
let ok = 0;
let failed = 0;
if (mode === 'probe') {
  const cfg = onvifSchema.parse({
    kind: 'onvif',
    user: USER,
    password: PASS,
    cameras: urls.map((url, i) => ({ url, name: `cam-${i}`, rtsp_port: rtspPort(i) })),
    concurrency: CONCURRENCY,
    request_timeout_ms: 10_000,
  });
  const probe = createOnvifProbe(cfg, {
    log: pino({ level: 'silent' }),
    now: Date.now,
    emitEvent() {},
    emitSamples() {},
    stateDir: os.tmpdir() + `/wp-bench-onvif-${process.pid}`,
  });
  const samples = await probe.collect(AbortSignal.timeout(300_000));
  for (const s of samples) {
    if (s.fields.up === 1n && s.fields.snapshot_problem === 'none') ok++;
    else failed++;
  }
} else {
  let next = 0;
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      while (next < urls.length) {
        const i = next++;
        if (await reference(urls[i]!, i).catch(() => false)) ok++;
        else failed++;
      }
    }),
  );
}
const wallMs = performance.now() - t0;
const c = process.cpuUsage(cpu0);
process.stdout.write(JSON.stringify({ wallMs, cpuS: (c.user + c.system) / 1e6, maxRssMiB: process.resourceUsage().maxRSS / 1024, ok, failed }) + '\n');
