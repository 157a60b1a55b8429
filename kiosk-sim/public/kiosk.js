// The kiosk screen: a thin view of the terminal agent's state (./api/state). The page never sees
// card bytes or the PIN's result other than what the agent maps from the card's status word.
import { byId } from './dom.js';
import { dict, t, errorText } from './i18n.js';

const api = (path) => new URL(`api/${path}`, location.href.replace(/[?#].*$/, '')).href;
let lang = localStorage.getItem('kiosk-lang') === 'en' ? 'en' : 'ja';
let state = null;
let cards = [];
let shown = '';
let spokenFor = '';
const ui = { pin: '', municipality: null, kind: 'domestic', copies: 1 };

function h(tag, attrs = {}, ...children) {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (v === undefined || v === null || v === false) continue;
    if (k.startsWith('on')) el.addEventListener(k.slice(2), v);
    else if (k === 'class') el.className = v;
    else el.setAttribute(k, v === true ? '' : String(v));
  }
  for (const c of children.flat()) if (c !== null && c !== undefined && c !== false) el.append(c instanceof Node ? c : document.createTextNode(String(c)));
  return el;
}
const tx = (key, vars) => t(lang, key, vars);
/** Flattens children and drops empty ones (replaceChildren would print "null"). */
const kids = (...list) => list.flat(Infinity).filter((c) => c !== null && c !== undefined && c !== false);

/** The per-page token the agent served this page with; every state-changing call carries it. */
const token = document.querySelector('meta[name="kiosk-token"]')?.getAttribute('content') ?? '';
const writeHeaders = { 'content-type': 'application/json', 'x-kiosk-token': token };

async function post(path, body = {}) {
  const res = await fetch(api(path), { method: 'POST', headers: writeHeaders, body: JSON.stringify(body) });
  const json = await res.json().catch(() => ({}));
  if (res.ok) update(json);
  // A refusal is problem+json (409 ERR_KIOSK_STEP, 400 ERR_BAD_REQUEST, …) without the screen state: reload it.
  else await poll();
  return json;
}

/** Tells the agent the resident is active (idle timer); the answer is not rendered, polls catch up. */
function touch() {
  fetch(api('touch'), { method: 'POST', headers: writeHeaders, body: '{}' }).catch(() => undefined);
}

async function poll() {
  try {
    const res = await fetch(api('state'), { cache: 'no-store' });
    if (res.ok) update(await res.json());
  } catch {
    /* the agent restarts; keep polling */
  }
}

async function loadCards() {
  const res = await fetch(api('cards'), { cache: 'no-store' });
  cards = (await res.json()).cards;
  renderCardTray();
}

function speak(text) {
  // Voice guidance (ja-JP); a browser without speech synthesis still shows the screen text.
  try {
    if (!('speechSynthesis' in window) || typeof SpeechSynthesisUtterance === 'undefined') return;
    const u = new SpeechSynthesisUtterance(text);
    u.lang = lang === 'en' ? 'en-US' : 'ja-JP';
    window.speechSynthesis.cancel();
    window.speechSynthesis.speak(u);
  } catch {
    /* no voice available */
  }
}

function update(next) {
  // Answers can cross on the wire: never go back to an older state than the one shown.
  if (state && next.bootId === state.bootId && next.version < state.version) return;
  const key = JSON.stringify(next);
  if (key === shown) return;
  const stepChanged = !state || state.step !== next.step;
  state = next;
  shown = key;
  if (stepChanged) {
    ui.pin = '';
    if (next.step === 'select') {
      ui.municipality = next.municipalities?.[0]?.code ?? null;
      ui.kind = 'domestic';
      ui.copies = 1;
    }
    if (next.step === 'card' || next.step === 'home') loadCards();
  }
  const voiceKey = `${next.step}:${next.idleDeadline ?? ''}`;
  if (stepChanged && next.step === 'remove-card' && spokenFor !== voiceKey) {
    spokenFor = voiceKey;
    speak(tx('voice.remove'));
  }
  if (stepChanged && next.step === 'done' && spokenFor !== voiceKey) {
    spokenFor = voiceKey;
    speak(tx('voice.done'));
  }
  render();
}

function render() {
  if (!state) return;
  document.documentElement.lang = lang;
  byId('brand').textContent = tx('brand');
  byId('store-name').textContent = `${state.storeName} / ${state.kioskId}`;
  const langBtn = byId('lang', HTMLButtonElement);
  langBtn.textContent = dict[lang].lang;
  langBtn.onclick = () => {
    lang = lang === 'ja' ? 'en' : 'ja';
    localStorage.setItem('kiosk-lang', lang);
    render();
  };
  const screen = byId('screen');
  screen.dataset.step = state.step;
  screen.replaceChildren(
    ...kids(
      screens[state.step](),
      // The certificate center is busy: the agent repeats the step by itself after Retry-After
      // (opening a session on home, reading on the card, the request on the choice screen).
      state.relayBusy ? h('p', { class: 'notice', 'data-testid': 'relay-busy' }, tx('relay.busy')) : null,
    ),
  );
  renderReader();
  renderCardTray();
  renderOutputTray();
  renderIdle();
}

const cancelBtn = () => h('button', { class: 'btn secondary', 'data-testid': 'cancel', onclick: () => post('cancel') }, tx('cancel'));
const yen = (n) => tx('yen', { n: Number(n).toLocaleString('ja-JP') });
const reasonText = (r) => (tx(`reason.${r}`) === `reason.${r}` ? tx('reason.unavailable') : tx(`reason.${r}`));

const screens = {
  home: () => [
    h('h1', {}, tx('home.title')),
    state.timedOut ? h('p', { class: 'notice', 'data-testid': 'timed-out' }, tx('home.timedOut')) : null,
    h('button', { class: 'big', 'data-testid': 'start', onclick: () => post('start') }, tx('home.button')),
    h('p', {}, tx('home.sub')),
    state.service ? h('p', { class: 'muted' }, tx('home.hours', { hours: state.service.hours })) : null,
  ],
  closed: () => [h('h1', { 'data-testid': 'closed' }, tx('closed.title')), h('p', {}, tx('closed.body', { hours: state.service?.hours ?? '06:30-23:00' }))],
  'out-of-service': () => [h('h1', { 'data-testid': 'out-of-service' }, tx('oos.title')), h('p', {}, tx('oos.body'))],
  card: () => [h('h1', {}, tx('card.title')), h('p', {}, tx('card.body')), h('div', { class: 'actions' }, cancelBtn())],
  pin: () => {
    // Each key press counts as activity (the digits themselves stay in the page until OK).
    const press = (d) => {
      if (ui.pin.length < 4) {
        ui.pin += d;
        render();
        touch();
      }
    };
    const digits = ['1', '2', '3', '4', '5', '6', '7', '8', '9'];
    return [
      h('h1', {}, tx('pin.title')),
      h('p', { class: 'muted' }, tx('pin.body')),
      state.pin?.wrong ? h('p', { class: 'alert', 'data-testid': 'pin-wrong' }, tx('pin.wrong', { n: state.pin.triesLeft })) : null,
      h(
        'div',
        { class: 'pin-dots', 'data-testid': 'pin-dots' },
        [0, 1, 2, 3].map((i) => h('span', {}, i < ui.pin.length ? '●' : '')),
      ),
      h(
        'div',
        { class: 'pad' },
        digits.map((d) => h('button', { 'data-digit': d, onclick: () => press(d) }, d)),
        h(
          'button',
          {
            class: 'clear',
            'data-testid': 'pin-clear',
            onclick: () => {
              ui.pin = '';
              render();
            },
          },
          tx('pin.clear'),
        ),
        h('button', { 'data-digit': '0', onclick: () => press('0') }, '0'),
        h(
          'button',
          {
            class: 'ok',
            'data-testid': 'pin-ok',
            disabled: ui.pin.length !== 4,
            onclick: () => {
              const pin = ui.pin;
              ui.pin = '';
              post('pin', { pin });
            },
          },
          tx('pin.ok'),
        ),
      ),
      h('div', { class: 'actions' }, cancelBtn()),
    ];
  },
  reading: () => [h('h1', {}, tx('reading.title')), h('div', { class: 'spinner' }), h('p', {}, tx('reading.body'))],
  blocked: () => [
    h('h1', { 'data-testid': 'blocked' }, tx('blocked.title')),
    h('p', { class: 'alert' }, tx('blocked.body')),
    state.card.present ? h('p', { class: 'notice' }, tx('error.cardPresent')) : null,
    h('div', { class: 'actions' }, h('span'), h('button', { class: 'btn primary', 'data-testid': 'home', onclick: () => post('finish') }, tx('home'))),
  ],
  'remove-card': () => [
    h('h1', { 'data-testid': 'remove-card' }, tx('remove.title')),
    h('p', {}, tx('remove.body')),
    h('p', { class: 'voice' }, `${tx('voice.label')} ${tx('voice.remove')}`),
  ],
  select: () => {
    const offered = state.municipalities ?? [];
    const m = offered.find((x) => x.code === ui.municipality) ?? offered[0];
    if (m && !m.overseas && ui.kind === 'overseas') ui.kind = 'domestic';
    const choose = (k, v) => {
      ui[k] = v;
      render();
      touch();
    };
    return [
      h('h1', {}, tx('select.title')),
      state.holder ? h('p', { 'data-testid': 'holder' }, tx('select.holder', state.holder)) : null,
      h('h2', {}, tx('select.municipality')),
      h(
        'div',
        { class: 'row', 'data-testid': 'municipalities' },
        offered.map((x) =>
          h(
            'button',
            { class: `btn${x.code === m?.code ? ' selected' : ''}`, 'data-municipality': x.code, onclick: () => choose('municipality', x.code) },
            x.name,
          ),
        ),
      ),
      state.unavailable?.length
        ? h(
            'p',
            { class: 'muted', 'data-testid': 'unavailable' },
            tx('select.unavailable'),
            ' ',
            state.unavailable.map((u) => `${u.name}（${reasonText(u.reason)}）`).join('、'),
          )
        : null,
      h('h2', {}, tx('select.kind')),
      h(
        'div',
        { class: 'row' },
        h(
          'button',
          { class: `btn${ui.kind === 'domestic' ? ' selected' : ''}`, 'data-kind': 'domestic', onclick: () => choose('kind', 'domestic') },
          tx('kind.domestic'),
        ),
        h(
          'button',
          {
            class: `btn${ui.kind === 'overseas' ? ' selected' : ''}`,
            'data-kind': 'overseas',
            disabled: !m?.overseas,
            onclick: () => choose('kind', 'overseas'),
          },
          tx('kind.overseas'),
        ),
      ),
      m && !m.overseas ? h('p', { class: 'notice', 'data-testid': 'overseas-reason' }, tx('kind.noPassport')) : null,
      h('h2', {}, tx('select.copies')),
      h(
        'div',
        { class: 'row' },
        h('button', { class: 'btn', 'data-testid': 'copies-minus', disabled: ui.copies <= 1, onclick: () => choose('copies', ui.copies - 1) }, '−'),
        h('span', { class: 'copies', 'data-testid': 'copies' }, String(ui.copies)),
        h('button', { class: 'btn', 'data-testid': 'copies-plus', disabled: ui.copies >= 5, onclick: () => choose('copies', ui.copies + 1) }, '+'),
      ),
      h(
        'div',
        { class: 'actions' },
        cancelBtn(),
        h(
          'button',
          {
            class: 'btn primary',
            'data-testid': 'next',
            disabled: !m,
            onclick: () => post('select', { municipality: m.code, kind: ui.kind, copies: ui.copies }),
          },
          tx('next'),
        ),
      ),
    ];
  },
  confirm: () => {
    const r = state.request;
    const p = r.preview;
    return [
      h('h1', {}, tx('confirm.title')),
      h(
        'dl',
        { class: 'preview', 'data-testid': 'preview' },
        h('dt', {}, tx('confirm.issuer')),
        h('dd', {}, p.issuer),
        h('dt', {}, tx('confirm.name')),
        h('dd', {}, p.name),
        h('dt', {}, tx('confirm.birth')),
        h('dd', {}, p.birthDate),
        h('dt', {}, tx('confirm.kind')),
        h('dd', {}, tx(`kind.${state.selection.kind}`)),
        h('dt', {}, tx('confirm.copies')),
        h('dd', {}, String(r.copies)),
        h('dt', {}, tx('confirm.fee')),
        h('dd', { 'data-testid': 'fee' }, tx('confirm.feeLine', { per: state.feePerCopy ?? r.fee / r.copies, copies: r.copies, fee: r.fee })),
      ),
      h('h2', {}, tx('confirm.doses')),
      h(
        'table',
        { class: 'doses' },
        p.doses.map((d) => h('tr', {}, h('td', {}, tx('confirm.dose', { n: d.dose })), h('td', {}, d.date), h('td', {}, d.product), h('td', {}, d.lot))),
      ),
      h(
        'div',
        { class: 'actions' },
        h('div', { class: 'row' }, cancelBtn(), h('button', { class: 'btn secondary', 'data-testid': 'back', onclick: () => post('back') }, tx('back'))),
        h('button', { class: 'btn primary', 'data-testid': 'confirm', onclick: () => post('confirm') }, tx('confirm.ok')),
      ),
    ];
  },
  pay: () => {
    const fee = state.payment.fee ?? 0;
    const inserted = state.payment.inserted;
    return [
      h('h1', {}, tx('pay.title')),
      h(
        'div',
        { class: 'money' },
        h('span', {}, tx('pay.fee')),
        h('strong', { 'data-testid': 'pay-fee' }, yen(fee)),
        h('span', {}, tx('pay.inserted')),
        h('strong', { 'data-testid': 'inserted' }, yen(inserted)),
        h('span', {}, tx('pay.remaining')),
        h('strong', {}, yen(Math.max(0, fee - inserted))),
      ),
      h('p', { class: 'muted' }, tx('pay.coins')),
      h(
        'div',
        { class: 'row' },
        [10, 50, 100, 500].map((v) => h('button', { class: 'coin', 'data-coin': v, onclick: () => post('pay', { value: v }) }, String(v))),
        h('button', { class: 'note', 'data-coin': 1000, onclick: () => post('pay', { value: 1000 }) }, '1000'),
      ),
      h(
        'div',
        { class: 'actions' },
        cancelBtn(),
        h('button', { class: 'btn primary', 'data-testid': 'print', disabled: inserted < fee, onclick: () => post('print') }, tx('pay.print')),
      ),
    ];
  },
  printing: () => [h('h1', { 'data-testid': 'printing' }, tx('printing.title')), h('div', { class: 'spinner' }), h('p', {}, tx('printing.body'))],
  done: () => [
    h('h1', { 'data-testid': 'done' }, tx('done.title')),
    h('p', {}, tx('done.body')),
    state.receipt?.change ? h('p', { class: 'notice', 'data-testid': 'change' }, tx('done.change', { n: state.receipt.change })) : null,
    h('p', { class: 'voice' }, `${tx('voice.label')} ${tx('voice.done')}`),
    h('div', { class: 'actions' }, h('span'), h('button', { class: 'btn primary', 'data-testid': 'finish', onclick: () => post('finish') }, tx('done.finish'))),
  ],
  error: () => {
    const [title, body] = errorText(lang, state.error?.code);
    return [
      h('h1', { 'data-testid': 'error', 'data-code': state.error?.code ?? '' }, title),
      h('p', {}, body),
      state.error?.reason && state.error.code === 'ERR_MUNICIPALITY_UNAVAILABLE' ? h('p', { class: 'muted' }, reasonText(state.error.reason)) : null,
      state.error?.refunded ? h('p', { class: 'notice', 'data-testid': 'refunded' }, tx('error.refunded', { n: state.error.refunded })) : null,
      state.card.present ? h('p', { class: 'notice' }, tx('error.cardPresent')) : null,
      h('div', { class: 'actions' }, h('span'), h('button', { class: 'btn primary', 'data-testid': 'home', onclick: () => post('finish') }, tx('home'))),
    ];
  },
};

function renderReader() {
  const reader = byId('reader');
  const card = state.card.present ? cards.find((c) => c.cardId === state.card.cardId) : null;
  reader.replaceChildren(
    ...kids(
      state.card.present
        ? [
            h('div', { class: 'card', 'data-testid': 'card-on-reader' }, tx('reader.card'), h('div', { class: 'id' }, card?.label ?? '')),
            h('button', { class: 'btn', 'data-testid': 'reader-take-card', onclick: () => post('card/remove') }, tx('tray.takeCard')),
          ]
        : tx('reader.empty'),
    ),
  );
}

/** What the card tray last showed: rebuilding it under a card being dragged would cancel the drag. */
let trayShown = '';

function renderCardTray() {
  const tray = byId('card-tray');
  if (!state) return;
  const key = JSON.stringify([lang, cards, state.card.present, state.card.cardId]);
  if (key === trayShown) return;
  trayShown = key;
  tray.replaceChildren(
    ...kids(
      h('h2', {}, tx('tray.cards')),
      h('p', { class: 'hint' }, tx('tray.cardsHint')),
      cards.map((c) => {
        const on = state.card.present && state.card.cardId === c.cardId;
        return h(
          'div',
          {
            class: `card${on ? ' on-reader' : ''}`,
            draggable: on ? 'false' : 'true',
            role: 'button',
            tabindex: '0',
            'data-card': c.cardId,
            'data-label': c.label,
            ondragstart: (e) => e.dataTransfer.setData('text/plain', c.cardId),
            onclick: () => {
              if (!on) post('card/place', { cardId: c.cardId });
            },
            onkeydown: (e) => {
              if (!on && (e.key === 'Enter' || e.key === ' ')) {
                e.preventDefault();
                post('card/place', { cardId: c.cardId });
              }
            },
          },
          h('div', {}, c.label),
          h('div', { class: 'id' }, on ? tx('tray.onReader') : c.cardId.slice(0, 8)),
        );
      }),
      state.card.present ? h('button', { class: 'btn', 'data-testid': 'take-card', onclick: () => post('card/remove') }, tx('tray.takeCard')) : null,
    ),
  );
}

function renderOutputTray() {
  const tray = byId('output-tray');
  tray.replaceChildren(
    ...kids(
      h('h2', {}, tx('tray.output')),
      state.tray.length === 0 ? h('p', { class: 'hint' }, tx('tray.empty')) : null,
      state.tray.map((i) =>
        h(
          'div',
          { class: 'tray-item', 'data-tray': i.kind },
          h('strong', {}, tx(`tray.${i.kind}`)),
          h(
            'div',
            {},
            h('a', { href: api(`tray/${i.id}`), target: '_blank', rel: 'noopener', 'data-testid': `open-${i.kind}` }, tx('tray.open')),
            h('a', { href: api(`tray/${i.id}?download=1`), download: i.fileName, 'data-testid': `download-${i.kind}` }, tx('tray.download')),
          ),
        ),
      ),
      state.tray.length ? h('button', { class: 'btn', 'data-testid': 'take-paper', onclick: () => post('tray/take') }, tx('tray.take')) : null,
    ),
  );
}

function renderIdle() {
  const el = byId('idle');
  if (!state?.idleDeadline) {
    el.textContent = '';
    return;
  }
  const s = Math.max(0, Math.ceil((state.idleDeadline - Date.now()) / 1000));
  el.textContent = tx('idle', { s });
}

const reader = byId('reader');
reader.addEventListener('dragover', (e) => {
  e.preventDefault();
  reader.classList.add('drop');
});
reader.addEventListener('dragleave', () => reader.classList.remove('drop'));
reader.addEventListener('drop', (e) => {
  e.preventDefault();
  reader.classList.remove('drop');
  const id = e.dataTransfer?.getData('text/plain');
  if (id) post('card/place', { cardId: id });
});

await loadCards();
await poll();
setInterval(poll, 500);
setInterval(renderIdle, 1000);
