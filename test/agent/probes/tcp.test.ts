import net from 'node:net';
import t from 'tap';
import { ExitCode } from '../../../agent/probes/probe.ts';
import { tcpSchema } from '../../../agent/probes/tcp/schema.ts';
import { createTcpProbe, tcpStatus } from '../../../agent/probes/tcp/probe.ts';
import { startSmtp } from '../../peers/smtp.ts';

t.test('net_response: open port with banner, banner mismatch, closed port, silent server', async (t) => {
  const smtp = await startSmtp();
  t.teardown(() => smtp.close());
  const silent = net.createServer((s) => s.on('error', () => {}));
  await new Promise<void>((r) => silent.listen(0, '127.0.0.1', () => r()));
  t.teardown(() => silent.close());
  const sp = (silent.address() as net.AddressInfo).port;
  const cfg = tcpSchema.parse({
    kind: 'tcp',
    targets: [
      { host: '127.0.0.1', port: smtp.port, expect: '220 ' },
      { host: '127.0.0.1', port: smtp.port, expect: 'SSH-2.0', read_ms: 500 },
      { host: '127.0.0.1', port: 9 },
      { host: '127.0.0.1', port: sp, expect: 'hello', read_ms: 300 },
      { host: 'localhost', port: sp, ip_protocol: 'ip4' },
    ],
  });
  const [ok, mismatch, closed, quiet, byName] = await createTcpProbe(cfg, 'a1').collect(AbortSignal.timeout(10_000));
  t.equal(ok!.fields.result_type, 'success');
  t.equal(ok!.fields.string_found, true);
  t.match(String(ok!.fields.banner), /^220 /);
  t.ok(Number(ok!.fields.response_time) > 0 && Number(ok!.fields.response_time) < 1);
  t.equal(mismatch!.fields.result_type, 'timeout', 'waits read_ms for the expected text, then gives up');
  t.equal(mismatch!.fields.string_found, false);
  t.equal(closed!.fields.result_type, 'connection_failed');
  t.equal(closed!.fields.error_class, 'refused');
  t.equal(Number(closed!.fields.result_code), 2);
  t.equal(quiet!.fields.result_type, 'timeout');
  t.equal(Number(quiet!.fields.result_code), 1);
  t.equal(byName!.fields.result_type, 'success');
  t.equal(byName!.tags.server, 'localhost');
  const st = tcpStatus([ok!, closed!]);
  t.equal(st.code, ExitCode.CRITICAL);
  t.match(st.summary, /127\.0\.0\.1:9 connect: ECONNREFUSED/);
  t.equal(tcpStatus([ok!]).code, ExitCode.OK);
});
