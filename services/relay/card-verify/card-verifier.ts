import { createPublicKey } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { AppError } from '../../common/errors.js';
import { CardChallengeError, CardFormatError, CardSuspendedError } from '../../card/card-errors.js';
import { verifyCardData, type CardTrustAnchor, type VerifiedCardData } from '../../card/verify-card-data.js';
import type { CardDataBody } from '../../common/kiosk-protocol.js';
import type { SuspensionList } from '../suspension/suspension-list.js';

const trustFileSchema = z.array(z.object({ keyId: z.string().regex(/^[0-9a-fA-F]{32}$/), publicKeyPem: z.string() }));

/** Reads `certs/out/trust/card-issuer.json`: the trusted card issuer CAs. */
export function readCardTrustAnchors(path: string): CardTrustAnchor[] {
  const parsed = trustFileSchema.parse(JSON.parse(readFileSync(path, 'utf8')));
  // Parsed once here: a PEM string would be parsed again for every card verified (load profile, issue 8).
  return parsed.map((a) => ({ keyId: a.keyId.toLowerCase(), publicKey: createPublicKey(a.publicKeyPem) }));
}

/** Verifies one card data set against a session's challenge. */
export interface CardVerifier {
  verify(body: CardDataBody, challenge: Uint8Array): VerifiedCardData;
}

/**
 * Card verification per CARD.md: strict parsing of EF0001–EF0004 and EF0007, the CV certificate
 * under a trusted card issuer CA, H1/H2 and DF33, DF52 over DF51, the challenge under DF51
 * (all in `verifyCardData`), then the lost/stolen card suspension list by card key-ID. Each
 * failure is one coded error: ERR_CARD_FORMAT, ERR_CARD_CHAIN, ERR_CARD_SIGNATURE,
 * ERR_CARD_CHALLENGE, ERR_CARD_SUSPENDED (all 422).
 */
export function createCardVerifier(options: { trustAnchors: readonly CardTrustAnchor[]; suspensions: Pick<SuspensionList, 'has'> }): CardVerifier {
  return {
    verify(body, challenge) {
      const bytes = (b64: string) => new Uint8Array(Buffer.from(b64, 'base64'));
      let data: VerifiedCardData;
      try {
        data = verifyCardData(
          { ef0001: bytes(body.ef0001), ef0002: bytes(body.ef0002), ef0003: bytes(body.ef0003), ef0004: bytes(body.ef0004), ef0007: bytes(body.ef0007) },
          { trustAnchors: options.trustAnchors, challenge, challengeSignature: bytes(body.challengeSignature) },
        );
      } catch (e) {
        if (e instanceof AppError) throw e;
        // Anything the parser did not foresee is still malformed card data, never a 500.
        throw new CardFormatError('card data is malformed');
      }
      if (!data.challengeVerified) throw new CardChallengeError('challenge signature is not valid under the card challenge key');
      if (options.suspensions.has(data.cardId)) throw new CardSuspendedError();
      return data;
    },
  };
}
