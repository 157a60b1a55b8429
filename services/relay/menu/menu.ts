import { MunicipalityUnavailableError, NoPassportOnFileError, NotIssuableError } from '../../common/record-errors.js';
import type { CertificateKind, LookupMunicipality } from '../../common/lgwan-contract.js';
import type { MenuMunicipality } from '../../common/kiosk-protocol.js';

/**
 * The kiosk menu from VRS's lookup: every municipality holding the holder's records, with what
 * can be issued there. Only a municipality that takes part and has not suspended the service is
 * offered; overseas only with passport data a kiosk may use (`overseasDetail` says which rule
 * stops it, beside the `unavailableReason` old kiosks know). Each entry carries the municipality's
 * 問合せ先 (`contact`) for the refusal screens.
 */
export function menuOf(municipalities: readonly LookupMunicipality[]): MenuMunicipality[] {
  return municipalities.map((m) => {
    const reason = unavailableReasonOf(m);
    const domestic = reason === undefined && m.domestic;
    const overseas = reason === undefined && m.overseas;
    const item: MenuMunicipality = { code: m.code, name: m.name, domestic, overseas };
    if (reason) item.unavailableReason = reason;
    else if (!domestic) item.unavailableReason = m.unavailableReason ?? 'not_issuable';
    else if (!overseas) {
      item.unavailableReason = 'no_passport_on_file';
      if (m.overseasDetail) item.overseasDetail = m.overseasDetail;
    }
    if (m.contact) item.contact = { office: m.contact.office, phone: m.contact.phone };
    return item;
  });
}

function unavailableReasonOf(m: LookupMunicipality): MenuMunicipality['unavailableReason'] {
  if (!m.participates) return 'not_participating';
  if (m.suspended) return 'suspended';
  return m.unavailableReason;
}

/**
 * Step 4's check against the menu of step 3 (VRS checks again when asked for the record, so a
 * suspension in between is still honoured): throws the coded refusal, or returns.
 */
export function assertOffered(municipalities: readonly LookupMunicipality[] | undefined, code: string, kind: CertificateKind): void {
  const m = municipalities?.find((x) => x.code === code);
  if (!m) throw new MunicipalityUnavailableError('The holder has no records in this municipality');
  const reason = unavailableReasonOf(m);
  if (reason === 'not_participating' || reason === 'suspended') {
    throw new MunicipalityUnavailableError('This municipality does not issue at kiosks now', reason);
  }
  if (reason === 'not_issuable' || !m.domestic) throw new NotIssuableError();
  if (kind === 'overseas' && !m.overseas) throw new NoPassportOnFileError(undefined, m.overseasDetail);
}
