import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import express, { Router } from 'express';
import { buildPortalPages } from './page-shell.js';

/** Folder of the portal's styles and scripts (plain CSS and ES modules: no build step); the pages come from pages/. */
export const PORTAL_STATIC_DIR = join(dirname(fileURLToPath(import.meta.url)), 'static');

/**
 * Content-Security-Policy of the portal pages: scripts, styles, images and requests only from the
 * portal itself; no inline code, no framing, no plugins, forms post only here. Chart.js sizes its
 * canvas through the CSSOM, which `style-src 'self'` allows.
 */
export const PORTAL_CSP = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "connect-src 'self'",
  "font-src 'self'",
  "form-action 'self'",
  "frame-ancestors 'none'",
  "base-uri 'none'",
  "object-src 'none'",
].join('; ');

const require = createRequire(import.meta.url);

/** The UMD build of Chart.js from node_modules (served, never copied into the repository). */
function chartJsFile(): string {
  // The package's "require" export is dist/chart.cjs; the browser build sits beside it.
  return join(dirname(require.resolve('chart.js')), 'chart.umd.min.js');
}

/**
 * Noto Sans JP from the project's dependencies, for browsers without a Japanese system font (the
 * test Chromium, minimal desktops); the style sheet names the usual system fonts first.
 */
const FONTS: Record<string, string> = {
  'noto-sans-jp-400.ttf': '@expo-google-fonts/noto-sans-jp/400Regular/NotoSansJP_400Regular.ttf',
  'noto-sans-jp-700.ttf': '@expo-google-fonts/noto-sans-jp/700Bold/NotoSansJP_700Bold.ttf',
};

/**
 * The municipality portal pages (自治体向け画面): `/` (issuance log), `/login.html`, `/imports.html`,
 * `/service.html`, `/staff.html`, `/audit.html`, `/statistics.html`, their CSS and scripts, `/vendor/chart.umd.js` and
 * `/vendor/fonts/…`. The pages call the portal API (`/api/v1/…`); a page without a session
 * sends the browser to the login page itself (GET /api/v1/session answers 401).
 */
export function portalWebRouter(): Router {
  const router = Router();
  const chartJs = chartJsFile();

  router.use((_req, res, next) => {
    res.set({
      'Content-Security-Policy': PORTAL_CSP,
      'Cross-Origin-Opener-Policy': 'same-origin',
      'Cross-Origin-Resource-Policy': 'same-origin',
      'Permissions-Policy': 'camera=(), microphone=(), geolocation=(), payment=()',
    });
    next();
  });

  router.get('/vendor/chart.umd.js', (_req, res) => {
    res.sendFile(chartJs, { headers: { 'Content-Type': 'text/javascript; charset=utf-8', 'Cache-Control': 'public, max-age=3600' } });
  });

  for (const [name, module] of Object.entries(FONTS)) {
    const file = require.resolve(module);
    router.get(`/vendor/fonts/${name}`, (_req, res) => {
      res.sendFile(file, { headers: { 'Content-Type': 'font/ttf', 'Cache-Control': 'public, max-age=86400' } });
    });
  }

  // The pages, built once from one shell (page-shell.ts): `/` is index.html, `/staff` staff.html.
  // Never cached (they decide on the session).
  const pages = buildPortalPages();
  router.use((req, res, next) => {
    if (req.method !== 'GET' && req.method !== 'HEAD') return next();
    const name = req.path === '/' ? 'index.html' : req.path.slice(1);
    const page = pages.get(name) ?? pages.get(`${name}.html`);
    if (page === undefined) return next();
    res.set({ 'Content-Type': 'text/html; charset=utf-8', 'Cache-Control': 'no-store' }).send(page);
  });

  router.use(
    express.static(PORTAL_STATIC_DIR, {
      index: false,
      dotfiles: 'ignore',
      redirect: false,
      setHeaders(res) {
        // Scripts and styles may be cached, briefly.
        res.setHeader('Cache-Control', 'no-cache');
      },
    }),
  );

  return router;
}
