import { createHash } from 'node:crypto';
import http from 'node:http';
import https from 'node:https';
import { createRequire } from 'node:module';
import type jpegJs from 'jpeg-js';
import { authorization, parseChallenges, pickChallenge } from './digest.ts';
import { decodeDc, type DcImage } from './jpeg-dc.ts';

/** Luminance statistics of a decoded frame and a coarse grid for frame-to-frame comparison. */
export interface FrameStats {
  width: number;
  height: number;
  meanLuma: number;
  stdLuma: number;
  /** GRID×GRID block means (0–255), compared with the previous snapshot to find frozen video. */
  grid: number[];
  /** SHA-1 of the JPEG bytes (identical bytes = the camera served the same frame). */
  sha1: string;
}

export const GRID = 16;

/** Thresholds (0–255 luma) for black/uniform/frozen, overridable from the probe config. */
export interface FrameThresholds {
  blackMean: number;
  uniformStd: number;
  frozenDiff: number;
}

export const DEFAULT_THRESHOLDS: FrameThresholds = { blackMean: 20, uniformStd: 6, frozenDiff: 0.5 };

/**
 * Luminance statistics of a JPEG: from the luma DC coefficients (jpeg-dc.ts, 1/8 scale) for
 * baseline JPEGs — what cameras send — else from a full pure-JS decode (jpeg-js).
 */
export function analyseJpeg(buf: Buffer): FrameStats {
  let dc;
  try {
    dc = decodeDc(buf);
  } catch {
    dc = undefined; // corrupt entropy data: let the full decoder have its say
  }
  if (dc) return statsFromBlocks(dc, buf);
  return analyseFull(buf);
}

/** Statistics over 8×8 block means (std is then between blocks: a flat or black picture has ~0). */
export function statsFromBlocks(dc: DcImage, buf: Buffer): FrameStats {
  const { bw, bh, means } = dc;
  const sums = new Float64Array(GRID * GRID);
  const counts = new Uint32Array(GRID * GRID);
  let s = 0;
  let s2 = 0;
  for (let y = 0; y < bh; y++) {
    const gy = Math.min(GRID - 1, Math.floor((y * GRID) / bh));
    for (let x = 0; x < bw; x++) {
      const l = means[y * bw + x]!;
      s += l;
      s2 += l * l;
      const g = gy * GRID + Math.min(GRID - 1, Math.floor((x * GRID) / bw));
      sums[g]! += l;
      counts[g]!++;
    }
  }
  const n = bw * bh;
  const mean = n ? s / n : 0;
  const grid = Array.from(sums, (v, i) => (counts[i] ? v / counts[i]! : 0));
  return {
    width: dc.width,
    height: dc.height,
    meanLuma: mean,
    stdLuma: Math.sqrt(Math.max(0, s2 / Math.max(1, n) - mean * mean)),
    grid,
    sha1: createHash('sha1').update(buf).digest('hex'),
  };
}

/** Full decode with jpeg-js, for JPEGs decodeDc does not handle (progressive, arithmetic). */
export function analyseFull(buf: Buffer): FrameStats {
  // colorTransform: false leaves YCbCr as decoded: channel 0 is the luma we want, and the
  // per-pixel colour conversion (about half of jpeg-js's decode time) is skipped. Camera
  // JPEGs are YCbCr (JFIF); a grey one is expanded to three equal channels.
  // jpeg-js is required here, for the rare JPEG decodeDc cannot read, not at agent start.
  const jpeg = createRequire(import.meta.url)('jpeg-js') as typeof jpegJs;
  const img = jpeg.decode(buf, { useTArray: true, formatAsRGBA: false, colorTransform: false, maxResolutionInMP: 50, maxMemoryUsageInMB: 256 });
  const { width, height, data } = img;
  const step = Math.max(1, Math.floor(Math.sqrt((width * height) / 40_000)));
  const sums = new Float64Array(GRID * GRID);
  const counts = new Uint32Array(GRID * GRID);
  let n = 0;
  let s = 0;
  let s2 = 0;
  for (let y = 0; y < height; y += step) {
    const gy = Math.min(GRID - 1, Math.floor((y * GRID) / height));
    for (let x = 0; x < width; x += step) {
      const i = (y * width + x) * 3;
      const l = data[i]!;
      s += l;
      s2 += l * l;
      n++;
      const g = gy * GRID + Math.min(GRID - 1, Math.floor((x * GRID) / width));
      sums[g]! += l;
      counts[g]!++;
    }
  }
  const mean = n ? s / n : 0;
  const grid = Array.from(sums, (v, i) => (counts[i] ? v / counts[i]! : 0));
  return {
    width,
    height,
    meanLuma: mean,
    stdLuma: Math.sqrt(Math.max(0, s2 / Math.max(1, n) - mean * mean)),
    grid,
    sha1: createHash('sha1').update(buf).digest('hex'),
  };
}

