import type { CertificateKind, MenuMunicipality, RequestCreated } from '../../services/common/kiosk-protocol.js';

/** The screens of the kiosk, in the order residents met them (DOMAIN.md, "The resident's path"). */
export type Step =
  | 'home' // 接種証明書 button
  | 'closed' // outside service hours
  | 'out-of-service' // taken out of service at the maintenance screen
  | 'card' // place the card
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
  municipalities?: MenuMunicipality[];
  /** Municipalities holding records that cannot issue here (shown, never offered). */
  unavailable?: { name: string; reason: string }[];
  feePerCopy?: number;
  selection?: { municipality: string; kind: CertificateKind; copies: number };
  request?: Pick<RequestCreated, 'fee' | 'copies' | 'pages' | 'preview'>;
  payment: { inserted: number; fee?: number; returned: number };
  receipt?: { copies: number; fee: number; paid: number; change: number; issuedAt: string };
  tray: { id: string; kind: 'certificate' | 'receipt'; fileName: string }[];
  error?: { code: string; reason?: string; refunded?: number };
}
