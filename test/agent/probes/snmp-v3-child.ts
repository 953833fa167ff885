// Run by snmp-v3.test.ts as `node --openssl-legacy-provider snmp-v3-child.ts <port> <json targets>`:
// polls each SNMPv3 target with DES privacy (which needs OpenSSL's legacy provider) and prints the results.
import { createClient, type SnmpTarget } from '../../../agent/probes/snmp/client.ts';
import { pollDevice } from '../../../agent/probes/snmp/poll.ts';

const targets = JSON.parse(process.argv[2]!) as SnmpTarget[];
const out: { user: string; sysName?: string; error?: string }[] = [];
for (const t of targets) {
  try {
    const c = createClient(t);
    const r = await pollDevice(c, { interfaces: false, sensors: false, lldp: false });
    c.close();
    out.push({ user: t.user!, sysName: r.sysName });
  } catch (e) {
    out.push({ user: t.user!, error: `${(e as Error).name}: ${(e as Error).message}` });
  }
}
console.log(JSON.stringify(out));
