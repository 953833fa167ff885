// Child of bench/onvif.ts: starts N simulated cameras (test/peers/onvif-sim.ts) in this process
// so their CPU is not counted against the probe, and prints their URLs as one JSON line.
import { startOnvifSim } from '../test/peers/onvif-sim.ts';

const n = Number(process.argv[2] ?? 500);
const urls: string[] = [];
for (let i = 0; i < n; i++) urls.push((await startOnvifSim({ auth: 'wsse', clockSkewS: 0, user: 'admin', password: 'Cam#2026' })).url);
process.stdout.write(JSON.stringify(urls) + '\n');
