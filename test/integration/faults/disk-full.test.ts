import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import t from 'tap';
import { removeDir, tempDir, waitFor } from '../../peers/util.ts';
import { loopbackPair, startFeeder } from './procs.ts';

// The agent's outbox lives on a 2 MiB tmpfs the test mounts, and the collector is away, so
// the disk fills up. The outbox must keep what it already holds, count what it could not
// store, and deliver the rest once the collector is back: stored = produced − counted drops.
const isRoot = process.getuid?.() === 0;

t.test(
  'agent disk full for its outbox: only the counted drop is lost',
  { skip: isRoot ? false : 'needs root to mount a tmpfs (CI runs as root)' },
  async (t) => {
    const dir = tempDir('diskfull');
    const mnt = path.join(dir, 'outbox');
    mkdirSync(mnt);
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=2m,mode=0700', 'tmpfs', mnt]);
    t.teardown(() => {
      try {
        execFileSync('umount', ['-l', mnt]);
      } finally {
        removeDir(dir);
      }
    });
    const { influx, port, col } = await loopbackPair(t);

    const count = 60_000; // ~4.5 MB of batches: twice the disk
    const feeder = startFeeder({
      url: `ws://127.0.0.1:${port}/v1/agent`,
      token: col.token,
      dir: mnt,
      run: 'diskfull',
      count,
      ratePerS: 20_000,
      batch: 200,
      base: Date.now() - 3_600_000,
      // Scaled to the tiny disk (the default is 8 MiB): the reserve lets the outbox drain when the disk is full.
      reserveBytes: 512 * 1024,
    });
    t.teardown(() => feeder.stop());
    const full = await feeder.until('all produced with the collector away', (s) => s.produced === count, 30_000);
    t.ok(full.outbox.droppedSamplesDiskFull > 0, `disk-full drops are counted (${full.outbox.droppedSamplesDiskFull})`);
    t.ok(full.outbox.samples > 0, `what was stored before the disk filled is kept (${full.outbox.samples})`);
    t.equal(full.appendErrors, 0, 'no append threw: the outbox handled ENOSPC itself');

    await col.start();
    const final = await feeder.done();
    t.ok(existsSync(path.join(mnt, 'outbox.reserve')), 'the reserve is back once the outbox is empty');
    const dropped = final.outbox.droppedSamplesDiskFull + final.outbox.droppedSamplesFull + final.outbox.droppedSamplesAge;
    t.equal(final.outbox.samples, 0, 'the outbox drained');
    await waitFor('points in InfluxDB', async () => (await influx.count('faults', 'fault', 'n', `"run" = 'diskfull'`)) === count - dropped, 30_000, col.output);
    const stored = await influx.count('faults', 'fault', 'n', `"run" = 'diskfull'`);
    t.equal(count - stored, dropped, `points lost = the counted drop (${dropped})`);
  },
);
