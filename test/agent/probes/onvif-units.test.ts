import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import jpeg from 'jpeg-js';
import t from 'tap';
import { faultCode, toProfiles } from '../../../agent/probes/onvif/client.ts';
import { rewriteUri } from '../../../agent/probes/onvif/camera-check.ts';
import { authorization, parseChallenges, pickChallenge } from '../../../agent/probes/onvif/digest.ts';
import { sdpVideo } from '../../../agent/probes/onvif/rtsp.ts';
import { decodeDc } from '../../../agent/probes/onvif/jpeg-dc.ts';
import { analyseFull, analyseJpeg, frameProblem, statsFromBlocks } from '../../../agent/probes/onvif/snapshot.ts';
import { snapshotFrames } from '../../peers/onvif-sim.ts';
import { FIXTURES } from '../../peers/util.ts';

t.test('digest: RFC 2617 example, Hikvision double challenge, basic', async (t) => {
  const [c] = parseChallenges([
    'Digest realm="testrealm@host.com", qop="auth,auth-int", nonce="dcd98b7102dd2f0e8b11d0f600bfb0c093", opaque="5ccc069c403ebaf9f0171e9517f40e41"',
  ]);
  t.equal(c?.scheme, 'digest');
  const h = authorization(c!, 'GET', '/dir/index.html', 'Mufasa', 'Circle Of Life', 1, '0a4f113b');
  t.match(h, /response="6629fae49393a05397450978507c4ef1"/, 'the RFC 2617 §3.5 response');
  t.match(h, /nc=00000001/);
  t.match(h, /opaque="5ccc069c403ebaf9f0171e9517f40e41"/);
  // Hikvision: two headers, MD5 (no algorithm) and SHA-256; the stronger is answered.
  const two = parseChallenges([
    'Digest qop="auth", realm="IP Camera(C2183)", nonce="4e5468694e7a6b354f6a5a6b4f4449774e413d3d", stale="FALSE"',
    'Digest qop="auth", realm="IP Camera(C2183)", nonce="4e5468694e7a6b354f6a5a6b4f4449774e413d3d", algorithm="SHA-256", stale="FALSE"',
  ]);
  t.equal(two.length, 2);
  t.equal(pickChallenge(two)?.params.algorithm, 'SHA-256');
  // Both in one comma-joined header, as some proxies forward them.
  t.equal(parseChallenges(['Digest realm="a", nonce="1", Digest realm="a", nonce="2", algorithm=SHA-256']).length, 2);
  const b = pickChallenge(parseChallenges(['Basic realm="cam"']));
  t.equal(authorization(b!, 'GET', '/', 'admin', 'x'), `Basic ${Buffer.from('admin:x').toString('base64')}`);
  t.equal(pickChallenge(parseChallenges(['Digest realm="a", nonce="1", algorithm=SHA-512-256'])), undefined, 'an algorithm we cannot answer');
  // RTSP digest without qop (GStreamer, most cameras): response = H(HA1:nonce:HA2).
  const nq = authorization(parseChallenges(['Digest realm="GStreamer RTSP Server", nonce="abc"'])[0]!, 'DESCRIBE', 'rtsp://h/x', 'u', 'p');
  t.notMatch(nq, /qop=/);
});

t.test('SOAP fault codes of the recorded faults', { skip: FIXTURES ? false : '../shared/fixtures is absent' }, async (t) => {
  const read = (f: string) => readFileSync(path.join(FIXTURES!, 'onvif', f), 'utf8');
  t.equal(faultCode(read('hammeraj-onvif__invalid_get_ntp_response.xml')), 'ter:NotImplemented');
  t.equal(faultCode(read('hammeraj-onvif__invalid_system_date_and_time_response.xml')), 'ter:WellFormed');
  t.equal(faultCode(read('ex_onvif__soap_fault.xml')), 'ter:NoProfile');
  t.equal(faultCode(read('ex_onvif__get_device_information.xml')), undefined, 'not a fault');
  t.equal(faultCode(undefined), undefined);
});

