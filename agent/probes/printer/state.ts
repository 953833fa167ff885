import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import path from 'node:path';

/** What the probe remembers of one printer between polls (and agent restarts). */
export interface PrinterMemory {
  /** The prtAlertTable rows seen last time: row key → what the row said (for the "cleared" event). */
  alerts: Record<string, string>;
  /** prtMarkerLifeCount total at the last poll, and the serial it was read from (a swapped printer starts over). */
  pages: number | null;
  serial: string | null;
}

/**
 * Per-device memory kept in the probe's state directory, so an agent restart neither re-reports
 * every open printer alert as new nor loses the pages printed while it was down. A missing or
 * unreadable file starts empty (the first poll then sets the baseline).
 */
export class PrinterState {
  private readonly file: string | undefined;
  private readonly mem: Record<string, PrinterMemory>;
  private dirty = false;

  constructor(stateDir: string | undefined) {
    this.file = stateDir ? path.join(stateDir, 'printer-state.json') : undefined;
    let m: Record<string, PrinterMemory> = {};
    try {
      if (this.file) m = JSON.parse(readFileSync(this.file, 'utf8')) as Record<string, PrinterMemory>;
    } catch {
      m = {};
    }
    this.mem = m && typeof m === 'object' ? m : {};
  }

  get(device: string): PrinterMemory | undefined {
    return this.mem[device];
  }

  set(device: string, m: PrinterMemory): void {
    const old = this.mem[device];
    if (old && JSON.stringify(old) === JSON.stringify(m)) return;
    this.mem[device] = m;
    this.dirty = true;
  }

  /** Writes the file when something changed (atomically: a crash mid-write leaves the old one). */
  save(): void {
    if (!this.dirty || !this.file) return;
    mkdirSync(path.dirname(this.file), { recursive: true });
    writeFileSync(this.file + '.tmp', JSON.stringify(this.mem));
    renameSync(this.file + '.tmp', this.file);
    this.dirty = false;
  }
}
