import net from 'node:net';

/** A loopback RTSP endpoint for the demo's cameras. */
export interface RtspStub {
  port: number;
  /** Paths whose DESCRIBE fails (404), as a camera whose encoder hung answers. */
  broken: Set<string>;
  close(): Promise<void>;
}

/**
 * Answers RTSP OPTIONS and DESCRIBE (RFC 2326) with an SDP holding one H.264 video track, so
 * the demo's cameras pass the onvif probe's stream check without GStreamer. It streams no
 * RTP: the probe's check is an OPTIONS + DESCRIBE exchange (agent/probes/onvif/rtsp.ts), and
 * the tests run a real RTSP server (test/peers/rtsp.ts) for the rest.
 */
export async function startRtspStub(port = 0): Promise<RtspStub> {
  const broken = new Set<string>();
  const sockets = new Set<net.Socket>();
  const server = net.createServer((sock) => {
    sockets.add(sock);
    sock.on('close', () => sockets.delete(sock));
    sock.on('error', () => sock.destroy());
    let buf = '';
    sock.on('data', (d) => {
      buf += d.toString('latin1');
      for (let end = buf.indexOf('\r\n\r\n'); end >= 0; end = buf.indexOf('\r\n\r\n')) {
        const head = buf.slice(0, end).split('\r\n');
        buf = buf.slice(end + 4);
        const [method, uri] = (head[0] ?? '').split(' ');
        const cseq =
          head
            .find((l) => /^cseq:/i.test(l))
            ?.split(':')[1]
            ?.trim() ?? '0';
        const path = (() => {
          try {
            return new URL(uri ?? '').pathname;
          } catch {
            return '';
          }
        })();
        if (method === 'OPTIONS') sock.write(`RTSP/1.0 200 OK\r\nCSeq: ${cseq}\r\nPublic: OPTIONS, DESCRIBE, SETUP, PLAY, TEARDOWN\r\n\r\n`);
        else if (method === 'DESCRIBE' && !broken.has(path)) {
          const sdp = `v=0\r\no=- 0 0 IN IP4 127.0.0.1\r\ns=Watchpost demo camera\r\nc=IN IP4 0.0.0.0\r\nt=0 0\r\nm=video 0 RTP/AVP 96\r\na=rtpmap:96 H264/90000\r\na=fmtp:96 packetization-mode=1\r\na=control:trackID=1\r\n`;
          sock.write(
            `RTSP/1.0 200 OK\r\nCSeq: ${cseq}\r\nContent-Type: application/sdp\r\nContent-Base: ${uri}/\r\nContent-Length: ${Buffer.byteLength(sdp)}\r\n\r\n${sdp}`,
          );
        } else if (method === 'DESCRIBE') sock.write(`RTSP/1.0 404 Not Found\r\nCSeq: ${cseq}\r\n\r\n`);
        else sock.write(`RTSP/1.0 501 Not Implemented\r\nCSeq: ${cseq}\r\n\r\n`);
      }
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => resolve());
  });
  return {
    port: (server.address() as net.AddressInfo).port,
    broken,
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}
