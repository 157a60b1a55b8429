import type { CertificateKind, MenuMunicipality, RequestCreated } from '../../services/common/kiosk-protocol.js';

/**
 * The screens of the kiosk, in the order residents met them on the マルチコピー機 (DOMAIN.md, "Rules
 * of the service as it ran"): home → terms → card → type → pin → reading → remove-card → select →
 * confirm → pay → printing → done. Refusals and errors have their own screens.
 */
export type Step =
  | 'home' // 行政サービス, then 証明書交付サービス
  | 'closed' // outside service hours
  | 'out-of-service' // taken out of service at the maintenance screen
  | 'terms' // terms of use and 本人同意事項: 同意する / 同意しない
  | 'card' // place the card
  | 'type' // 交付対象選択: 新型コロナワクチン接種証明書
  | 'pin' // PIN pad
  | 'reading' // reading the card and asking the certificate center
  | 'blocked' // the card's PIN is locked
  | 'remove-card' // take the card back before going on
  | 'select' // municipality, kind, copies
  | 'confirm' // preview and fee
  | 'pay' // coins and notes
  | 'printing'
  | 'done' // take the certificate and the receipt
  | 'error';

/** The certificates the kiosk issues (交付対象選択); the only one is the vaccination certificate. */
export type CertificateType = 'covid19-vaccination';
export const CERTIFICATE_TYPES: readonly CertificateType[] = ['covid19-vaccination'];

/** A municipality's 問合せ先 (office and telephone), from the relay's step-3 menu (added in issue 18). */
export interface Contact {
  office: string;
  phone: string;
}

/** Why overseas is not offered, beyond `unavailableReason` (added to the menu in issue 18). */
export type OverseasDetail = 'no_passport_on_file' | 'no_counter_issuance' | 'passport_changed';

/**
 * A menu entry as the kiosk reads it: the protocol's, with the fields of issue 18 optional, so the
 * kiosk works with a relay that sends them and with one that does not.
 */
export type MenuEntry = MenuMunicipality & { contact?: Contact; overseasDetail?: OverseasDetail };

/** A 問合せ先 shown on a refusal screen, with the municipality it belongs to. */
export interface ContactLine extends Contact {
  name: string;
}

/** Kiosk-side error codes, next to the relay's `ERR_…` codes. */
export type KioskErrorCode = 'ERR_CARD_UNREADABLE' | 'ERR_RELAY_UNREACHABLE' | 'ERR_RELAY_PROTOCOL' | 'ERR_PRINT_FAILED' | 'ERR_DIGEST_MISMATCH';

/** What the kiosk's own page sees. No card bytes, no PIN, no relay identifiers. */
export interface ScreenState {
  /** Grows with every change of the kiosk's state. */
  version: number;
  /** Changes when the agent restarts. */
  bootId: string;
  kioskId: string;
  storeId: string;
  storeName: string;
  step: Step;
  busy: boolean;
  inService: boolean;
  service?: { open: boolean; hours: string };
  /** Set on the home screen after the session was cancelled for inactivity. */
  timedOut: boolean;
  idleTimeoutMs: number;
  /** Epoch ms at which the current screen times out, when it does. */
  idleDeadline?: number;
  card: { present: boolean; cardId?: string };
  pin?: { triesLeft?: number; wrong: boolean };
  holder?: { name: string; birthDate: string };
  municipalities?: MenuEntry[];
  /** Municipalities holding records that cannot issue here (shown, never offered). */
  unavailable?: { name: string; reason: string; contact?: Contact }[];
  /** Codes of the municipalities already issued in this visit (続けて発行), oldest first. */
  issuedThisVisit?: string[];
  /** On the done screen: the other municipalities this resident can go on to (続けて発行). */
  continueTo?: { code: string; name: string }[];
  feePerCopy?: number;
  selection?: { municipality: string; kind: CertificateKind; copies: number };
  request?: Pick<RequestCreated, 'fee' | 'copies' | 'pages' | 'preview'>;
  payment: { inserted: number; fee?: number; returned: number };
  receipt?: { copies: number; fee: number; paid: number; change: number; issuedAt: string };
  tray: { id: string; kind: 'certificate' | 'receipt'; fileName: string }[];
  error?: {
    code: string;
    reason?: string;
    refunded?: number;
    /** ERR_NO_PASSPORT_ON_FILE: which overseas rule refused (from the menu entry). */
    overseasDetail?: OverseasDetail;
    /** Refusals about records: whom to ask (the municipalities' 問合せ先, when the relay sends them). */
    contacts?: ContactLine[];
  };
}
