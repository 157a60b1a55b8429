/**
 * A strict little well-formedness check of the kit's JUnit XML (the project has no XML parser):
 * every tag closes in order, attributes are quoted, only the five predefined entities (and
 * numeric ones) appear, and no raw `<` or `&` is left in text. Returns the elements met.
 */
export function parseXmlElements(xml: string): { name: string; attrs: Record<string, string> }[] {
  const out: { name: string; attrs: Record<string, string> }[] = [];
  const stack: string[] = [];
  let rest = xml.replace(/^<\?xml[^?]*\?>\s*/, '');
  const checkText = (t: string) => {
    if (/&(?!(amp|lt|gt|quot|apos|#\d+|#x[0-9a-fA-F]+);)/.test(t)) throw new Error(`bare & in ${JSON.stringify(t.slice(0, 60))}`);
  };
  while (rest.length) {
    const lt = rest.indexOf('<');
    if (lt < 0) {
      if (rest.trim()) throw new Error('text after the root element');
      break;
    }
    checkText(rest.slice(0, lt));
    rest = rest.slice(lt);
    const close = /^<\/([A-Za-z_][\w.-]*)\s*>/.exec(rest);
    if (close) {
      if (stack.pop() !== close[1]) throw new Error(`</${close[1]}> closes the wrong element`);
      rest = rest.slice(close[0].length);
      continue;
    }
    const open = /^<([A-Za-z_][\w.-]*)((?:\s+[A-Za-z_][\w.-]*="[^"<]*")*)\s*(\/?)>/.exec(rest);
    if (!open) throw new Error(`malformed markup at ${JSON.stringify(rest.slice(0, 60))}`);
    const attrs: Record<string, string> = {};
    for (const m of open[2]!.matchAll(/([A-Za-z_][\w.-]*)="([^"]*)"/g)) {
      if (m[1]! in attrs) throw new Error(`duplicate attribute ${m[1]}`);
      checkText(m[2]!);
      attrs[m[1]!] = m[2]!;
    }
    out.push({ name: open[1]!, attrs });
    if (!open[3]) stack.push(open[1]!);
    rest = rest.slice(open[0].length);
  }
  if (stack.length) throw new Error(`unclosed ${stack.join(', ')}`);
  return out;
}
