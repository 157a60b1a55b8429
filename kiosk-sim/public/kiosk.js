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
/** What the page alone holds: the home menu level, the PIN digits until OK, the choice until next. */
const ui = { homeMenu: 'top', pin: '', municipality: null, kind: 'domestic', copies: 1 };

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
    if (next.step === 'home') ui.homeMenu = 'top';
    if (next.step === 'select') {
      // After 続けて発行, the first municipality not issued yet in this visit comes first.
      const issued = next.issuedThisVisit ?? [];
      const offered = next.municipalities ?? [];
      ui.municipality = (offered.find((m) => !issued.includes(m.code)) ?? offered[0])?.code ?? null;
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
/** Why overseas is not offered: the menu's overseasDetail when the relay sends one, else no passport data. */
const overseasText = (detail) => (detail && tx(`overseas.${detail}`) !== `overseas.${detail}` ? tx(`overseas.${detail}`) : tx('overseas.no_passport_on_file'));
/** 「お問い合わせ先: <office> <phone>」 lines of a refusal (the relay's 問合せ先, when it sends them). */
const contactLines = (contacts) =>
  contacts?.length
    ? h(
        'div',
        { class: 'contacts', 'data-testid': 'contact' },
        contacts.map((c) => h('p', { 'data-contact': c.phone }, tx('contact', c))),
      )
    : null;

const screens = {
  // The machine's top menu (行政サービス), then its 証明書交付サービス; both are the home step.
  home: () =>
    ui.homeMenu === 'top'
      ? [
          h('h1', {}, tx('home.menu')),
          state.timedOut ? h('p', { class: 'notice', 'data-testid': 'timed-out' }, tx('home.timedOut')) : null,
          h(
            'button',
            {
              class: 'big',
              'data-testid': 'gov-services',
              onclick: () => {
                ui.homeMenu = 'gov';
                render();
              },
            },
            tx('home.gov'),
          ),
          h('p', { class: 'muted' }, tx('home.govSub')),
        ]
      : [
          h('h1', {}, tx('home.title')),
          state.timedOut ? h('p', { class: 'notice', 'data-testid': 'timed-out' }, tx('home.timedOut')) : null,
          h('button', { class: 'big', 'data-testid': 'start', onclick: () => post('start') }, tx('home.button')),
          h('p', {}, tx('home.sub')),
          state.service ? h('p', { class: 'muted' }, tx('home.hours', { hours: state.service.hours })) : null,
          h(
            'div',
            { class: 'actions' },
            h(
              'button',
              {
                class: 'btn secondary',
                'data-testid': 'home-back',
                onclick: () => {
                  ui.homeMenu = 'top';
                  render();
                },
              },
              tx('back'),
            ),
          ),
        ],
  terms: () => [
    h('h1', {}, tx('terms.title')),
    h('p', {}, tx('terms.lead')),
    h(
      'ol',
      { class: 'terms', 'data-testid': 'terms' },
      ['terms.1', 'terms.2', 'terms.3', 'terms.4', 'terms.5'].map((k) => h('li', {}, tx(k))),
    ),
    h(
      'div',
      { class: 'actions' },
      h('button', { class: 'btn secondary', 'data-testid': 'disagree', onclick: () => post('terms/disagree') }, tx('terms.disagree')),
      h('button', { class: 'btn primary', 'data-testid': 'agree', onclick: () => post('terms/agree') }, tx('terms.agree')),
    ),
  ],
  closed: () => [h('h1', { 'data-testid': 'closed' }, tx('closed.title')), h('p', {}, tx('closed.body', { hours: state.service?.hours ?? '06:30-23:00' }))],
  'out-of-service': () => [h('h1', { 'data-testid': 'out-of-service' }, tx('oos.title')), h('p', {}, tx('oos.body'))],
  card: () => [h('h1', {}, tx('card.title')), h('p', {}, tx('card.body')), h('div', { class: 'actions' }, cancelBtn())],
  type: () => [
    h('h1', {}, tx('type.title')),
    h('p', {}, tx('type.body')),
    h('button', { class: 'big', 'data-testid': 'type-covid', onclick: () => post('type', { type: 'covid19-vaccination' }) }, tx('type.covid')),
    h('div', { class: 'actions' }, cancelBtn()),
  ],
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
      contactLines(state.unavailable?.flatMap((u) => (u.contact ? [{ ...u.contact, name: u.name }] : []))),
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
      m && !m.overseas
        ? h(
            'div',
            { class: 'notice', 'data-testid': 'overseas-reason', 'data-detail': m.overseasDetail ?? 'no_passport_on_file' },
            h('p', {}, overseasText(m.overseasDetail)),
            m.contact ? h('p', { class: 'muted', 'data-testid': 'contact' }, tx('contact', m.contact)) : null,
          )
        : null,
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
      h('p', { class: 'notice', 'data-testid': 'no-refund' }, tx('confirm.noRefund')),
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
    state.continueTo?.length
      ? h(
          'div',
          { class: 'more', 'data-testid': 'continue-offer' },
          h('p', {}, tx('done.more', { names: state.continueTo.map((m) => m.name).join('、') })),
          h('p', { class: 'muted' }, tx('done.moreNote')),
        )
      : null,
    h(
      'div',
      { class: 'actions' },
      state.continueTo?.length ? h('button', { class: 'btn', 'data-testid': 'continue', onclick: () => post('continue') }, tx('done.continue')) : h('span'),
      h('button', { class: 'btn primary', 'data-testid': 'finish', onclick: () => post('finish') }, tx('done.finish')),
    ),
  ],
  error: () => {
    const [title, body] = errorText(lang, state.error?.code);
    return [
      h('h1', { 'data-testid': 'error', 'data-code': state.error?.code ?? '' }, title),
      h('p', {}, body),
      state.error?.reason && state.error.code === 'ERR_MUNICIPALITY_UNAVAILABLE' ? h('p', { class: 'muted' }, reasonText(state.error.reason)) : null,
      state.error?.code === 'ERR_NO_PASSPORT_ON_FILE' && state.error.overseasDetail && state.error.overseasDetail !== 'no_passport_on_file'
        ? h('p', { class: 'notice', 'data-testid': 'overseas-reason' }, overseasText(state.error.overseasDetail))
        : null,
      contactLines(state.error?.contacts),
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
            h(
              'div',
              { class: 'card', 'data-testid': 'card-on-reader' },
              tx('reader.card'),
              h('div', { class: 'id' }, card?.face?.name ?? tx('tray.cardDamaged')),
            ),
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
            // The demo's note on what the card shows; its face is what the resident sees.
            title: c.label,
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
          cardFace(c),
          on ? h('div', { class: 'on-reader-note' }, tx('tray.onReader')) : null,
        );
      }),
      state.card.present ? h('button', { class: 'btn', 'data-testid': 'take-card', onclick: () => post('card/remove') }, tx('tray.takeCard')) : null,
    ),
  );
}

