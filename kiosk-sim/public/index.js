import { byId } from './dom.js';

const res = await fetch('/api/kiosks');
const { kiosks } = await res.json();
const ul = byId('kiosks', HTMLUListElement);
for (const k of kiosks) {
  const li = document.createElement('li');
  const a = document.createElement('a');
  a.href = k.url;
  a.textContent = `${k.kioskId} — ${k.storeName} (${k.storeId})`;
  li.append(a);
  ul.append(li);
}
