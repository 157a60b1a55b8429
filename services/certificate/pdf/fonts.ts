import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { openFont, speedUpSubset, type FontkitFont, type FontkitGlyphRun } from '../adapters/fontkit-internals.js';
import { DirectLayout } from './direct-layout.js';
import { encodeTtfSubset } from './ttf-subset.js';

/** The Japanese font, parsed once and shared by every document a builder makes. */
export interface CertificateFonts {
  regular: FontkitFont;
  /** Lays out text without fontkit's shaping where that gives the same result (absent: always shape). */
  direct?: DirectLayout | null;
}

const require = createRequire(import.meta.url);

/** Path of Noto Sans JP Regular (SIL OFL) as shipped by the npm package @expo-google-fonts/noto-sans-jp. */
export function notoSansJpPaths(): { regular: string } {
  return { regular: require.resolve('@expo-google-fonts/noto-sans-jp/400Regular/NotoSansJP_400Regular.ttf') };
}

/**
 * Wraps a fontkit font so that shaping results are kept across documents. pdfkit keeps a layout
 * cache per document only, and shaping CJK text is the bulk of its per-document work; the labels
 * of a certificate repeat on every copy. pdfkit scales `positions` in place, so each call gets
 * fresh position objects while glyphs (immutable) are shared.
 */
function withSharedLayoutCache(font: FontkitFont, maxEntries = 20_000): FontkitFont {
  const cache = new Map<string, FontkitGlyphRun>();
  return new Proxy(font, {
    get(target, prop, receiver) {
      if (prop === 'createSubset') {
        // pdfkit embeds the subset with `encode()`; write it directly (same bytes, see ttf-subset,
        // which also keeps each glyph's bytes and metrics across documents)
        return () => {
          const subset = target.createSubset.call(receiver);
          speedUpSubset(subset, encodeTtfSubset);
          return subset;
        };
      }
      if (prop !== 'layout') return Reflect.get(target, prop, receiver);
      return (text: string, features?: unknown): FontkitGlyphRun => {
        if (features !== undefined) return target.layout(text, features);
        let run = cache.get(text);
        if (!run) {
          if (cache.size >= maxEntries) cache.clear();
          run = target.layout(text);
          cache.set(text, run);
        }
        return {
          glyphs: run.glyphs,
          positions: run.positions.map((p) => ({ ...p })),
          advanceWidth: run.advanceWidth,
          script: run.script,
          direction: run.direction,
          features: run.features,
        };
      };
    },
  });
}

/**
 * Reads and parses Noto Sans JP once (bold is drawn by stroking, see page-kit). `directLayout:
 * false` lays out all text through fontkit's shaping (the reference DirectLayout is tested against).
 */
export function loadCertificateFonts(paths = notoSansJpPaths(), options: { directLayout?: boolean } = {}): CertificateFonts {
  const bytes = readFileSync(paths.regular);
  const font = openFont(bytes);
  // DirectLayout asks a second parse of the font which script fontkit detects in a character
  const direct = options.directLayout === false ? null : DirectLayout.create(font, openFont(bytes));
  return { regular: withSharedLayoutCache(font), direct };
}
