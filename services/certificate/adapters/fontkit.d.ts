// fontkit ships no types: its public API as used here (pdfkit, which depends on it, accepts its
// font objects directly). Private members are typed in fontkit-internals.ts, nowhere else.
declare module 'fontkit' {
  export interface FontkitGlyph {
    id: number;
    advanceWidth: number;
    codePoints: number[];
    /** The outline in font units, y up (fontkit's public `Path`). */
    path: { commands: Array<{ command: 'moveTo' | 'lineTo' | 'quadraticCurveTo' | 'bezierCurveTo' | 'closePath'; args: number[] }> };
  }
  export interface FontkitGlyphRun {
    glyphs: FontkitGlyph[];
    positions: Array<Record<string, number>>;
    advanceWidth: number;
    script: string;
    direction: string;
    features: Record<string, boolean>;
  }
  export interface FontkitSubset {
    glyphs: number[];
    includeGlyph(glyph: number | { id: number }): number;
    encode(): Uint8Array;
  }
  export interface FontkitFont {
    layout(text: string, features?: unknown): FontkitGlyphRun;
    createSubset(): FontkitSubset;
    glyphForCodePoint(codePoint: number): FontkitGlyph;
    getGlyph(id: number, codePoints?: number[]): FontkitGlyph;
    postscriptName: string;
    unitsPerEm: number;
    /** Every code point the font maps to a glyph. */
    characterSet: number[];
  }
  export function create(buffer: Uint8Array, postscriptName?: string): FontkitFont;
}