t.test('profiles without an encoder or a resolution are kept', async (t) => {
  t.same(
    toProfiles([
      { $: { token: 'p1' }, name: 'main', videoEncoderConfiguration: { encoding: 'H264', resolution: { width: 1920, height: 1080 } } },
      { $: { token: 'p2' }, name: 'audio only' },
      { $: { token: 'p3' }, name: 'no res', videoEncoderConfiguration: { encoding: 'JPEG' } },
      null,
    ]),
    [
      { token: 'p1', name: 'main', encoding: 'H264', width: 1920, height: 1080 },
      { token: 'p2', name: 'audio only', encoding: null, width: null, height: null },
      { token: 'p3', name: 'no res', encoding: 'JPEG', width: null, height: null },
      { token: '', name: '', encoding: null, width: null, height: null },
    ],
  );
});

t.test('reported URIs are reached at the device host', async (t) => {
  const dev = 'http://127.0.0.1:8899/onvif/device_service';
  t.equal(
    rewriteUri('rtsp://192.168.1.123:554/cam/realmonitor?channel=1&subtype=1', dev, true, undefined),
    'rtsp://127.0.0.1:554/cam/realmonitor?channel=1&subtype=1',
  );
  t.equal(rewriteUri('rtsp://192.168.1.123:554/cam', dev, true, 10554), 'rtsp://127.0.0.1:10554/cam');
  t.equal(
    rewriteUri('http://192.168.1.123/onvifsnapshot/x?a=1', dev, true, undefined),
    'http://127.0.0.1:8899/onvifsnapshot/x?a=1',
    'no port: the device port',
  );
  t.equal(rewriteUri('http://192.168.1.123:8080/s', dev, true, undefined), 'http://127.0.0.1:8080/s', 'an explicit port is kept');
  t.equal(rewriteUri('http://192.168.1.123/s', dev, false, undefined), 'http://192.168.1.123/s');
  t.equal(rewriteUri('rtsp://admin:pw@10.0.0.9/s', dev, true, undefined), 'rtsp://admin:pw@127.0.0.1/s');
});

t.test('SDP video tracks', async (t) => {
  const sdp = 'v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\ns=x\r\nm=audio 0 RTP/AVP 0\r\na=rtpmap:0 PCMU/8000\r\nm=video 0 RTP/AVP 26\r\na=rtpmap:26 JPEG/90000\r\n';
  t.same(sdpVideo(sdp), { hasVideo: true, codecs: ['JPEG/90000'] });
  t.same(sdpVideo('v=0\r\nm=audio 0 RTP/AVP 0\r\n'), { hasVideo: false, codecs: [] });
});

t.test('black, uniform and frozen frames', async (t) => {
  const [a, b] = snapshotFrames('ok', 320, 180);
  const sa = analyseJpeg(a!);
  const sb = analyseJpeg(b!);
  t.equal(sa.width, 320);
  t.equal(sa.height, 180);
  t.equal(frameProblem(sa, undefined), 'none');
  t.equal(frameProblem(sb, sa), 'none', 'the picture moved');
  t.equal(frameProblem(analyseJpeg(a!), sa), 'frozen', 'the same bytes');
  // Re-encoded at another quality: other bytes, same picture.
  const raw = jpeg.decode(a!, { formatAsRGBA: true });
  const again = jpeg.encode({ data: raw.data, width: raw.width, height: raw.height }, 95).data;
  t.not(analyseJpeg(again).sha1, sa.sha1);
  t.equal(frameProblem(analyseJpeg(again), sa), 'frozen', 'the same picture in other bytes');
  const black = analyseJpeg(snapshotFrames('black', 320, 180)[0]!);
  t.ok(black.meanLuma < 10, `black mean ${black.meanLuma}`);
  t.equal(frameProblem(black, undefined), 'black');
  t.equal(frameProblem(analyseJpeg(snapshotFrames('uniform', 320, 180)[0]!), undefined), 'uniform');
  t.throws(() => analyseJpeg(Buffer.from([0xff, 0xd8, 0xff, 0xe0, 0, 0])), 'a truncated JPEG does not decode');
});

