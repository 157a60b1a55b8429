const hex4 = (n: number): string => `0000${n.toString(16)}`.slice(-4);

/** A glyph's bfrange entry, kept per code-point array (fontkit keeps one array per glyph object). */
const entries = new WeakMap<number[], string>();

function entryOf(codePoints: number[]): string {
  let e = entries.get(codePoints);
  if (e === undefined) {
    const encoded: string[] = [];
    for (let value of codePoints) {
      if (value > 0xffff) {
        value -= 0x10000;
        encoded.push(hex4(((value >>> 10) & 0x3ff) | 0xd800));
        value = 0xdc00 | (value & 0x3ff);
      }
      encoded.push(hex4(value));
    }
    e = `<${encoded.join(' ')}>`;
    entries.set(codePoints, e);
  }
  return e;
}

/**
 * pdfkit's `EmbeddedFont.toUnicodeCmap` (the same CMap text), with each glyph's entry formatted once
 * per process rather than per document and the text converted to bytes natively: from the code
 * points of each subset glyph (`unicode`), written to `cmap` (a new PDF object), which it returns.
 */
export function toUnicodeCmap<R extends { end(chunk: Uint8Array): void }>(unicode: Array<number[] | undefined>, cmap: R): R {
  const list = Array.from(unicode, (cp) => entryOf(cp ?? []));
  const ranges: string[] = [];
  for (let start = 0; start < list.length; start += 256) {
    const end = Math.min(start + 256, list.length);
    ranges.push(`<${hex4(start)}> <${hex4(end - 1)}> [${list.slice(start, end).join(' ')}]`);
  }
  const text = `/CIDInit /ProcSet findresource begin
12 dict begin
begincmap
/CIDSystemInfo <<
  /Registry (Adobe)
  /Ordering (UCS)
  /Supplement 0
>> def
/CMapName /Adobe-Identity-UCS def
/CMapType 2 def
1 begincodespacerange
<0000><ffff>
endcodespacerange
${ranges.length} beginbfrange
${ranges.join('\n')}
endbfrange
endcmap
CMapName currentdict /CMap defineresource pop
end
end
`;
  cmap.end(Buffer.from(text, 'latin1'));
  return cmap;
}
