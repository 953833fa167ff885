import si from 'systeminformation';
import t from 'tap';
import { createHostProbe, hostProbe, systemHostSource } from '../../../agent/probes/host/probe.ts';
import { hostSchema } from '../../../agent/probes/host/schema.ts';
import { linuxFsSize } from '../../../agent/probes/host/disks.ts';
import { parseRegDword, readInventory, readInventoryInChild, systemInventorySource, type InventorySource } from '../../../agent/probes/host/inventory.ts';
import { systemPlatform } from '../../../agent/probes/platform/platform.ts';
import { recordedPlatform } from './helpers.ts';

const cfg = (o: Record<string, unknown> = {}) => hostSchema.parse({ kind: 'host', ...o });
const signal = () => new AbortController().signal;

t.test('disks from /proc/mounts + statfs agree with df (si.fsSize) on this machine', { skip: process.platform !== 'linux' && 'Linux only' }, async (t) => {
  const ours = await linuxFsSize(systemPlatform(), new Set());
  const df = await si.fsSize();
  const root = df.find((d) => d.mount === '/');
  t.ok(root, 'df lists /');
  const mine = ours.find((d) => d.mount === '/')!;
  t.ok(mine, 'we list /');
  t.ok(Math.abs(mine.size - root!.size) / root!.size < 0.01, `size ${mine.size} vs df ${root!.size}`);
  t.ok(Math.abs(mine.available - root!.available) / root!.size < 0.02, 'available within 2 % (the disk is in use while we look)');
  const escaped = await linuxFsSize({ readFile: async () => Buffer.from('tmpfs /tmp/a\\040b tmpfs rw 0 0\n/dev/x / ext4 ro,relatime 0 0\n') }, new Set());
  t.match(
    escaped.find((d) => d.mount === '/'),
    { rw: false },
    'ro mount option read',
  );
});

t.test('the real host probe: loop metrics every run, inventory once per period', async (t) => {
  let now = 1_800_000_000_000;
  const probe = createHostProbe(cfg({ inventory_interval_s: 3600 }), systemHostSource, () => now);
  const first = await probe.collect(signal());
  const kinds = new Set(first.map((s) => s.measurement));
  for (const m of ['cpu', 'mem', 'disk', 'system', 'host_inventory']) t.ok(kinds.has(m), `${m} present`);
  const inv = first.find((s) => s.measurement === 'host_inventory')!;
  t.match(inv.fields, { os_name: String, cpu_cores: BigInt, mem_total: BigInt });
  t.ok((inv.fields.mem_total as bigint) > 0n);
  now += 60_000;
  const second = await probe.collect(signal());
  t.notOk(
    second.some((s) => s.measurement === 'host_inventory'),
    'inventory cached within the period',
  );
  now += 3600_000;
  t.ok(
    (await probe.collect(signal())).some((s) => s.measurement === 'host_inventory'),
    'and re-read after it',
  );
  t.equal(
    hostProbe.status!(first, cfg()).code,
    first.some((s) => s.measurement === 'disk' && (s.fields.used_percent as number) >= 95)
      ? 2
      : first.some((s) => s.measurement === 'disk' && (s.fields.used_percent as number) >= 90)
        ? 1
        : 0,
  );
  t.same(hostProbe.cli!.toConfig({}), { inventory_interval_s: 0 });
  t.same(hostProbe.cli!.toConfig({ inventory: true }), {});
});

