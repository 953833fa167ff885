/**
 * The demo building: one office block (A) with three floors and a riser shaft, the devices a
 * small IT team looks after, and where each one is. Every device here is simulated on
 * loopback by demo/run.ts and polled by the product's own probes over the real protocols.
 */
export interface DemoDevice {
  name: string;
  kind: 'switch' | 'camera' | 'pc' | 'printer' | 'server' | 'other';
  building: string;
  floor: string;
  shaft?: string;
  room: string;
  parent?: string;
  /** How it is simulated: an SNMP recording, an ONVIF camera, a ping target, the website. */
  sim: { snmp: string; fallback: 'switch-core' | 'switch-access' | 'printer' } | { onvif: true; model: string } | { ping: string } | { https: true };
}

export const SITE = 'demo';

export const DEVICES: DemoDevice[] = [
  { name: 'sw-core-1f', kind: 'switch', building: 'A', floor: '1', room: '101 网络机房', sim: { snmp: 'vrp_5720.snmprec', fallback: 'switch-core' } },
  {
    name: 'sw-a-2f',
    kind: 'switch',
    building: 'A',
    floor: '2',
    shaft: 'A-2',
    room: '2F 弱电井',
    parent: 'sw-core-1f',
    sim: { snmp: 'comware_a5500.snmprec', fallback: 'switch-access' },
  },
  {
    name: 'sw-a-3f',
    kind: 'switch',
    building: 'A',
    floor: '3',
    shaft: 'A-3',
    room: '3F 弱电井',
    parent: 'sw-core-1f',
    sim: { snmp: 'ios_2960x.snmprec', fallback: 'switch-access' },
  },
  { name: 'cam-a-1f-lobby', kind: 'camera', building: 'A', floor: '1', room: '1F 大厅', parent: 'sw-core-1f', sim: { onvif: true, model: 'DS-2CD2347G2-LU' } },
  { name: 'cam-a-2f-corridor', kind: 'camera', building: 'A', floor: '2', room: '2F 走廊', parent: 'sw-a-2f', sim: { onvif: true, model: 'DS-2CD2T47G2-L' } },
  { name: 'cam-a-3f-corridor', kind: 'camera', building: 'A', floor: '3', room: '3F 走廊', parent: 'sw-a-3f', sim: { onvif: true, model: 'DS-2CD2T47G2-L' } },
  {
    name: 'cam-a-b1-parking',
    kind: 'camera',
    building: 'A',
    floor: 'B1',
    room: 'B1 停车场',
    parent: 'sw-core-1f',
    sim: { onvif: true, model: 'DS-2CD2T87G2-L' },
  },
  {
    name: 'printer-3f',
    kind: 'printer',
    building: 'A',
    floor: '3',
    room: '3F 打印区',
    parent: 'sw-a-3f',
    sim: { snmp: 'printer_jetdirect_m880.snmprec', fallback: 'printer' },
  },
  { name: 'pc-0201', kind: 'pc', building: 'A', floor: '2', room: '201 办公室', parent: 'sw-a-2f', sim: { ping: '127.0.0.21' } },
  { name: 'pc-0202', kind: 'pc', building: 'A', floor: '2', room: '202 办公室', parent: 'sw-a-2f', sim: { ping: '127.0.0.22' } },
  { name: 'pc-0301', kind: 'pc', building: 'A', floor: '3', room: '301 办公室', parent: 'sw-a-3f', sim: { ping: '127.0.0.31' } },
  { name: 'portal', kind: 'server', building: 'A', floor: '1', room: '101 网络机房', sim: { https: true } },
];

/** The camera that goes offline a while after start (and comes back), so an alert fires and resolves. */
export const OUTAGE_CAMERA = 'cam-a-b1-parking';
