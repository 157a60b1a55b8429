import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** Folder of the page shell (`shell.html`) and the page bodies (`<name>.html`). */
export const PORTAL_PAGES_DIR = join(dirname(fileURLToPath(import.meta.url)), 'pages');

const SITE = 'ワクチン接種記録システム';

/**
 * The two page layouts around a page's `<main>` content: a staff page (skip link, and the header
 * and navigation that js/layout.js fills once the session is known) and the login page.
 */
const LAYOUTS = {
  staff: {
    title: (t: string) => `${t} | ${SITE}`,
    body: (content: string) => `<body class="pending">
<a class="skip-link" href="#main">本文へ移動</a>
<header class="site-header"></header>
<nav class="site-nav"></nav>
<main id="main" tabindex="-1">
${content}</main>
</body>`,
  },
  login: {
    title: (t: string) => `${t} | ${SITE} 自治体向け画面`,
    body: (content: string) => `<body class="login">
<header class="site-header">
  <p class="site-title">${SITE}<small>自治体向け画面</small></p>
</header>
<main id="main" class="login-box">
${content}</main>
</body>`,
  },
} as const;

/**
 * Builds every portal page from the one shell (`pages/shell.html`) and each page's body file, once
 * at start (no build step). A body file opens with a comment naming its layout, title and scripts:
 *
 * ```html
 * <!--
 * layout: staff
 * title: 操作ログ
 * module: /js/audit.js
 * -->
 *   <h1>操作ログ</h1>
 * ```
 *
 * `script:` is a classic script (a vendor UMD build), `module:` an ES module; never inline code,
 * which the portal's Content-Security-Policy forbids. Returns the pages by file name.
 */
export function buildPortalPages(dir = PORTAL_PAGES_DIR): Map<string, string> {
  const shell = readFileSync(join(dir, 'shell.html'), 'utf8');
  const pages = new Map<string, string>();
  for (const file of readdirSync(dir)
    .filter((f) => f.endsWith('.html') && f !== 'shell.html')
    .sort()) {
    const source = readFileSync(join(dir, file), 'utf8');
    const m = /^<!--\n([\s\S]*?)\n-->\n/.exec(source);
    if (!m) throw new TypeError(`${file}: no page header comment`);
    const fields = m[1]!.split('\n').map((line) => {
      const at = line.indexOf(': ');
      if (at < 0) throw new TypeError(`${file}: bad page header line ${JSON.stringify(line)}`);
      return [line.slice(0, at), line.slice(at + 2)] as const;
    });
    const one = (key: string) => {
      const values = fields.filter(([k]) => k === key).map(([, v]) => v);
      if (values.length !== 1) throw new TypeError(`${file}: needs exactly one ${key}`);
      return values[0]!;
    };
    const layout = LAYOUTS[one('layout') as keyof typeof LAYOUTS];
    if (!layout) throw new TypeError(`${file}: unknown layout ${one('layout')}`);
    const scripts = fields.flatMap(([k, v]) => {
      if (k === 'script') return [`<script src="${v}"></script>`];
      if (k === 'module') return [`<script type="module" src="${v}"></script>`];
      if (k === 'layout' || k === 'title') return [];
      throw new TypeError(`${file}: unknown page header field ${k}`);
    });
    // A function replacement: `$` in a page is text, not a replacement pattern.
    const page = shell
      .replace('{{title}}', () => layout.title(one('title')))
      .replace('{{scripts}}', () => scripts.join('\n'))
      .replace('{{body}}', () => layout.body(source.slice(m[0].length)));
    pages.set(file, page);
  }
  return pages;
}
