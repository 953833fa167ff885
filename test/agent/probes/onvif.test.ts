import { spawn } from 'node:child_process';
import path from 'node:path';
import pino from 'pino';
import t from 'tap';
import { createOnvifProbe } from '../../../agent/probes/onvif/cameras.ts';
import { cameraResultOf, onvifProbe, onvifStatus, type OnvifConfig } from '../../../agent/probes/onvif/probe.ts';
import { onvifSchema } from '../../../agent/probes/onvif/schema.ts';
import type { CameraResult } from '../../../agent/probes/onvif/camera-check.ts';
import { ExitCode } from '../../../agent/probes/probe.ts';
import type { Sample } from '../../../protocol/sample.ts';
import { RECORDED_CLOCK_MS, startOnvifSim, type OnvifSim, type OnvifSimOptions } from '../../peers/onvif-sim.ts';
import { hasRtspServer, startRtspServer } from '../../peers/rtsp.ts';
import { FIXTURES, removeDir, tempDir as mkTemp } from '../../peers/util.ts';

if (!FIXTURES) t.plan(0, '../shared/fixtures is absent: the ONVIF simulator serves its recordings');
else {
  // test/peers/debian-packages.txt installs the GStreamer RTSP server before the run: absent means a broken setup, not a skip.
  if (!hasRtspServer())
    throw new Error(
      'GStreamer RTSP server (python3-gi, gir1.2-gst-rtsp-server-1.0) not installed: run npm test, whose pretest installs test/peers/debian-packages.txt',
    );
  const USER = 'admin';
  const PASS = 'Cam#2026';
  const rtsp = await startRtspServer({ user: USER, password: PASS, auth: 'digest' });
  const sims: OnvifSim[] = [];
  const dirs: string[] = [];
  const tempDir = (p: string) => {
    const d = mkTemp(p);
    dirs.push(d);
    return d;
  };
  t.teardown(async () => {
    for (const d of dirs) removeDir(d);
    await Promise.all(sims.map((s) => s.stop()));
    await rtsp.stop();
  });
  const sim = async (o: OnvifSimOptions = {}) => {
    const s = await startOnvifSim({ user: USER, password: PASS, ...o });
    sims.push(s);
    return s;
  };
  const ctx = (dir = tempDir('onvif-run')) => ({ log: pino({ level: 'silent' }), now: Date.now, emitEvent() {}, emitSamples() {}, stateDir: dir });
  const config = (raw: Record<string, unknown>): OnvifConfig =>
    onvifSchema.parse({ kind: 'onvif', user: USER, password: PASS, rtsp_port: rtsp.port, request_timeout_ms: 1500, ...raw });
  const run = async (raw: Record<string, unknown>, dir?: string) => {
    const cfg = config(raw);
    const samples = await createOnvifProbe(cfg, ctx(dir)).collect(AbortSignal.timeout(20_000));
    return { cfg, samples, r: cameraResultOf(samples[0]!)!, status: onvifStatus(samples, cfg) };
  };

  t.test('a healthy camera with WS-Security: recorded identity, profiles, live RTSP stream, moving snapshot', async (t) => {
    const s = await sim({ auth: 'wsse', clockSkewS: 2 });
    const { r, samples, status } = await run({ url: s.url, camera: 'cam-a-3f-lobby' }, tempDir('onvif-1'));
    t.same(
      { ...r, clockDriftSeconds: undefined, stream: { ...r.stream, latencyMs: undefined } },
      {
        reachable: true,
        auth: 'ok',
        manufacturer: 'Milesight Technology Co.,Ltd.',
        model: 'MS-C8165-PE',
        firmware: '61.8.0.3-r8',
        serial: 'EM82V102329001403',
        hardwareId: 'V1.0',
        clockDriftSeconds: undefined,
        profiles: [
          { token: 'Profile_1', name: 'mainStream', encoding: 'H264', width: 1920, height: 1080 },
          { token: 'Profile_2', name: 'subStream', encoding: 'H264', width: 640, height: 360 },
        ],
        stream: {
          uri: `rtsp://127.0.0.1:${rtsp.port}/cam/realmonitor?channel=1&subtype=1&unicast=true&proto=Onvif`,
          ok: true,
          latencyMs: undefined,
          error: null,
        },
        snapshot: {
          uri: `http://127.0.0.1:${s.port}/onvifsnapshot/media_service/snapshot?channel=1&subtype=1`,
          ok: true,
          bytes: r.snapshot.bytes,
          width: 640,
          height: 360,
          problem: 'none',
        },
        errors: [],
      },
    );
    t.ok(Math.abs(r.clockDriftSeconds! - 2) <= 3, `drift ${r.clockDriftSeconds} s ≈ +2 s`);
    t.ok(r.stream.latencyMs! >= 0 && r.stream.latencyMs! <= 1500);
    t.ok(r.snapshot.bytes! > 1000);
    t.equal(status.code, ExitCode.OK, status.summary);
    const f = samples[0]!.fields;
    t.same(samples[0]!.tags, { camera: 'cam-a-3f-lobby', manufacturer: 'Milesight Technology Co.,Ltd.', model: 'MS-C8165-PE' });
    t.equal(f.up, 1n);
    t.equal(f.auth, 'ok');
    t.equal(f.snapshot_problem, 'none');
    t.equal(f.ntp_servers, 'time.windows.com', 'from the recorded Hikvision GetNTP');
    t.equal(f.error_class, undefined);
    t.same(s.requests.slice(0, 7), [
      'GetSystemDateAndTime',
      'GetCapabilities',
      'GetDeviceInformation',
      'GetNTP',
      'GetProfiles',
      'GetStreamUri',
      'GetSnapshotUri',
    ]);
  });

  t.test('the recorded clock (2024-07-09) is drift, and WS-Security still works through the time offset', async (t) => {
    const s = await sim({ auth: 'wsse' });
    const { r, status } = await run({ url: s.url });
    t.equal(r.auth, 'ok', 'the UsernameToken Created time follows the camera clock');
    const expect = (RECORDED_CLOCK_MS - Date.now()) / 1000;
    t.ok(Math.abs(r.clockDriftSeconds! - expect) < 3, `drift ${r.clockDriftSeconds} ≈ ${expect.toFixed(0)}`);
    t.equal(status.code, ExitCode.CRITICAL);
    t.match(status.summary, /clock off by -\d+/);
  });

  t.test("HTTP digest with Hikvision's two challenges; a skewed clock is a warning", async (t) => {
    const s = await sim({ auth: 'digest2', clockSkewS: -45 });
    const { r, status } = await run({ url: s.url });
    t.equal(r.auth, 'ok');
    t.ok(Math.abs(r.clockDriftSeconds! + 45) <= 3, `drift ${r.clockDriftSeconds}`);
    t.equal(r.snapshot.problem, 'none', 'the snapshot answered the SHA-256 challenge');
    t.equal(status.code, ExitCode.WARNING, status.summary);
  });

  for (const auth of ['wsse', 'digest'] as const) {
    t.test(`a wrong password is auth=failed, not unreachable (${auth})`, async (t) => {
      const s = await sim({ auth, clockSkewS: 0 });
      const { r, samples, status } = await run({ url: s.url, password: 'not-it' });
      t.equal(r.reachable, true);
      t.equal(r.auth, 'failed');
      t.match(r.errors[0], auth === 'wsse' ? /GetCapabilities: auth_failed \(ter:NotAuthorized\)/ : /GetCapabilities: auth_failed/);
      t.equal(samples[0]!.fields.error_class, 'auth_failed');
      t.equal(samples[0]!.fields.up, 0n);
      t.equal(status.code, ExitCode.CRITICAL);
    });
  }

  t.test('hang, reset and a closed port are unreachable/timeout, on time', async (t) => {
    const hang = await sim({ mode: 'hang' });
    const started = Date.now();
    const h = await run({ url: hang.url, request_timeout_ms: 800 });
    t.ok(Date.now() - started < 5000, `gave up after ${Date.now() - started} ms`);
    t.same([h.r.reachable, h.r.auth, h.r.errors], [false, 'unknown', ['GetSystemDateAndTime: timeout']]);
    t.equal(h.samples[0]!.fields.error_class, 'timeout');
    const reset = await sim({ mode: 'reset' });
    const r = await run({ url: reset.url });
    t.same([r.r.reachable, r.r.errors], [false, ['GetSystemDateAndTime: unreachable']]);
    const gone = await sim();
    await gone.stop();
    const g = await run({ url: gone.url });
    t.equal(g.r.reachable, false);
    t.equal(g.samples[0]!.fields.error_class, 'unreachable');
    t.equal(g.samples[0]!.fields.snapshot_problem, undefined, 'no snapshot tried: no snapshot_problem');
    t.equal(g.status.code, ExitCode.CRITICAL);
  });

  t.test('SOAP faults are reported and the check goes on', async (t) => {
    const s = await sim({ mode: 'fault', clockSkewS: 0 });
    const { r } = await run({ url: s.url });
    t.equal(r.reachable, true);
    t.equal(r.auth, 'ok', 'a fault other than NotAuthorized means the credentials passed');
    t.same(r.errors, [
      'GetCapabilities: fault (ter:WellFormed)',
      'GetDeviceInformation: fault (ter:WellFormed)',
      'GetProfiles: fault (ter:WellFormed)',
      'no media profile',
    ]);
    t.equal(r.stream.error, 'no_profile');
  });

  t.test('snapshot problems: black, uniform, frozen, HTML 404, empty and rtsp:// URIs', async (t) => {
    const expect: [NonNullable<OnvifSimOptions['snapshot']>, string, number][] = [
      ['black', 'black', ExitCode.CRITICAL],
      ['uniform', 'uniform', ExitCode.WARNING],
      ['html404', 'http_404', ExitCode.WARNING],
      ['empty_uri', 'no_uri', ExitCode.WARNING],
      ['rtsp_uri', 'rtsp_uri', ExitCode.WARNING],
    ];
    for (const [mode, problem, code] of expect) {
      const s = await sim({ snapshot: mode, clockSkewS: 0 });
      const { r, status } = await run({ url: s.url, stream: false }, tempDir(`onvif-${mode}`));
      t.equal(r.snapshot.problem, problem, mode);
      t.equal(r.snapshot.ok, false);
      t.equal(status.code, code, `${mode}: ${status.summary}`);
    }
    // Frozen: the same picture twice, seen across probe instances through the state dir.
    const dir = tempDir('onvif-frozen');
    const s = await sim({ snapshot: 'frozen', clockSkewS: 0 });
    t.equal((await run({ url: s.url, stream: false }, dir)).r.snapshot.problem, 'none', 'the first frame has nothing to compare with');
    const second = await run({ url: s.url, stream: false }, dir);
    t.equal(second.r.snapshot.problem, 'frozen');
    t.equal(second.status.code, ExitCode.CRITICAL);
    const moving = await sim({ clockSkewS: 0 });
    const d2 = tempDir('onvif-moving');
    await run({ url: moving.url, stream: false }, d2);
    t.equal((await run({ url: moving.url, stream: false }, d2)).r.snapshot.problem, 'none', 'a moving picture is not frozen');
  });

  t.test('RTSP: a stream that refuses the credentials or is not there', async (t) => {
    const other = await startRtspServer({ user: USER, password: 'other', auth: 'basic' });
    t.teardown(() => other.stop());
    const s = await sim({ clockSkewS: 0 });
    const bad = await run({ url: s.url, rtsp_port: other.port, snapshot: false });
    t.same(bad.r.stream, { ...bad.r.stream, ok: false, error: 'auth_failed' });
    t.equal(bad.samples[0]!.fields.up, 0n, 'no stream: down');
    t.equal(bad.samples[0]!.fields.error_class, 'stream_auth_failed');
    const none = await run({ url: s.url, rtsp_port: 1, snapshot: false });
    t.equal(none.r.stream.error, 'unreachable');
  });

  t.test('many cameras with a concurrency cap, one down', async (t) => {
    const list = await Promise.all([sim({ clockSkewS: 0 }), sim({ clockSkewS: 0 }), sim({ clockSkewS: 0 }), sim({ mode: 'reset' })]);
    const cfg = config({ cameras: list.map((s, i) => ({ url: s.url, name: `cam-${i}` })), concurrency: 2, stream: false });
    const samples: Sample[] = await createOnvifProbe(cfg, ctx(tempDir('onvif-many'))).collect(AbortSignal.timeout(20_000));
    t.same(
      samples.map((s) => [s.tags.camera, s.fields.up]),
      [
        ['cam-0', 1n],
        ['cam-1', 1n],
        ['cam-2', 1n],
        ['cam-3', 0n],
      ],
    );
    // stream: false is a check not made: no stream_ok, never stream_ok=false (which read as 视频流 异常).
    t.same(
      samples.map((s) => s.fields.stream_ok),
      [undefined, undefined, undefined, undefined],
      'stream_ok absent when the stream was not tried',
    );
    t.match(onvifStatus(samples, cfg), { code: ExitCode.CRITICAL, summary: 'cam-3 unreachable' });
    t.throws(() => onvifSchema.parse({ kind: 'onvif' }), /give `url`/);
  });

  t.test("`watchpost check onvif --json` prints exactly the issue's shape, with plugin exit codes", async (t) => {
    const s = await sim({ auth: 'digest2', clockSkewS: 0 });
    const cli = path.resolve(import.meta.dirname, '../../../cli/watchpost.ts');
    const runCli = (args: string[]) =>
      new Promise<{ code: number | null; out: string }>((resolve) => {
        const p = spawn(process.execPath, [cli, 'check', 'onvif', ...args], { env: { ...process.env, WATCHPOST_STATE_DIR: tempDir('onvif-cli') } });
        let out = '';
        p.stdout.on('data', (d) => (out += d));
        p.on('exit', (code) => resolve({ code, out }));
      });
    const ok = await runCli(['--url', s.url, '--user', USER, '--password', PASS, '--rtsp_port', String(rtsp.port), '--json']);
    t.equal(ok.code, 0, ok.out);
    const j = JSON.parse(ok.out) as CameraResult;
    // The document, then the status and summary every check's JSON carries.
    t.same(Object.keys(j), [
      'reachable',
      'auth',
      'manufacturer',
      'model',
      'firmware',
      'serial',
      'hardwareId',
      'clockDriftSeconds',
      'profiles',
      'stream',
      'snapshot',
      'errors',
      'status',
      'summary',
    ]);
    t.same(Object.keys(j.profiles[0]!), ['token', 'name', 'encoding', 'width', 'height']);
    t.same(Object.keys(j.stream), ['uri', 'ok', 'latencyMs', 'error']);
    t.same(Object.keys(j.snapshot), ['uri', 'ok', 'bytes', 'width', 'height', 'problem']);
    t.equal(j.stream.ok, true);
    const bad = await runCli(['--url', s.url, '--user', USER, '--password', 'nope', '--json']);
    t.equal(bad.code, 2);
    const badDoc = JSON.parse(bad.out) as CameraResult & { status: string; error: { class: string; hint: string } };
    t.equal(badDoc.auth, 'failed');
    t.equal(badDoc.status, 'CRITICAL');
    t.equal(badDoc.error.class, 'auth_failed');
    t.match(badDoc.error.hint, /refused the credentials/);
    t.equal(onvifProbe.kind, 'onvif');
  });
}
