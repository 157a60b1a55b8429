const res = await fetch('/api/kiosks');
const { kiosks } = await res.json();
const ul = document.getElementById('kiosks');
for (const k of kiosks) {
  const li = document.createElement('li');
  const a = document.createElement('a');
  a.href = k.url;
  a.textContent = `${k.kioskId} — ${k.storeName} (${k.storeId})`;
  li.append(a);
  ul.append(li);
}