/** black, uniform, frozen (same picture as last time) or none. */
export function frameProblem(
  cur: FrameStats,
  prev: Pick<FrameStats, 'grid' | 'sha1'> | undefined,
  t: FrameThresholds = DEFAULT_THRESHOLDS,
): 'black' | 'uniform' | 'frozen' | 'none' {
  if (cur.meanLuma < t.blackMean && cur.stdLuma < t.uniformStd * 2) return 'black';
  if (cur.stdLuma < t.uniformStd) return 'uniform';
  if (prev) {
    if (prev.sha1 === cur.sha1) return 'frozen';
    if (prev.grid.length === cur.grid.length) {
      let d = 0;
      for (let i = 0; i < cur.grid.length; i++) d += Math.abs(cur.grid[i]! - prev.grid[i]!);
      if (d / cur.grid.length < t.frozenDiff) return 'frozen';
    }
  }
  return 'none';
}

export interface HttpGetResult {
  status: number;
  contentType: string;
  body: Buffer;
}

/**
 * GET with HTTP digest or basic auth: answers the strongest challenge of the first 401
 * (Hikvision sends two Digest challenges, MD5 and SHA-256, as two headers), once.
 * Rejects with errno-coded errors for network failures and ETIMEDOUT after timeoutMs.
 */
export function httpGet(
  uri: string,
  user: string | undefined,
  password: string | undefined,
  timeoutMs: number,
  maxBytes = 16 * 1024 * 1024,
): Promise<HttpGetResult> {
  const u = new URL(uri);
  const lib = u.protocol === 'https:' ? https : http;
  const path = u.pathname + u.search;
  const name = user ?? decodeURIComponent(u.username);
  const pass = password ?? decodeURIComponent(u.password);
  const once = (auth?: string) =>
    new Promise<{ res: http.IncomingMessage; body: Buffer }>((resolve, reject) => {
      const req = lib.request(
        {
          host: u.hostname,
          port: u.port || undefined,
          path,
          method: 'GET',
          headers: auth ? { authorization: auth } : {},
          rejectUnauthorized: false,
          timeout: timeoutMs,
        },
        (res) => {
          const chunks: Buffer[] = [];
          let len = 0;
          res.on('data', (c: Buffer) => {
            len += c.length;
            if (len > maxBytes) req.destroy(Object.assign(new Error(`snapshot larger than ${maxBytes} bytes`), { code: 'EMSGSIZE' }));
            else chunks.push(c);
          });
          res.on('end', () => resolve({ res, body: Buffer.concat(chunks) }));
          res.on('error', reject);
        },
      );
      req.on('timeout', () => req.destroy(Object.assign(new Error(`no answer in ${timeoutMs} ms`), { code: 'ETIMEDOUT' })));
      req.on('error', reject);
      req.end();
    });
  return (async () => {
    let r = await once();
    if (r.res.statusCode === 401 && name) {
      const c = pickChallenge(parseChallenges(r.res.headersDistinct['www-authenticate'] ?? []));
      if (c) r = await once(authorization(c, 'GET', path, name, pass));
    }
    return { status: r.res.statusCode ?? 0, contentType: String(r.res.headers['content-type'] ?? ''), body: r.body };
  })();
}
