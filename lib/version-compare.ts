/**
 * Orders two version strings of any packaging world (Debian 1:2.3-4, rpm 2.3-4.el9, Windows
 * 16.0.17928.20114, WPS 11.1.0.14309) well enough to tell an upgrade from a downgrade:
 * an epoch before ':' first, then runs of digits compared as numbers and other runs as
 * text. Not dpkg's full algorithm (~ sorting before the empty string is the one rule
 * it adds): a change between two versions that only that rule orders reads as an upgrade.
 */
export function compareVersions(a: string, b: string): number {
  const [ea, ra] = epoch(a);
  const [eb, rb] = epoch(b);
  if (ea !== eb) return ea < eb ? -1 : 1;
  const pa = ra.match(/\d+|[^\d]+/g) ?? [];
  const pb = rb.match(/\d+|[^\d]+/g) ?? [];
  for (let i = 0; i < Math.max(pa.length, pb.length); i++) {
    const x = pa[i];
    const y = pb[i];
    if (x === undefined) return -1;
    if (y === undefined) return 1;
    const nx = /^\d/.test(x);
    const ny = /^\d/.test(y);
    if (nx && ny) {
      const d = BigInt(x) - BigInt(y);
      if (d !== 0n) return d < 0n ? -1 : 1;
    } else if (x !== y) {
      // A number segment sorts after a text one (1.0 > 1.beta).
      if (nx !== ny) return nx ? 1 : -1;
      return x < y ? -1 : 1;
    }
  }
  return 0;
}

function epoch(v: string): [number, string] {
  const m = /^(\d+):(.*)$/.exec(v);
  return m ? [Number(m[1]), m[2]!] : [0, v];
}
