/**
 * A seeded month (2026-10, Asia/Shanghai) of the measurements the report reads, written to a
 * real influxd as line protocol. The small scale has hand-checkable figures the tests assert;
 * the bench uses the same generator at 500 devices.
 */
import { monthPeriod } from '../../../lib/month-period.ts';

export interface SeedScale {
  switches: number;
  portsPerSwitch: number;
  cameras: number;
  pcs: number;
  stepS: number;
}

export const SMALL: SeedScale = { switches: 3, portsPerSwitch: 4, cameras: 4, pcs: 3, stepS: 3600 };
/** Local day of the month the seeded data begins on (1 = the whole month). */
export interface SeedOptions {
  fromDay?: number;
}
export const MONTH = '2026-10';
export const TZ = 'Asia/Shanghai';

const esc = (s: string) => s.replace(/([ ,=])/g, '\\$1');

function switchLoc(i: number): string {
  // Switch 0: shaft A-1; others: office floors 3, 4, …
  return i === 0 ? 'building=A,shaft=A-1' : `building=A,floor=${i + 2}`;
}

/** Line protocol (precision s) for the month, yielded in chunks. */
export function* seedLines(scale: SeedScale, chunkLines = 50_000, opts: SeedOptions = {}): Generator<string> {
  const p = monthPeriod(MONTH, TZ);
  const start = p.startMs / 1000;
  const first = start + ((opts.fromDay ?? 1) - 1) * 86400;
  const end = p.endMs / 1000;
  let buf: string[] = [];
  const push = (l: string) => {
    buf.push(l);
    return buf.length >= chunkLines;
  };
  // The shaft switch is down for 6 hours on 2026-10-05 (local 08:00–14:00).
  const downFrom = start + 4 * 86400 + 8 * 3600;
  const downTo = downFrom + 6 * 3600;
  // Camera 0 is down 3 hours on 2026-10-10 local; camera 2 on 2026-10-05, before the day its
  // monitoring began (inventory monitored_since: 2026-10-11), so that outage does not count.
  const camDownFrom = start + 9 * 86400 + 10 * 3600;
  const camDownTo = camDownFrom + 3 * 3600;
  const cam2DownFrom = start + 4 * 86400 + 10 * 3600;
  // pc-0301 (pinged as 10.3.1.21) does not answer for 4 hours on 2026-10-08; the printer
  // (10.3.1.50) is pinged from 2026-10-16, the day it was added.
  const pcDownFrom = start + 7 * 86400 + 9 * 3600;
  const printerFrom = start + 15 * 86400;
  const errs = new Array<number>(scale.switches * scale.portsPerSwitch).fill(0);
  for (let t = first; t < end; t += scale.stepS) {
    const pcDown = t >= pcDownFrom && t < pcDownFrom + 4 * 3600;
    push(`ping,url=10.3.1.21,host=poller-a-b1,floor=1 result_code=${pcDown ? 2 : 0}i,percent_packet_loss=${pcDown ? 100 : 0} ${t}`);
    if (t >= printerFrom) push(`ping,url=10.3.1.50,host=poller-a-b1,floor=1 result_code=0i,percent_packet_loss=0 ${t}`);
    // The poller's own host reports its disk: it is not a PC of the report.
    push(`disk,host=poller-a-b1,path=/,device=sda1,fstype=ext4,mode=rw used_percent=30 ${t}`);
    // pc-0301's own agent reports as PC-0301 (Windows capitals).
    push(`patches,host=PC-0301,os_family=windows pending=0i,security_pending=0i,days_since_patch=5 ${t}`);
    push(`antivirus_status,host=PC-0301 protected=true,products=1i ${t}`);
    for (let i = 0; i < scale.switches; i++) {
      const name = i === 0 ? 'sw-a-shaft1' : `sw-a-${i + 2}f-${String(i).padStart(2, '0')}`;
      const down = i === 0 && t >= downFrom && t < downTo;
      const reboot = i === 0 && t === downTo ? 1 : 0;
      push(`snmp_device,device=${name},vendor=huawei,${switchLoc(i)} up=${down ? 0 : 1}i,reboot=${reboot}i,uptime_s=${t - start}i ${t}`);
      if (!down) {
        push(
          `sensor,device=${name},kind=temperature,entity=board,${switchLoc(i)} value=${i === 1 && t === start + 15 * 86400 ? 61.5 : 38 + i},unit="C",status="ok" ${t}`,
        );
        for (let j = 0; j < scale.portsPerSwitch; j++) {
          const k = i * scale.portsPerSwitch + j;
          // Port 2 of the first office switch keeps gaining CRC errors; its last port is down at month end.
          if (i === 1 && j === 1) errs[k] = errs[k]! + 3;
          const oper = i === 1 && j === scale.portsPerSwitch - 1 && t > end - 86400 ? 2 : 1;
          push(
            `interface,device=${name},ifName=GE0/0/${j + 1},ifIndex=${j + 1},${switchLoc(i)} admin_status=1i,oper_status=${oper}i,in_errors=${errs[k]}i,flaps=0i ${t}`,
          );
        }
      }
    }
    for (let c = 0; c < scale.cameras; c++) {
      const name = c === 0 ? 'cam-a-3f-lobby' : `cam-a-${3 + (c % 3)}f-${String(c).padStart(3, '0')}`;
      const up = (c === 0 && t >= camDownFrom && t < camDownTo) || (c === 2 && t >= cam2DownFrom && t < cam2DownFrom + 3 * 3600) ? 0 : 1;
      // Camera 3's stream check is switched off; agents before the fix wrote stream_ok=false for it.
      const stream = up && c !== 3 ? 't' : 'f';
      push(
        `camera,camera=${name},manufacturer=hikvision,model=DS-2CD,building=A,floor=${3 + (c % 3)} up=${up}i,reachable=${up ? 't' : 'f'},auth="${up ? 'ok' : 'unknown'}",stream_ok=${stream},snapshot_ok=${up ? 't' : 'f'},clock_drift_s=0.4 ${t}`,
      );
    }
    for (let h = 0; h < scale.pcs; h++) {
      const name = h === 0 ? 'pc-a-301' : h === 1 ? 'pc-a-302' : `pc-a-${300 + h + 1}`;
      const days = h === 0 ? 45 : 3;
      push(
        `patches,host=${name},os_family=windows,building=A,floor=3 pending=${h === 0 ? 4 : 0}i,security_pending=${h === 0 ? 2 : 0}i,days_since_patch=${days} ${t}`,
      );
      push(`antivirus_status,host=${name},building=A,floor=3 protected=${h === 1 ? 'false' : 'true'},products=1i ${t}`);
      if (push(`disk,host=${name},path=C:,device=C:,fstype=NTFS,mode=rw used_percent=${h === 2 ? 91 : 50} ${t}`)) {
        yield buf.join('\n');
        buf = [];
      }
    }
  }
  // Three alert episodes: one acked in 30 min, one in 150 min (misses the 2 h on-site SLA), one
  // about 10.3.1.21 acked in 20 min. Alerts before the seeded data began are left out.
  const a1 = start + 4 * 86400 + 8 * 3600;
  buf.push(`alert_state,rule=device_down,target=sw-a-shaft1,severity=critical state="firing",firing=1i,age_s=0i ${a1}`);
  buf.push(`alert_state,rule=device_down,target=sw-a-shaft1,severity=critical state="acknowledged",firing=1i,age_s=1800i ${a1 + 1800}`);
  buf.push(`alert_state,rule=device_down,target=sw-a-shaft1,severity=critical state="resolved",firing=0i,age_s=21600i ${a1 + 21600}`);
  const a2 = start + 9 * 86400 + 10 * 3600;
  buf.push(`alert_state,rule=camera_down,target=cam-a-3f-lobby,severity=warning state="firing",firing=1i,age_s=0i ${a2}`);
  buf.push(`alert_state,rule=camera_down,target=cam-a-3f-lobby,severity=warning state="acknowledged",firing=1i,age_s=9000i ${a2 + 9000}`);
  buf.push(`alert_state,rule=camera_down,target=cam-a-3f-lobby,severity=warning state="resolved",firing=0i,age_s=10800i ${a2 + 10800}`);
  const a3 = pcDownFrom;
  buf.push(`alert_state,rule=ping_down,target=10.3.1.21,severity=warning state="firing",firing=1i,age_s=0i ${a3}`);
  buf.push(`alert_state,rule=ping_down,target=10.3.1.21,severity=warning state="acknowledged",firing=1i,age_s=1200i ${a3 + 1200}`);
  buf.push(`alert_state,rule=ping_down,target=10.3.1.21,severity=warning state="resolved",firing=0i,age_s=14400i ${a3 + 14400}`);
  if (first > start) buf = buf.filter((l) => !l.startsWith('alert_state') || Number(l.slice(l.lastIndexOf(' ') + 1)) >= first);
  buf.push(`sms_usage,purpose=${esc('alert')} sent_parts=120i,budget_used_pct=12 ${end - 3600}`);
  buf.push(`sms_usage,purpose=${esc('report')} sent_parts=30i,budget_used_pct=3 ${end - 3600}`);
  yield buf.join('\n');
}

/** Writes the seed to influxd (creating the database). Returns the number of lines. */
export async function seedInflux(url: string, db: string, scale: SeedScale = SMALL, opts: SeedOptions = {}): Promise<number> {
  const create = new URL('/query', url);
  create.searchParams.set('q', `CREATE DATABASE "${db}"`);
  await fetch(create, { method: 'POST' });
  const u = new URL('/write', url);
  u.searchParams.set('db', db);
  u.searchParams.set('precision', 's');
  let n = 0;
  for (const body of seedLines(scale, 50_000, opts)) {
    const res = await fetch(u, { method: 'POST', body });
    if (res.status !== 204) throw new Error(`seed write failed: ${res.status} ${await res.text()}`);
    n += body.split('\n').length;
  }
  return n;
}
