import t from 'tap';
import { dnsSchema } from '../../../agent/probes/dns/schema.ts';
import { createDnsProbe } from '../../../agent/probes/dns/run.ts';
import { dnsStatus } from '../../../agent/probes/dns/probe.ts';
import { decodeMessage, encodeQuery } from '../../../agent/probes/dns/wire.ts';
import { ExitCode } from '../../../agent/probes/probe.ts';
import { startDnsmasq } from '../../peers/dnsmasq.ts';

t.setTimeout(60_000);

const longTxt = Array.from({ length: 12 }, (_, i) => `txt-record=big.test,"${String(i).padStart(2, '0')}${'x'.repeat(60)}"`);
const dns = await startDnsmasq([
  'local=/test/',
  'host-record=www.test,10.1.2.3,fd00::1:0:0:7',
  'host-record=portal.test,10.1.2.4',
  'cname=alias.test,www.test',
  'mx-host=test,mail.test,10',
  'mx-host=test,backup.test,20',
  'txt-record=test,"v=spf1 -all"',
  ...longTxt,
]);
t.teardown(() => dns.stop());

async function ask(targets: Record<string, unknown>[]) {
  const cfg = dnsSchema.parse({ kind: 'dns', targets: targets.map((x) => ({ server: '127.0.0.1', port: dns.port, ...x })) });
  return createDnsProbe(cfg, 'agent1').collect(AbortSignal.timeout(20_000));
}

t.test('A, AAAA, CNAME, MX and TXT over UDP and TCP, with Telegraf dns_query fields', async (t) => {
  for (const transport of ['udp', 'tcp']) {
    const [a, aaaa, cname, mx, txt] = await ask([
      { domain: 'www.test', record_type: 'A', transport, expect: ['10.1.2.3'] },
      { domain: 'www.test', record_type: 'AAAA', transport, expect: ['fd00::1:0:0:7'] },
      { domain: 'alias.test', record_type: 'CNAME', transport, expect: ['WWW.test.'] },
      { domain: 'test', record_type: 'MX', transport, expect: ['10 mail.test', '20 backup.test'] },
      { domain: 'test', record_type: 'TXT', transport, expect: ['v=spf1 -all'] },
    ]);
    for (const s of [a!, aaaa!, cname!, mx!, txt!]) {
      t.equal(Number(s.fields.up), 1, `${transport} ${s.tags.record_type}: ${String(s.fields.error ?? '')}`);
      t.equal(s.tags.rcode, 'NOERROR');
      t.equal(s.tags.protocol, transport);
      t.equal(s.tags.result, 'success');
      t.equal(Number(s.fields.result_code), 0);
      t.ok(Number(s.fields.query_time_ms) > 0);
    }
    t.equal(a!.fields.answers, '10.1.2.3');
    t.equal(aaaa!.fields.answers, 'fd00::1:0:0:7', 'RFC 5952 form');
    t.equal(cname!.fields.answers, 'www.test');
    t.equal(Number(mx!.fields.answer_count), 2);
  }
});

t.test('rcode, unexpected answers, truncation falling back to TCP, and a dead server', async (t) => {
  const [nx, wrong, big, bigTcp] = await ask([
    { domain: 'nosuch.test' },
    { domain: 'portal.test', expect: ['10.9.9.9'] },
    { domain: 'big.test', record_type: 'TXT' },
    { domain: 'big.test', record_type: 'TXT', transport: 'tcp' },
  ]);
  t.equal(nx!.tags.rcode, 'NXDOMAIN');
  t.equal(Number(nx!.fields.rcode_value), 3);
  t.equal(Number(nx!.fields.up), 0);
  t.equal(nx!.fields.error_class, 'rcode');
  const [nxOk] = await ask([{ domain: 'nosuch.test', expect_rcode: 'NXDOMAIN' }]);
  t.equal(Number(nxOk!.fields.up), 1, 'NXDOMAIN can be the expectation');
  t.equal(Number(wrong!.fields.up), 0);
  t.equal(wrong!.fields.error_class, 'answer_mismatch');
  t.equal(wrong!.fields.error, 'expected 10.9.9.9 not in answers (10.1.2.4)');
  t.equal(big!.tags.protocol, 'tcp', 'over 512 bytes: truncated over UDP, asked again over TCP');
  t.equal(Number(big!.fields.answer_count), 12);
  t.same(String(big!.fields.answers).split(',').sort(), String(bigTcp!.fields.answers).split(',').sort());
  const st = dnsStatus([nx!, wrong!]);
  t.equal(st.code, ExitCode.CRITICAL);
  t.match(st.summary, /nosuch\.test A @127\.0\.0\.1\/udp: rcode NXDOMAIN/);
  t.equal(dnsStatus([big!]).code, ExitCode.OK);

  const cfg = dnsSchema.parse({
    kind: 'dns',
    targets: [
      { server: '127.0.0.1', port: 9, domain: 'www.test', timeout_ms: 300 },
      { server: '127.0.0.1', port: 9, domain: 'www.test', transport: 'tcp', timeout_ms: 300 },
    ],
  });
  const [udpDead, tcpDead] = await createDnsProbe(cfg, undefined).collect(AbortSignal.timeout(5000));
  t.equal(Number(udpDead!.fields.up), 0);
  t.match(udpDead!.tags.result, /^(timeout|error)$/);
  t.equal(tcpDead!.fields.error_class, 'refused');
  t.equal(Number(tcpDead!.fields.result_code), 2);
});

t.test('wire code: encodes what dnsmasq answered, refuses bad names and hostile messages', async (t) => {
  const q = encodeQuery(0x1234, 'www.test', 'A');
  t.equal(q.toString('hex'), '12340100000100000000000003777777047465737400000100 01'.replace(/ /g, ''));
  t.throws(() => encodeQuery(1, `${'a'.repeat(64)}.test`, 'A'), { name: 'WireError' });
  t.throws(() => encodeQuery(1, 'bad name.test', 'A'), { name: 'WireError' });
  // A response whose answer name points at itself: a loop, not a hang.
  const loop = Buffer.from('123481800000000100000000' + 'c00c' + '0001' + '0001' + '00000010' + '0004' + '0a000001', 'hex');
  t.throws(() => decodeMessage(loop), /compression pointer loop/);
  t.throws(() => decodeMessage(Buffer.from('1234', 'hex')), { name: 'WireError' });
  t.throws(() => decodeMessage(Buffer.from('123401000000000000000000', 'hex')), /not a response/);
});
