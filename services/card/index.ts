/**
 * The virtual My Number card (個人番号カード), 券面事項入力補助AP (kenhojo) only: file encodings,
 * the APDU engine, card files, the reader the kiosk uses, the card factory and the verifier.
 */
export { KenhojoCard, KENHOJO_AID, SW, type KenhojoCardState, type KenhojoFid } from './apdu-engine.js';
export { CardChainError, CardChallengeError, CardFormatError, CardSignatureError, CardStatusError } from './card-errors.js';
export {
  parseCardFiles, encodeEf0001, encodeEf0002, encodeEf0003, encodeEf0004, encodeEf0007, encodeCvBody, encodeDf51,
  hashEf0001, hashBasicInfo, integrityMessage, toFullWidthDigits, TAG,
  type CardFiles, type ParsedCard, type ParsedCvCertificate, type BasicInfo,
} from './card-data.js';
export { createCard, createIssuerCa, subjectKeyIdOf, type CardResident, type IssuerCa } from './card-factory.js';
export {
  CARD_FILE_FORMAT, KENHOJO_AID_HEX, cardStateFromFile, parseCardFile, readCardFile, writeCardFile, writeTriesLeft,
  type CardFile,
} from './card-file.js';
export {
  connect, readAll, readEf, selectEf, selectKenhojo, signChallenge, splitResponse, triesLeft, verifyPin,
  type CardConnection, type PinResult, type PinStatus,
} from './reader.js';
export { verifyCardData, type CardTrustAnchor, type VerifiedCardData, type VerifyCardOptions } from './verify-card-data.js';
