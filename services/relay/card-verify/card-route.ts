import { Router } from 'express';
import { CardChallengeError } from '../../card/card-errors.js';
import { NoRecordsError } from '../../common/record-errors.js';
import type { Logger } from '../../common/logger.js';
import { menuOf } from '../menu/menu.js';
import { SessionStateError } from '../relay-errors.js';
import { cardDataSchema } from '../../common/kiosk-protocol.js';
import { kioskOf, type SessionRepo } from '../sessions/session-repo.js';
import { parseBody } from '../validate.js';
import type { VrsClient } from '../vrs-client/vrs-client.js';
import type { CardVerifier } from './card-verifier.js';

/**
 * `POST /v1/sessions/{sid}/card` (step 3). The session's challenge is taken atomically first, so
 * a card data set answers one challenge once: a second POST on the same session gets 409
 * ERR_SESSION_STATE when the first succeeded and 422 ERR_CARD_CHALLENGE otherwise (the kiosk
 * opens a new session to retry). Then the card data is verified, VRS is asked which
 * municipalities hold records (404 ERR_NO_RECORDS when none), and the holder data is kept,
 * sealed, in the session.
 */
export function cardRoute(deps: { sessions: SessionRepo; verifier: CardVerifier; vrs: VrsClient; feePerCopy: number; log: Logger }): Router {
  const router = Router();
  router.post('/v1/sessions/:sid/card', async (req, res) => {
    const sid = req.params.sid;
    const session = await deps.sessions.load(sid, kioskOf(res.locals.client));
    if (session.state !== 'open') throw new SessionStateError('The card of this session was already accepted');
    const body = parseBody(cardDataSchema, req.body);
    const challenge = await deps.sessions.takeChallenge(sid);
    if (!challenge) throw new CardChallengeError('The challenge of this session was already used; open a new session');
    const card = deps.verifier.verify(body, challenge);
    const lookup = await deps.vrs.lookup(card.myNumber);
    if (lookup.municipalities.length === 0) throw new NoRecordsError();
    session.state = 'verified';
    session.holder = { myNumber: card.myNumber, name: card.name, birthDate: card.birthDate };
    session.municipalities = lookup.municipalities;
    await deps.sessions.save(sid, session);
    deps.log.info({ reqId: (req as { id?: string }).id, event: 'card_accepted', municipalities: lookup.municipalities.length }, 'card accepted');
    res.json({ holder: { name: card.name, birthDate: card.birthDate }, municipalities: menuOf(lookup.municipalities), feePerCopy: deps.feePerCopy });
  });
  return router;
}
