import type { InterfaceRow } from './poll.ts';

/** Per-interface rates between two polls; null where no honest figure exists (first poll, reset). */
export interface InterfaceRates {
  inBps: number | null;
  outBps: number | null;
  inUtilPct: number | null;
  outUtilPct: number | null;
  inErrorsPerS: number | null;
  outErrorsPerS: number | null;
  /** Oper status changes seen since the previous poll (0 on the first poll). */
  flaps: number;
}

interface Prev {
  time: number;
  row: InterfaceRow;
}

interface DeviceState {
  time: number;
  uptimeSeconds: number | null;
  ifs: Map<number, Prev>;
}

const WRAP32 = 2n ** 32n;
// sysUpTime is TimeTicks (1/100 s) in 32 bits: it wraps after ~497 days without a reboot.
const UPTIME_WRAP_S = 2 ** 32 / 100;

/**
 * Remembers the previous poll per device and turns counters into rates. A device reboot
 * (sysUpTime went back) or a counter that went back without a plausible wrap yields no rate
 * for that interval rather than a huge spike; a 32-bit counter that went back is a wrap when
 * the implied rate fits the port speed. 64-bit counters do not wrap in practice: back = reset.
 */
export class RateTracker {
  private readonly devices = new Map<string, DeviceState>();

  /** Whether the device rebooted since its previous poll (false on the first poll). */
  rebooted(device: string, time: number, uptimeSeconds: number | null): boolean {
    const prev = this.devices.get(device);
    if (!prev || prev.uptimeSeconds === null || uptimeSeconds === null) return false;
    if (uptimeSeconds >= prev.uptimeSeconds) return false;
    const expected = prev.uptimeSeconds + (time - prev.time) / 1000;
    // A wrap of the 32-bit TimeTicks is not a reboot.
    return !(expected >= UPTIME_WRAP_S - 60 && uptimeSeconds < expected - UPTIME_WRAP_S + 60);
  }

  update(device: string, time: number, uptimeSeconds: number | null, rows: InterfaceRow[]): Map<number, InterfaceRates> {
    const prev = this.devices.get(device);
    const reboot = this.rebooted(device, time, uptimeSeconds);
    const out = new Map<number, InterfaceRates>();
    for (const row of rows) {
      const p = prev?.ifs.get(row.ifIndex);
      const dt = p ? (time - p.time) / 1000 : 0;
      const ok = p !== undefined && dt > 0 && !reboot;
      const speedBps = row.speedMbps ? row.speedMbps * 1e6 : null;
      const rate = (now: bigint | undefined, before: bigint | undefined, wide: boolean, bytes: boolean) =>
        ok ? counterRate(now, before, dt, wide, bytes ? speedBps : null, bytes ? 8 : 1) : null;
      const inBps = rate(row.inOctets, p?.row.inOctets, row.hc, true);
      const outBps = rate(row.outOctets, p?.row.outOctets, row.hc, true);
      let flaps = 0;
      if (p && !reboot) {
        if (p.row.operStatus !== row.operStatus) flaps = 1;
        // ifLastChange moved but the status is the same: it went away and came back in between.
        else if (row.lastChange !== undefined && p.row.lastChange !== undefined && row.lastChange !== p.row.lastChange) flaps = 2;
      }
      out.set(row.ifIndex, {
        inBps,
        outBps,
        inUtilPct: inBps !== null && speedBps ? (inBps / speedBps) * 100 : null,
        outUtilPct: outBps !== null && speedBps ? (outBps / speedBps) * 100 : null,
        // Error counters are Counter32 in IF-MIB.
        inErrorsPerS: rate(row.inErrors, p?.row.inErrors, false, false),
        outErrorsPerS: rate(row.outErrors, p?.row.outErrors, false, false),
        flaps,
      });
    }
    this.devices.set(device, { time, uptimeSeconds, ifs: new Map(rows.map((r) => [r.ifIndex, { time, row: r }])) });
    return out;
  }

  /** Forget a device (it went down: the next successful poll starts a new baseline). */
  forget(device: string): void {
    this.devices.delete(device);
  }
}

/** Per-second rate of a counter; `unit` multiplies (8 for octets → bits). */
export function counterRate(
  now: bigint | undefined,
  before: bigint | undefined,
  dtS: number,
  wide: boolean,
  maxPerS: number | null,
  unit: number,
): number | null {
  if (now === undefined || before === undefined || dtS <= 0) return null;
  let d = now - before;
  if (d < 0n) {
    if (wide) return null;
    d += WRAP32;
    // Only a wrap if the rate it implies is possible on this port; otherwise the counter was reset.
    const r = (Number(d) * unit) / dtS;
    if (maxPerS !== null ? r > maxPerS * 1.05 : d >= WRAP32 / 2n) return null;
  }
  return (Number(d) * unit) / dtS;
}