t.test('luma from DC coefficients agrees with a full decode (jpeg-js 4:4:4, GStreamer 4:2:0, 4:2:2, grey)', async (t) => {
  const frames: [string, Buffer][] = [
    ['jpeg-js 640x360', snapshotFrames('ok', 640, 360)[1]!],
    ['jpeg-js 333x177', snapshotFrames('ok', 333, 177)[0]!],
  ];
  const dir = mkdtempSync(path.join(os.tmpdir(), 'wp-jpeg-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  // Real encoder output with chroma subsampling, as cameras send: GStreamer's jpegenc (libjpeg).
  const py = `
import gi, sys
gi.require_version('Gst', '1.0')
from gi.repository import Gst
Gst.init(None)
for name, caps, pat in [('420', 'format=I420,width=352,height=288', 'smpte'), ('422', 'format=Y42B,width=350,height=200', 'ball'), ('grey', 'format=GRAY8,width=320,height=240', 'snow')]:
    p = Gst.parse_launch('videotestsrc pattern=%s num-buffers=1 ! video/x-raw,%s ! jpegenc ! filesink location=%s/%s.jpg' % (pat, caps, sys.argv[1], name))
    p.set_state(Gst.State.PLAYING)
    p.get_bus().timed_pop_filtered(10 * Gst.SECOND, Gst.MessageType.EOS | Gst.MessageType.ERROR)
    p.set_state(Gst.State.NULL)
`;
  const gst = existsSync('/usr/bin/python3') && spawnSync('/usr/bin/python3', ['-c', py, dir]).status === 0;
  if (gst) for (const n of ['420', '422', 'grey']) frames.push([`gstreamer ${n}`, readFileSync(path.join(dir, `${n}.jpg`))]);
  else t.comment('GStreamer (python3-gi) not available: subsampled JPEGs not checked');
  for (const [name, buf] of frames) {
    const dc = decodeDc(buf);
    t.ok(dc, `${name}: baseline, decoded from DC`);
    const full = analyseFull(buf);
    const fast = statsFromBlocks(dc!, buf);
    t.same([fast.width, fast.height], [full.width, full.height], name);
    t.ok(Math.abs(fast.meanLuma - full.meanLuma) < 1, `${name}: mean luma ${fast.meanLuma.toFixed(2)} ≈ ${full.meanLuma.toFixed(2)}`);
    t.equal(analyseJpeg(buf).meanLuma, fast.meanLuma, 'analyseJpeg takes the DC path');
  }
  const progressive = Buffer.from(frames[0]![1]);
  const sof = progressive.indexOf(Buffer.from([0xff, 0xc0]));
  progressive[sof + 1] = 0xc2;
  t.equal(decodeDc(progressive), undefined, 'progressive: left to the full decoder');
  t.equal(decodeDc(Buffer.from('<html>404</html>')), undefined);
  // Entropy data cut short (a snapshot truncated in transit) or out of sync: not trusted.
  for (const [name, buf] of frames) {
    const eoi = buf.lastIndexOf(Buffer.from([0xff, 0xd9]));
    const cut = Buffer.concat([buf.subarray(0, Math.floor(eoi * 0.7)), Buffer.from([0xff, 0xd9])]);
    t.equal(decodeDc(cut), undefined, `${name}: truncated scan`);
    const extra = Buffer.concat([buf.subarray(0, eoi), Buffer.from([0x12, 0x34, 0x56, 0x78]), buf.subarray(eoi)]);
    t.equal(decodeDc(extra), undefined, `${name}: data left after the last block`);
  }
});