t.test('Windows inventory: UBR from the registry, SMART failures, the persistent PowerShell session', async (t) => {
  t.equal(parseRegDword('\r\nHKEY_LOCAL_MACHINE\\SOFTWARE\\Microsoft\\Windows NT\\CurrentVersion\r\n    UBR    REG_DWORD    0x1477\r\n\r\n', 'UBR'), 5239);
  const src: InventorySource = {
    osInfo: async () => ({ platform: 'Windows', distro: 'Microsoft Windows 10 专业版', release: '10.0.19045', build: '19045', codename: '' }),
    system: async () => ({ manufacturer: 'LENOVO', model: 'ThinkCentre M720t', serial: 'PC0XXXXX' }),
    cpu: async () => ({ manufacturer: 'Intel', brand: 'Core i5-9500', cores: 6, physicalCores: 6 }),
    memTotal: async () => 8 * 2 ** 30,
    diskLayout: async () => [
      { name: 'ST1000DM010', smartStatus: 'Predicted Failure' },
      { name: 'SSD', smartStatus: 'Ok' },
      { name: 'USB', smartStatus: 'unknown' },
    ],
  };
  const platform = recordedPlatform({ os: 'windows', codepage: 936, exec: { reg: { stdout: Buffer.from('    UBR    REG_DWORD    0x1477\r\n') } } });
  const inv = await readInventory(src, platform);
  t.match(inv, {
    os_family: 'windows',
    os_build: '19045.5239',
    manufacturer: 'LENOVO',
    cpu_model: 'Intel Core i5-9500',
    cpu_cores: 6,
    disks: 3,
    disks_smart_failed: 1,
  });
  const broken: InventorySource = { ...src, system: () => Promise.reject(new Error('WMI broken')) };
  t.match(await readInventory(broken, recordedPlatform({ os: 'windows' })), { model: '', os_build: '19045' }, 'one failing call leaves its fields empty');
  let started = 0;
  let released = 0;
  const fake = {
    currentLoad: systemHostSource.currentLoad,
    mem: systemHostSource.mem,
    fsSize: async () => [],
    networkStats: async () => [],
    loadavg: () => [0, 0, 0],
    uptime: () => 1,
    cpuCount: () => 6,
    hostname: () => 'pc-0301',
  };
  const probe = createHostProbe(cfg(), fake, Date.now, {
    inventory: src,
    platform,
    powerShellStart: () => void started++,
    powerShellRelease: () => void released++,
  });
  await probe.start!();
  const s = await probe.collect(signal());
  await probe.close!();
  t.equal(started, 1);
  t.equal(released, 1);
  t.match(
    s.find((x) => x.measurement === 'host_inventory'),
    { tags: { host: 'pc-0301', os_family: 'windows' }, fields: { os_build: '19045.5239', disks_smart_failed: 1n } },
  );
});

t.test('systemInventorySource reads this machine', async (t) => {
  const inv = await readInventory(systemInventorySource, systemPlatform());
  t.equal(inv.os_family, process.platform === 'linux' ? 'linux' : inv.os_family);
  t.ok(inv.cpu_cores > 0);
});

t.test(
  'the inventory read in a child process equals the one read here; a failing child falls back to reading here',
  { skip: process.platform !== 'linux' && 'the child is used on Linux' },
  async (t) => {
    const platform = systemPlatform();
    const here = await readInventory(systemInventorySource, platform);
    const ran: string[] = [];
    const child = await readInventoryInChild({ ...platform, exec: (cmd, args, o) => (ran.push(cmd), platform.exec(cmd, args, o)) });
    t.same(ran, [process.execPath], 'one node child');
    t.same(child, here);
    for (const broken of [
      { code: 1, stdout: Buffer.from(''), error_class: '' },
      { code: 0, stdout: Buffer.from('{"os_family":"linux"}'), error_class: '' },
      { code: 0, stdout: Buffer.from('not json'), error_class: '' },
      { code: null, stdout: Buffer.from(''), error_class: 'timeout' },
    ]) {
      const inv = await readInventoryInChild({
        ...platform,
        exec: async (cmd, args, o) => (cmd === process.execPath ? { ...broken, stderr: Buffer.from(''), duration_ms: 1 } : platform.exec(cmd, args, o)),
      });
      t.same(inv, here, `child ${broken.error_class || `exit ${broken.code}`} with ${JSON.stringify(broken.stdout.toString())}: read here instead`);
    }
    const ac = new AbortController();
    ac.abort();
    await t.rejects(
      readInventoryInChild(
        { ...platform, exec: async () => ({ code: null, stdout: Buffer.from(''), stderr: Buffer.from(''), error_class: 'timeout', duration_ms: 1 }) },
        ac.signal,
      ),
      'an aborted run is not retried here',
    );
  },
);

