// fontkit ships no types; pdfkit (which depends on it) accepts its font objects directly.
declare module 'fontkit' {
  export interface FontkitGlyphRun {
    glyphs: unknown[];
    positions: Array<Record<string, number>>;
    advanceWidth: number;
  }
  export interface FontkitFont {
    layout(text: string, features?: unknown): FontkitGlyphRun;
    postscriptName: string;
  }
  export function create(buffer: Uint8Array, postscriptName?: string): FontkitFont;
}
