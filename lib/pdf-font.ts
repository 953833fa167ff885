import { existsSync } from 'node:fs';

/** No CJK font could be found or loaded: the message says where it looked and how to configure one. */
export class ReportFontError extends Error {}

/** Fonts tried in order when reports.font_path is not set: Debian (Noto CJK, WenQuanYi), then Windows (Microsoft YaHei). */
export const FONT_CANDIDATES: readonly { path: string; name?: string }[] = [
  { path: '/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc', name: 'NotoSansCJKsc-Regular' },
  { path: '/usr/share/fonts/truetype/wqy/wqy-microhei.ttc', name: 'WenQuanYiMicroHei' },
  { path: '/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc', name: 'WenQuanYiZenHei' },
  { path: 'C:\\Windows\\Fonts\\msyh.ttc', name: 'MicrosoftYaHei' },
  { path: 'C:\\Windows\\Fonts\\simhei.ttf' },
];

export function findFont(fontPath?: string, fontName?: string): { path: string; name?: string | undefined } {
  if (fontPath) {
    if (!existsSync(fontPath)) throw new ReportFontError(`reports.font_path ${fontPath} does not exist: point it at a TTF/OTF/TTC font with Chinese glyphs`);
    return { path: fontPath, name: fontName };
  }
  for (const c of FONT_CANDIDATES) if (existsSync(c.path)) return c;
  throw new ReportFontError(
    `no CJK font found for the PDF report (tried ${FONT_CANDIDATES.map((c) => c.path).join(', ')}): install fonts-wqy-microhei or fonts-noto-cjk, or set reports.font_path (and reports.font_name for a .ttc)`,
  );
}
