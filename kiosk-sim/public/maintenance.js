// Maintenance screen: nothing here works without the maintenance password.
import { byId } from './dom.js';

let csrf = null;
const $ = byId;
const el = (tag, text, attrs = {}) => {
  const e = document.createElement(tag);
  if (text !== undefined) e.textContent = text;
  for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, v);
  return e;
};

async function call(method, path, body) {
  const res = await fetch(`/maintenance/api/${path}`, {
    method,
    headers: { 'content-type': 'application/json', ...(csrf ? { 'x-csrf-token': csrf } : {}) },
    ...(body ? { body: JSON.stringify(body) } : {}),
  });
  return { ok: res.ok, status: res.status, headers: res.headers, json: await res.json().catch(() => ({})) };
}

async function load() {
  const r = await call('GET', 'kiosks');
  if (!r.ok) {
    $('panel').hidden = true;
    $('login').hidden = false;
    return;
  }
  csrf = r.json.csrf;
  $('login').hidden = true;
  $('panel').hidden = false;
  $('kiosks').replaceChildren(
    ...r.json.kiosks.map((k) => {
      const box = el('section', undefined, { 'data-kiosk': k.kioskId, class: 'tray-item' });
      box.append(el('h2', `${k.kioskId} — ${k.inService ? '稼働中 in service' : '停止中 out of service'} · 画面 ${k.step} · 取り出し口 ${k.trayItems}`));
      const row = el('p', undefined, { class: 'row' });
      const btn = (label, fn, testid) => {
        const b = el('button', label, { class: 'btn', type: 'button', 'data-testid': testid });
        b.onclick = async () => {
          await fn();
          await load();
        };
        return b;
      };
      row.append(
        btn(
          k.inService ? '停止する / Take out of service' : '再開する / Put in service',
          () => call('POST', `kiosks/${k.kioskId}/service`, { inService: !k.inService }),
          'toggle-service',
        ),
        btn(
          k.printerJamNext ? '紙詰まり試験を解除 / Clear jam test' : '次の印刷を紙詰まりに / Jam next print',
          () => call('POST', `kiosks/${k.kioskId}/printer`, { jamNext: !k.printerJamNext }),
          'toggle-jam',
        ),
        btn('取り出し口を空にする / Clear output tray', () => call('POST', `kiosks/${k.kioskId}/tray/clear`), 'clear-tray'),
      );
      box.append(row, el('h3', '端末ログ（発行日時・種類・部数）/ Kiosk log (date-time, kind, copies)'));
      const table = el('table', undefined, { class: 'list' });
      table.append(
        ...k.log.map((e) => {
          const tr = el('tr');
          tr.append(el('td', e.issuedAt), el('td', e.kind), el('td', String(e.copies)));
          return tr;
        }),
      );
      if (k.log.length === 0) table.append(el('tr', '（記録なし / none）'));
      box.append(table);
      return box;
    }),
  );
}

$('login').addEventListener('submit', async (e) => {
  e.preventDefault();
  const r = await call('POST', 'login', { password: $('password', HTMLInputElement).value });
  $('password', HTMLInputElement).value = '';
  if (!r.ok) {
    $('login-error').hidden = false;
    $('login-error').textContent =
      r.status === 503
        ? '保守機能は無効です（KIOSK_MAINTENANCE_PASSWORD 未設定）/ Maintenance is disabled'
        : r.status === 429
          ? `しばらくお待ちください（${r.headers.get('retry-after') ?? '?'} 秒）/ Too many attempts: wait ${r.headers.get('retry-after') ?? 'a while'} s`
          : 'パスワードが違います / Wrong password';
    return;
  }
  csrf = r.json.csrf;
  $('login-error').hidden = true;
  await load();
});
$('logout').addEventListener('click', async () => {
  await call('POST', 'logout');
  csrf = null;
  await load();
});
await load();