/** A card's face as printed: the name, a photo (a drawn placeholder) and the serial's last characters. */
function cardFace(c) {
  return h(
    'div',
    { class: 'face' },
    h('div', { class: 'face-head' }, tx('tray.cardFace')),
    h(
      'div',
      { class: 'face-body' },
      h(
        'div',
        { class: 'face-text' },
        h('span', { class: 'face-label' }, tx('tray.cardName')),
        h('strong', { class: 'face-name' }, c.face?.name ?? tx('tray.cardDamaged')),
      ),
      h('div', { class: 'photo', 'aria-hidden': 'true' }),
    ),
    h('div', { class: 'face-no' }, tx('tray.cardNo', { tail: c.face?.serialTail ?? c.cardId.slice(-4).toUpperCase() })),
  );
}

function renderOutputTray() {
  const tray = byId('output-tray');
  tray.replaceChildren(
    ...kids(
      h('h2', {}, tx('tray.output')),
      state.tray.length === 0 ? h('p', { class: 'hint' }, tx('tray.empty')) : null,
      state.tray.map((i, n) =>
        h(
          'div',
          // Each purchase prints its certificate, then its receipt (続けて発行 adds another pair).
          { class: 'tray-item', 'data-tray': i.kind, 'data-purchase': String(purchaseOf(n)) },
          h('strong', {}, tx(`tray.${i.kind}`)),
          purchaseOf(state.tray.length - 1) > 1 ? h('span', { class: 'muted' }, ` ${tx('tray.purchase', { n: purchaseOf(n) })}`) : null,
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

/** The purchase (1, 2, …) of the n-th item of the output tray: a certificate starts one. */
function purchaseOf(n) {
  return state.tray.slice(0, n + 1).filter((i) => i.kind === 'certificate').length;
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