t.test('/proc readers match systeminformation without spawning processes', { skip: process.platform !== 'linux' && 'Linux only' }, async (t) => {
  const { cpuLoadReader, linuxMem, linuxNetworkStats, parseProcMeminfo, parseProcStatCpu } = await import('../../../agent/probes/host/proc.ts');
  const r = cpuLoadReader();
  await r();
  await si.currentLoad();
  await new Promise((res) => setTimeout(res, 1500));
  const [ours, theirs] = [await r(), await si.currentLoad()];
  const sum =
    ours.currentLoadUser +
    ours.currentLoadSystem +
    ours.currentLoadNice +
    ours.currentLoadIdle +
    ours.currentLoadIrq +
    ours.currentLoadSteal +
    ours.currentLoadGuest;
  t.ok(Math.abs(sum - 100) < 0.01, 'shares add up to 100 %');
  t.ok(Math.abs(ours.currentLoadUser - theirs.currentLoadUser) < 15, `user ${ours.currentLoadUser.toFixed(1)} vs si ${theirs.currentLoadUser.toFixed(1)}`);
  const fake = cpuLoadReader(async () => fakeStat.shift() ?? '');
  const fakeStat = ['cpu  100 0 100 800 0 0 0 0 0 0\n', 'cpu  150 10 150 880 0 5 5 0 20 0\n'];
  await fake();
  const d = await fake();
  // Δ: user 50 (30 after guest 20), nice 10, system 50, idle 80, irq+softirq 10, guest 20 → 200.
  t.match(d, { currentLoadUser: 15, currentLoadNice: 5, currentLoadSystem: 25, currentLoadIdle: 40, currentLoadIrq: 5, currentLoadGuest: 10 });
  t.equal(parseProcStatCpu('nothing'), undefined);
  await t.rejects(fake(), 'no cpu line is an error of the probe');
  const net = await linuxNetworkStats();
  const lo = net.find((n) => n.iface === 'lo');
  const siLo = (await si.networkStats('lo'))[0];
  t.ok(lo && siLo && lo.rx_bytes >= siLo.rx_bytes * 0.99, 'lo rx_bytes as si sees it');
  const [mem, siMem] = await Promise.all([linuxMem(), si.mem()]);
  t.equal(mem.total, siMem.total, 'MemTotal as si reads it');
  t.equal(mem.swaptotal, siMem.swaptotal);
  t.ok(Math.abs(mem.available - siMem.available) < 64 * 1024 * 1024, 'available within 64 MiB of si a moment later');
  // si's semantics: active = total − available, buffcache = buffers + cached + slab; kB → bytes.
  const m = parseProcMeminfo(
    'MemTotal:  1000 kB\nMemFree:  100 kB\nMemAvailable:  600 kB\nBuffers:  10 kB\nCached:  200 kB\nSwapCached:  7 kB\nSlab:  30 kB\nSReclaimable:  20 kB\nSwapTotal:  50 kB\nSwapFree:  40 kB\n',
  );
  t.match(m, { total: 1024000, free: 102400, available: 614400, active: 409600, cached: 204800, buffcache: 245760, reclaimable: 20480, swapused: 10240 });
  t.equal(
    parseProcMeminfo('MemTotal: 1000 kB\nMemFree: 100 kB\nBuffers: 10 kB\nCached: 20 kB\nSlab: 30 kB\n').available,
    163840,
    'no MemAvailable (old kernels): free + buffcache',
  );
});
