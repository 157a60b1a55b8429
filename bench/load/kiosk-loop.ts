import { cardDataBody, readAll, selectKenhojo, signChallenge, verifyPin } from '../../services/card/reader.js';
import type { LoadCard } from './card-pool.js';
import { checkDocument, type ReceivedDocument } from './checks.js';
import type { KioskIdentity, RelayAnswer } from './kiosk-client.js';
import type { RunState, StepName } from './run-state.js';

/** One simulated kiosk terminal. */
export interface SimKiosk {
  /** Number of the simulated kiosk (0…N-1). */
  n: number;
  identity: KioskIdentity;
  relayUrls: string[];
  /** The relay this kiosk talks to now; moves on when its line fails (a load balancer's job). */
  relay: number;
  /** The holders who come to this kiosk, in turn. */
  cards: LoadCard[];
  next: number;
}

export interface LoopOptions {
  state: RunState;
  /** performance.now() after which no new session starts. */
  until: number;
  /** Seconds between session starts of one kiosk (paced load); 0 = back to back. */
  periodS: number;
  /** Which documents to keep for the deep (QR decode) check. */
  keepForDecode: () => boolean;
  /** Share of sessions asking for an overseas certificate when the holder can have one. */
  overseasShare?: number;
  /** Pause after a failed session (a kiosk shows an error screen). */
  errorPauseMs?: number;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

class SessionFailed extends Error {}

/**
 * What a kiosk does with the card on its reader: SELECT the kenhojo AP, VERIFY the PIN, READ
 * BINARY the five EFs and have the card SIGN the session's challenge (real APDUs to the virtual
 * card); returns the step-3 body.
 */
export async function readCard(holder: LoadCard, challengeB64: string): Promise<Record<string, string>> {
  const card = holder.powerOn();
  const conn = { transmit: async (apdu: Uint8Array) => card.transmit(apdu) };
  try {
    await selectKenhojo(conn);
    const pin = await verifyPin(conn, '1234');
    if (!('ok' in pin)) throw new Error('synthetic card refused its PIN');
    const files = await readAll(conn);
    const sig = await signChallenge(conn, Buffer.from(challengeB64, 'base64'));
    return cardDataBody(files, sig);
  } finally {
    card.reset();
  }
}

/** Whether the relay refused the step with 503 ERR_BUSY (admission control: nothing of the session was consumed). */
function isBusy(a: RelayAnswer): boolean {
  return a.status === 503 && a.json?.code === 'ERR_BUSY';
}

/** Retry-After of a refusal with jitter (× 1–1.5, so refused kiosks do not come back in step), in ms. */
function retryDelayMs(a: RelayAnswer): number {
  const s = Number(a.headers['retry-after']);
  return (Number.isFinite(s) && s > 0 ? s : 1) * 1000 * (1 + Math.random() / 2);
}

/** Sends one request of `step` and records its time; a network failure moves the kiosk to the next relay. */
async function send(k: SimKiosk, o: LoopOptions, step: StepName, method: string, path: string, body?: unknown): Promise<RelayAnswer> {
  const a = await k.identity.call(k.relayUrls[k.relay]!, method, path, body);
  if (a.netError) {
    k.relay = (k.relay + 1) % k.relayUrls.length;
    o.state.error(`NET_${a.netError}`);
  } else o.state.time(step, a.ms, true, isBusy(a));
  return a;
}

/** A kiosk gives up repeating a refused step of an admitted session this long after the run's end (the session would expire). */
const BUSY_GIVE_UP_AFTER_END_MS = 60_000;

/**
 * Sends a step, and while the relay answers 503 ERR_BUSY waits Retry-After (with jitter) and
 * sends the same step again, as a kiosk does that shows "ただいま混み合っています" and retries.
 * Each refusal is counted as shed, not as an error. Undefined when the next try would start after
 * `giveUpAt`.
 */
async function sendAdmitted(
  k: SimKiosk,
  o: LoopOptions,
  step: StepName,
  giveUpAt: number,
  method: string,
  path: string,
  body?: unknown,
): Promise<RelayAnswer | undefined> {
  for (;;) {
    const a = await send(k, o, step, method, path, body);
    if (!isBusy(a)) return a;
    o.state.shedAt(step);
    const wait = retryDelayMs(a);
    if (performance.now() + wait > giveUpAt) return undefined;
    await sleep(wait);
  }
}

/** Records a refusal: its problem+json code, or UNCODED_<status> when the answer carries none. */
function refuse(o: LoopOptions, a: RelayAnswer, expected: number): never {
  if (!a.netError) {
    const code = typeof a.json?.code === 'string' && String(a.headers['content-type']).includes('problem+json') ? (a.json.code as string) : undefined;
    if (code) o.state.error(code);
    else {
      o.state.uncoded++;
      o.state.error(`UNCODED_${a.status}`);
    }
  }
  throw new SessionFailed(`expected ${expected}, got ${a.status}`);
}

/**
 * Steps 2–7 for the kiosk's next holder. Returns whether a certificate was printed, or 'shed'
 * when the relays refused the new session with a Retry-After reaching past the run's end.
 */
export async function runSession(k: SimKiosk, o: LoopOptions): Promise<boolean | 'shed'> {
  const st = o.state;
  // Step 2, repeated after Retry-After while the relays shed new sessions; no new session after the run's end.
  const firstTry = performance.now();
  const open = await sendAdmitted(k, o, 'session', o.until, 'POST', '/v1/sessions');
  if (!open) return 'shed';
  // The session's time starts with the step-2 request that was let in.
  const t0 = performance.now() - open.ms;
  const holder = k.cards[k.next++ % k.cards.length]!;
  let sid: string | undefined;
  try {
    if (open.status !== 201) refuse(o, open, 201);
    sid = open.json.sessionId as string;
    st.sessionsStarted++;
    st.admittedAfter(t0 - firstTry);
    const stepGiveUp = o.until + BUSY_GIVE_UP_AFTER_END_MS;
    const gaveUp = (step: string): never => {
      st.error('BUSY_GAVE_UP');
      throw new SessionFailed(`${step}: still busy at the end`);
    };

    const tc = performance.now();
    const cardBody = await readCard(holder, open.json.challenge as string);
    st.time('card-apdu', performance.now() - tc, false);

    // ERR_BUSY at step 3 consumed nothing (the challenge is still there): the same body again.
    const accepted = (await sendAdmitted(k, o, 'card', stepGiveUp, 'POST', `/v1/sessions/${sid}/card`, cardBody)) ?? gaveUp('card');
    if (accepted.status !== 200) refuse(o, accepted, 200);
    if (accepted.json.holder?.name !== holder.name || accepted.json.holder?.birthDate !== holder.resident.birthDate) {
      st.mismatch(`kiosk ${k.n} session ${sid}: step 3 answered another holder`);
    }
    // The menu: the holder's own municipality; overseas when on offer for a share of sessions.
    const entry = (accepted.json.municipalities as Array<{ code: string; domestic: boolean; overseas: boolean }>).find(
      (m) => m.code === holder.resident.municipality,
    );
    if (!entry?.domestic) {
      st.mismatch(`kiosk ${k.n} session ${sid}: menu lacks the holder's municipality`);
      throw new SessionFailed('menu');
    }
    const kind = entry.overseas && k.next % 10 < (o.overseasShare ?? 0.2) * 10 ? 'overseas' : 'domestic';

    const created =
      (await sendAdmitted(k, o, 'request', stepGiveUp, 'POST', `/v1/sessions/${sid}/requests`, { municipality: entry.code, kind, copies: 1 })) ??
      gaveUp('request');
    if (created.status !== 201) {
      if (created.json?.code === 'ERR_UPSTREAM_TIMEOUT') st.timedOutSessions.push(sid);
      refuse(o, created, 201);
    }
    const rid = created.json.requestId as string;
    const docAnswer = await send(k, o, 'document', 'GET', `/v1/sessions/${sid}/requests/${rid}/document`);
    if (docAnswer.status !== 200) refuse(o, docAnswer, 200);
    const doc: ReceivedDocument = {
      created: created.json,
      pdf: docAnswer.body,
      kind,
      headers: {
        contentDigest: docAnswer.headers['content-digest'] as string | undefined,
        certificateId: docAnswer.headers['certificate-id'] as string | undefined,
      },
    };
    const problems = checkDocument(holder, doc);
    if (problems.length > 0) st.mismatch(`kiosk ${k.n} session ${sid}: ${problems.join('; ')}`);
    const certificateId = doc.headers.certificateId ?? '';
    if (st.certificateIds.has(certificateId)) st.mismatch(`certificate ${certificateId} delivered twice`);
    st.certificateIds.add(certificateId);
    if (o.keepForDecode()) st.decodeQueue.push({ holder, doc });

    // Printed: completion, idempotent, so a kiosk that loses the line repeats it until answered.
    const body = { outcome: 'printed', paid: created.json.fee as number, contentDigest: doc.headers.contentDigest };
    let done: RelayAnswer | undefined;
    for (let attempt = 0; attempt < 40; attempt++) {
      const a = await send(k, o, 'completion', 'POST', `/v1/sessions/${sid}/requests/${rid}/completion`, body);
      if (a.status === 200) {
        done = a;
        break;
      }
      if (!a.netError && a.status < 500) refuse(o, a, 200);
      if (!a.netError) {
        // A part is down (coded 5xx): count it and try again, as the kiosk's printer already ran.
        const code = typeof a.json?.code === 'string' ? (a.json.code as string) : undefined;
        if (!code) o.state.uncoded++;
        o.state.error(code ?? `UNCODED_${a.status}`);
      }
      await sleep(250);
    }
    if (!done) throw new SessionFailed('completion never answered');
    const receipt = done.json.receipt;
    if (receipt?.fee !== created.json.fee || receipt?.kioskId !== k.identity.kioskId) st.mismatch(`kiosk ${k.n} session ${sid}: receipt is not this request's`);
    st.issued({ certificateId, municipality: entry.code, atenaNumber: holder.resident.atenaNumber, kioskId: k.identity.kioskId }, performance.now() - t0);
    return true;
  } catch (e) {
    if (!(e instanceof SessionFailed)) {
      st.error('GENERATOR');
      st.mismatch(`kiosk ${k.n}: generator error ${(e as Error).message}`);
    }
    return false;
  } finally {
    if (sid !== undefined) {
      const end = await send(k, o, 'end', 'DELETE', `/v1/sessions/${sid}`);
      if (end.status === 204) st.endedSessions.push(sid);
    }
  }
}

/** A kiosk's day: sessions until `until`, paced by `periodS`, pausing after a failure. */
export async function runKiosk(k: SimKiosk, o: LoopOptions): Promise<void> {
  const period = o.periodS * 1000;
  let nextStart = performance.now() + Math.random() * period;
  while (performance.now() < o.until) {
    if (period > 0) {
      const wait = nextStart - performance.now();
      if (wait > 0) await sleep(wait);
      if (performance.now() >= o.until) break;
      nextStart = Math.max(nextStart + period, performance.now());
    }
    const ok = await runSession(k, o);
    // Told to come back after the run's end: this kiosk's day is over.
    if (ok === 'shed') break;
    if (ok === false) await sleep(o.errorPauseMs ?? 200);
  }
}
