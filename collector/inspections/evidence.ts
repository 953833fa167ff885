import type { Lang } from '../i18n/index.ts';

/** How many names a line shows before the rest go into a list that opens. */
export const SHOW_FIRST = 5;

/** An item's evidence in words: a sentence, and the full list behind it when it is long. */
export interface EvidenceText {
  text: string;
  list?: string[];
}

const num = (v: unknown, digits = 1) => (typeof v === 'number' ? String(Math.round(v * 10 ** digits) / 10 ** digits) : String(v));
const names = (v: unknown) => (Array.isArray(v) ? v.map(String) : []);

function listed(lang: Lang, n: number, what: [string, string], items: string[]): EvidenceText {
  const head = items.slice(0, SHOW_FIRST).join(', ');
  const more = items.length > SHOW_FIRST ? (lang === 'en' ? ` and ${items.length - SHOW_FIRST} more` : ` 等 ${items.length} 个`) : '';
  const text = lang === 'en' ? `${n} ${what[0]}${n ? `: ${head}${more}` : ''}` : `${what[1]} ${n} 个${n ? `：${head}${more}` : ''}`;
  return items.length > SHOW_FIRST ? { text, list: items } : { text };
}

/**
 * The evidence of an automatic inspection item as the engineer and the client read it —
 * "3 ports with errors", "peak 47 °C" — instead of the raw `key=value` the checks store.
 * Unknown codes fall back to the values in words, so a new check never prints nothing.
 */
export function evidenceText(code: string, e: Record<string, unknown>, lang: Lang): EvidenceText {
  const en = lang === 'en';
  if (e.data === 'none') return { text: en ? 'no data from this device in the period' : '本周期内无该设备数据' };
  switch (code) {
    case 'reachable':
      return { text: e.up === 1 ? (en ? 'answering' : '在线') : en ? 'not answering' : '无响应' };
    case 'reboots':
      return { text: en ? `${num(e.reboots, 0)} restart(s)` : `重启 ${num(e.reboots, 0)} 次` };
    case 'ports_down': {
      const ports = names(e.ports);
      const fresh = names(e.new);
      const base = listed(lang, ports.length, ['ports down', '端口未连接'], ports);
      if (fresh.length && fresh.length !== ports.length)
        base.text += en
          ? ` (new since the last inspection: ${fresh.slice(0, SHOW_FIRST).join(', ')}${fresh.length > SHOW_FIRST ? ' …' : ''})`
          : `（上次巡检以来新增：${fresh.slice(0, SHOW_FIRST).join('、')}${fresh.length > SHOW_FIRST ? ' …' : ''}）`;
      return base;
    }
    case 'port_errors':
      return { text: en ? `${num(e.new_errors, 0)} new interface errors` : `新增端口错误 ${num(e.new_errors, 0)} 个` };
    case 'flaps':
      return { text: en ? `${num(e.flaps, 0)} link flaps` : `端口抖动 ${num(e.flaps, 0)} 次` };
    case 'temperature':
      return { text: en ? `peak ${num(e.peak_c)} °C` : `最高温度 ${num(e.peak_c)} °C` };
    case 'fan_psu': {
      const bad = names(e.bad);
      return bad.length
        ? listed(lang, bad.length, ['fans/power supplies failed', '风扇/电源故障'], bad)
        : { text: en ? 'all fans and power supplies normal' : '风扇、电源均正常' };
    }
    case 'config_changed':
      return { text: en ? `${num(e.changes, 0)} configuration change(s)` : `配置变更 ${num(e.changes, 0)} 次` };
    case 'uptime_24h':
      return { text: en ? `${num(e.pct, 2)} % online in the last 24 h` : `近 24 小时在线率 ${num(e.pct, 2)} %` };
    case 'uptime_month':
      return { text: en ? `${num(e.pct, 2)} % online this month` : `本月在线率 ${num(e.pct, 2)} %` };
    case 'clock_drift':
      return { text: en ? `clock off by ${num(e.drift_s)} s` : `时钟偏差 ${num(e.drift_s)} 秒` };
    case 'stream':
      return { text: e.stream_ok ? (en ? 'video stream plays' : '视频流正常') : en ? 'video stream fails' : '视频流无法播放' };
    case 'snapshot':
      return { text: e.problem === 'none' ? (en ? 'picture normal' : '画面正常') : en ? `picture ${String(e.problem)}` : `画面异常（${String(e.problem)}）` };
    case 'firmware':
      return {
        text:
          e.previous !== undefined && e.previous !== e.firmware
            ? en
              ? `firmware ${String(e.firmware)} (was ${String(e.previous)})`
              : `固件 ${String(e.firmware)}（原 ${String(e.previous)}）`
            : en
              ? `firmware ${String(e.firmware)}`
              : `固件 ${String(e.firmware)}`,
      };
    case 'patch':
      return { text: en ? `last update ${num(e.days, 0)} days ago` : `距上次更新 ${num(e.days, 0)} 天` };
    case 'security_updates':
      return { text: en ? `${num(e.pending, 0)} security update(s) pending` : `待装安全更新 ${num(e.pending, 0)} 个` };
    case 'antivirus':
      return {
        text:
          e.protected === true
            ? en
              ? 'protected'
              : '防护正常'
            : e.protected === false
              ? en
                ? 'not protected'
                : '未防护'
              : en
                ? 'state unknown'
                : '状态未知',
      };
    case 'disk':
      return { text: en ? `fullest disk ${num(e.used_pct)} % used` : `最满磁盘已用 ${num(e.used_pct)} %` };
    case 'disk_health':
      return { text: en ? `${num(e.smart_failed, 0)} disk(s) failing SMART` : `SMART 异常磁盘 ${num(e.smart_failed, 0)} 块` };
  }
  if (code.startsWith('ssh:')) {
    const v = e.value === undefined || e.value === null ? '' : ` — ${String(e.value)}`;
    return { text: e.ok ? `${en ? 'OK' : '正常'}${v}` : `${en ? `failed (exit ${num(e.exit_code, 0)})` : `失败（退出码 ${num(e.exit_code, 0)}）`}${v}` };
  }
  return {
    text: Object.entries(e)
      .map(([k, v]) => `${k.replaceAll('_', ' ')} ${Array.isArray(v) ? v.join(', ') : num(v, 2)}`)
      .join('; '),
  };
}
