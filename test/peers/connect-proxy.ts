import http from 'node:http';
import net from 'node:net';
import type { AddressInfo } from 'node:net';

/**
 * A forward proxy on 127.0.0.1 speaking CONNECT (RFC 9110 §9.3.6), as office proxies (Squid)
 * do for https; optional Basic Proxy-Authorization. Records the authorities it tunnelled to.
 */
export async function startConnectProxy(o: { user?: string; pass?: string } = {}) {
  const tunnels: string[] = [];
  const want = o.user ? `Basic ${Buffer.from(`${o.user}:${o.pass ?? ''}`).toString('base64')}` : undefined;
  const server = http.createServer((_req, res) => {
    res.writeHead(405).end();
  });
  const sockets = new Set<net.Socket>();
  server.on('connect', (req: http.IncomingMessage, client: net.Socket, head: Buffer) => {
    sockets.add(client);
    if (want && req.headers['proxy-authorization'] !== want) {
      client.end('HTTP/1.1 407 Proxy Authentication Required\r\nProxy-Authenticate: Basic realm="p"\r\n\r\n');
      return;
    }
    const [host, port] = (req.url ?? '').split(':');
    // Loopback only: a test proxy must never reach outside the machine.
    if (host !== '127.0.0.1' && host !== 'localhost') {
      client.end('HTTP/1.1 403 Forbidden\r\n\r\n');
      return;
    }
    tunnels.push(req.url ?? '');
    const up = net.connect({ host: '127.0.0.1', port: Number(port) }, () => {
      client.write('HTTP/1.1 200 Connection Established\r\n\r\n');
      if (head.length) up.write(head);
      up.pipe(client);
      client.pipe(up);
    });
    sockets.add(up);
    up.on('error', () => client.destroy());
    client.on('error', () => up.destroy());
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  return {
    port: (server.address() as AddressInfo).port,
    tunnels,
    close: () =>
      new Promise<void>((r) => {
        for (const s of sockets) s.destroy();
        server.close(() => r());
      }),
  };
}
