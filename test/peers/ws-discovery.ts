import dgram from 'node:dgram';

/**
 * A WS-Discovery responder for tests: answers a Probe for NetworkVideoTransmitter with a
 * ProbeMatches like ONVIF cameras send (scopes name/hardware/location, XAddrs). Synthesized
 * from the WS-Discovery 2005/04 and ONVIF Core specs: no recorded ProbeMatches is in the
 * fixtures. Listens on `address` (127.0.0.1 for unicast tests, 0.0.0.0 + multicast group in a
 * network namespace).
 */
export async function startWsDiscoveryResponder(opts: {
  address: string;
  port: number;
  joinMulticast?: boolean;
  devices: { endpoint: string; xaddr: string; name: string; hardware: string }[];
}) {
  const sock = dgram.createSocket({ type: 'udp4', reuseAddr: true });
  const probes: string[] = [];
  sock.on('message', (msg, rinfo) => {
    const xml = msg.toString('utf8');
    const id = /<(?:\w+:)?MessageID>([^<]+)</.exec(xml)?.[1];
    if (!/Probe\b/.test(xml) || /ProbeMatches/.test(xml) || !id) return;
    probes.push(id);
    for (const d of opts.devices) {
      const reply =
        '<?xml version="1.0" encoding="UTF-8"?><SOAP-ENV:Envelope xmlns:SOAP-ENV="http://www.w3.org/2003/05/soap-envelope" xmlns:wsa="http://schemas.xmlsoap.org/ws/2004/08/addressing" xmlns:wsdd="http://schemas.xmlsoap.org/ws/2005/04/discovery" xmlns:dn="http://www.onvif.org/ver10/network/wsdl" xmlns:tds="http://www.onvif.org/ver10/device/wsdl">' +
        `<SOAP-ENV:Header><wsa:MessageID>uuid:${crypto.randomUUID()}</wsa:MessageID><wsa:RelatesTo>${id}</wsa:RelatesTo><wsa:To SOAP-ENV:mustUnderstand="true">http://schemas.xmlsoap.org/ws/2004/08/addressing/role/anonymous</wsa:To><wsa:Action SOAP-ENV:mustUnderstand="true">http://schemas.xmlsoap.org/ws/2005/04/discovery/ProbeMatches</wsa:Action></SOAP-ENV:Header>` +
        `<SOAP-ENV:Body><wsdd:ProbeMatches><wsdd:ProbeMatch><wsa:EndpointReference><wsa:Address>${d.endpoint}</wsa:Address></wsa:EndpointReference><wsdd:Types>dn:NetworkVideoTransmitter tds:Device</wsdd:Types>` +
        `<wsdd:Scopes>onvif://www.onvif.org/type/video_encoder onvif://www.onvif.org/Profile/Streaming onvif://www.onvif.org/name/${encodeURIComponent(d.name)} onvif://www.onvif.org/hardware/${encodeURIComponent(d.hardware)} onvif://www.onvif.org/location/city/beijing</wsdd:Scopes>` +
        `<wsdd:XAddrs>${d.xaddr}</wsdd:XAddrs><wsdd:MetadataVersion>10</wsdd:MetadataVersion></wsdd:ProbeMatch></wsdd:ProbeMatches></SOAP-ENV:Body></SOAP-ENV:Envelope>`;
      sock.send(reply, rinfo.port, rinfo.address);
    }
  });
  await new Promise<void>((resolve) => sock.bind(opts.port, opts.address, () => resolve()));
  if (opts.joinMulticast) sock.addMembership('239.255.255.250');
  return { port: (sock.address() as { port: number }).port, probes, stop: () => new Promise<void>((r) => sock.close(() => r())) };
}

// Run as a process (inside a network namespace): node ws-discovery.ts PORT JSON_DEVICES
if (import.meta.main) {
  const [port, devices] = process.argv.slice(2);
  const r = await startWsDiscoveryResponder({ address: '0.0.0.0', port: Number(port), joinMulticast: true, devices: JSON.parse(devices ?? '[]') });
  console.log(`READY ${r.port}`);
}
