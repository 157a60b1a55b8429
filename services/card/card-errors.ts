import { AppError } from '../common/errors.js';

/**
 * Coded errors of the virtual card. Messages name the failed check only: card bytes carry
 * personal data, so nothing read from the card is ever echoed into a message.
 */

/** Card bytes (or a card file) that do not follow the layout of CARD.md. */
export class CardFormatError extends AppError {
  constructor(message: string, options: { cause?: unknown; extras?: Record<string, unknown> } = {}) {
    super('ERR_CARD_FORMAT', 422, message, options);
  }
}

/** The CV certificate (EF0004) does not chain to a trusted card issuer CA. */
export class CardChainError extends AppError {
  constructor(message: string) {
    super('ERR_CARD_CHAIN', 422, message);
  }
}

/** The integrity record (EF0003) or the challenge-key signature (DF52) does not verify. */
export class CardSignatureError extends AppError {
  constructor(message: string) {
    super('ERR_CARD_SIGNATURE', 422, message);
  }
}

/** The card-presence challenge was not signed by this card's EF0007 key. */
export class CardChallengeError extends AppError {
  constructor(message: string) {
    super('ERR_CARD_CHALLENGE', 422, message);
  }
}

/** The card is on the relay's suspension list (lost, stolen, cancelled): 422. */
export class CardSuspendedError extends AppError {
  constructor() {
    super('ERR_CARD_SUSPENDED', 422, 'This card is on the suspension list');
  }
}

/**
 * The card answered a status word the reader helper cannot continue from (for example 6982 to a
 * READ BINARY before VERIFY). The status word is in `extras.sw` as four hex digits. A kind of
 * CardFormatError (same code and status), so ERR_CARD_FORMAT keeps one class.
 */
export class CardStatusError extends CardFormatError {
  readonly sw: number;
  constructor(command: string, sw: number) {
    const hex = sw.toString(16).toUpperCase().padStart(4, '0');
    super(`card answered ${hex} to ${command}`, { extras: { sw: hex } });
    this.sw = sw;
  }
}
