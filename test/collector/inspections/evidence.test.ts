import t from 'tap';
import { evidenceText } from '../../../collector/inspections/evidence.ts';

t.test('evidence in words, not key=value', async (t) => {
  const ports = Array.from({ length: 23 }, (_, i) => `GE0/0/${i + 1}`);
  const first = evidenceText('ports_down', { ports, new: ports }, 'en');
  t.equal(first.text, '23 ports down: GE0/0/1, GE0/0/2, GE0/0/3, GE0/0/4, GE0/0/5 and 18 more', "a first inspection's many down ports are a count");
  t.same(first.list, ports, 'with the whole list behind it');
  t.equal(evidenceText('ports_down', { ports, new: ports }, 'zh-CN').text, '端口未连接 23 个：GE0/0/1, GE0/0/2, GE0/0/3, GE0/0/4, GE0/0/5 等 23 个');
  t.same(evidenceText('ports_down', { ports: ['GE0/0/3', 'GE0/0/9'], new: ['GE0/0/9'] }, 'en'), {
    text: '2 ports down: GE0/0/3, GE0/0/9 (new since the last inspection: GE0/0/9)',
  });
  t.same(evidenceText('ports_down', { ports: [], new: [] }, 'en'), { text: '0 ports down' });
  t.equal(evidenceText('port_errors', { new_errors: 3 }, 'en').text, '3 new interface errors');
  t.equal(evidenceText('uptime_24h', { pct: 0.2749 }, 'en').text, '0.27 % online in the last 24 h');
  t.equal(evidenceText('uptime_24h', { pct: 99.5 }, 'zh-CN').text, '近 24 小时在线率 99.5 %');
  t.equal(evidenceText('temperature', { peak_c: 47.26 }, 'en').text, 'peak 47.3 °C');
  t.equal(evidenceText('reachable', { data: 'none' }, 'zh-CN').text, '本周期内无该设备数据');
  t.equal(evidenceText('reachable', { up: 0 }, 'en').text, 'not answering');
  t.equal(evidenceText('fan_psu', { bad: ['FAN 2'] }, 'en').text, '1 fans/power supplies failed: FAN 2');
  t.equal(evidenceText('fan_psu', { bad: [] }, 'zh-CN').text, '风扇、电源均正常');
  t.equal(evidenceText('firmware', { firmware: 'V5.7', previous: 'V5.6' }, 'en').text, 'firmware V5.7 (was V5.6)');
  t.equal(evidenceText('antivirus', { protected: 'unknown' }, 'en').text, 'state unknown');
  t.equal(evidenceText('ssh:ntp', { ok: false, exit_code: 2, value: 'offset 9 s' }, 'en').text, 'failed (exit 2) — offset 9 s');
  t.equal(evidenceText('new_check', { bad_ports: ['a', 'b'], ratio: 0.123 }, 'en').text, 'bad ports a, b; ratio 0.12', 'an unknown code still reads as words');
  for (const code of [
    'reboots',
    'flaps',
    'config_changed',
    'uptime_month',
    'clock_drift',
    'stream',
    'snapshot',
    'patch',
    'security_updates',
    'disk',
    'disk_health',
  ]) {
    const txt = evidenceText(
      code,
      { reboots: 1, flaps: 2, changes: 1, pct: 98, drift_s: 4, stream_ok: false, problem: 'black', days: 40, pending: 3, used_pct: 91, smart_failed: 1 },
      'en',
    ).text;
    t.notMatch(txt, /=/, `${code}: "${txt}" has no key=value`);
    t.match(txt, /\d|fails|black/, `${code}: "${txt}" says the value`);
  }
});
