// Store controller: polls every kiosk's connection state and fault reports.
import { byId, query } from './dom.js';

const td = (text, cls) => {
  const el = document.createElement('td');
  el.textContent = text ?? '—';
  if (cls) el.className = cls;
  return el;
};
const fmt = (iso) => (iso ? new Date(iso).toLocaleString('ja-JP') : '—');

async function refresh() {
  const res = await fetch('/controller/api/kiosks', { cache: 'no-store' });
  const { now, kiosks } = await res.json();
  const body = query('#kiosks tbody', HTMLTableSectionElement);
  body.replaceChildren(
    ...kiosks.map((k) => {
      const tr = document.createElement('tr');
      tr.dataset.kiosk = k.kioskId;
      tr.append(
        td(k.kioskId),
        td(`${k.storeName} (${k.storeId})`),
        td(k.connected ? '● 接続中 connected' : '● 未接続 disconnected', k.connected ? 'ok-dot' : 'bad-dot'),
        td(fmt(k.lastContact)),
        td(k.lastFault ? `${k.lastFault.code} (${fmt(k.lastFault.at)})` : 'なし none'),
        td(`${k.step}${k.inService ? '' : ' (out of service)'}`),
      );
      return tr;
    }),
  );
  const faults = kiosks.flatMap((k) => k.faults.map((f) => ({ ...f, kioskId: k.kioskId }))).sort((a, b) => b.at.localeCompare(a.at));
  query('#faults tbody', HTMLTableSectionElement).replaceChildren(
    ...faults.map((f) => {
      const tr = document.createElement('tr');
      tr.append(td(fmt(f.at)), td(f.kioskId), td(f.code), td(f.count > 1 ? `${f.detail} (×${f.count})` : f.detail));
      return tr;
    }),
  );
  byId('updated').textContent = `更新 ${fmt(now)}`;
}
await refresh();
setInterval(refresh, 2000);
