import express from 'express';
import request from 'supertest';
import { describe, expect, it } from 'vitest';
import { buildPortalPages } from '../../../services/vrs/portal-web/page-shell.js';
import { portalWebRouter } from '../../../services/vrs/portal-web/router.js';

/** The portal pages come from one shell; each keeps to the CSP (no inline code). */
describe('portal page shell', () => {
  const pages = buildPortalPages();

  it('builds the seven pages, each a whole document with one main and its own title', () => {
    expect([...pages.keys()]).toEqual([
      'audit.html',
      'imports.html',
      'index.html',
      'invitation.html',
      'login.html',
      'service.html',
      'staff.html',
      'statistics.html',
    ]);
    for (const [name, html] of pages) {
      expect(html.startsWith('<!doctype html>\n<html lang="ja">\n<head>\n'), name).toBe(true);
      expect(html.match(/<main id="main"/g), name).toHaveLength(1);
      expect(html, name).toMatch(/<title>[^<|]+ \| ワクチン接種記録システム( 自治体向け画面)?<\/title>/);
      expect(html, name).not.toContain('{{');
    }
  });

  it('gives every staff page the same skip link, header and navigation for js/layout.js to fill', () => {
    for (const [name, html] of pages) {
      if (name === 'login.html' || name === 'invitation.html') continue;
      expect(html, name).toContain(
        '<body class="pending">\n<a class="skip-link" href="#main">本文へ移動</a>\n<header class="site-header"></header>\n<nav class="site-nav"></nav>\n<main id="main" tabindex="-1">\n',
      );
    }
  });

  it('loads scripts only from files: no inline script, no event-handler attribute', () => {
    for (const [name, html] of pages) {
      const scripts = html.match(/<script\b[^>]*>[\s\S]*?<\/script>/g) ?? [];
      expect(scripts.length, name).toBeGreaterThan(0);
      for (const s of scripts) expect(s, name).toMatch(/^<script( type="module")? src="\/[^"]+"><\/script>$/);
      expect(html, name).not.toMatch(/\son[a-z]+=/);
    }
  });

  it('serves them at / and by name, uncached, under the CSP', async () => {
    const app = express().use(portalWebRouter());
    const root = await request(app).get('/');
    expect(root.status).toBe(200);
    expect(root.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(root.headers['cache-control']).toBe('no-store');
    expect(root.headers['content-security-policy']).toContain("script-src 'self'");
    expect(root.text).toBe(pages.get('index.html'));
    expect((await request(app).get('/login.html')).text).toBe(pages.get('login.html'));
    expect((await request(app).get('/staff')).text).toBe(pages.get('staff.html'));
    expect((await request(app).get('/shell.html')).status).toBe(404);
    expect((await request(app).get('/js/layout.js')).status).toBe(200);
  });
});
