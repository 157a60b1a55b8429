import { sign as cryptoSign, type KeyObject } from 'node:crypto';
import canonicalize from 'canonicalize';
import type { CertificateRecord } from '../../common/lgwan-contract.js';
import { CertificateDataError } from '../errors.js';
import { COVID19_ICD11, vaccineOf } from '../vaccines.js';
import { checkLatin, checkVdsField } from './limits.js';

/** One dose in a VDS-NC vaccination event. */
export interface VdsDose { dvc: string; seq: number; ctr: string; adm: string; lot: string; dvn?: string }
/** One vaccination event (`ve`): a vaccine product and its doses. */
export interface VdsEvent { des: string; nam: string; dis: string; vd: VdsDose[] }

/** The signed part of an `icao.vacc` VDS-NC. */
export interface VdsData {
  hdr: { t: 'icao.vacc'; v: 1; is: string };
  msg: { uvci: string; pid: { n: string; dob: string; i: string; ai?: string }; ve: VdsEvent[] };
}

/** A complete VDS-NC as printed in the QR code. */
export interface VdsNc {
  data: VdsData;
  sig: { alg: 'ES256'; cer: string; sigvl: string };
}

/** The Barcode Signer: P-256 private key and its certificate (DER). */
export interface VdsSigner {
  privateKey: KeyObject;
  certDer: Uint8Array;
}

/** Health authority named as administering body, as on the SHC performer. */
export const VDS_ADMINISTERING_BODY = 'MHLW_Gov_of_JAPAN';

/**
 * Builds the `data` of an overseas certificate's VDS-NC, refusing values over the ICAO limits.
 * Doses are grouped into one `ve` entry per vaccine product (one entry when all doses share it).
 */
export function buildVdsData(record: CertificateRecord): VdsData {
  const passport = record.person.passport;
  if (!passport) throw new CertificateDataError('person.passport', 'Overseas certificate needs passport data');
  const ve: VdsEvent[] = [];
  record.doses.forEach((dose, i) => {
    const v = vaccineOf(dose, i);
    let event = ve.find((e) => e.nam === v.brand);
    if (!event) {
      event = { des: checkVdsField('ve.des', v.icd11), nam: checkVdsField('ve.nam', v.brand), dis: COVID19_ICD11, vd: [] };
      ve.push(event);
    }
    checkVdsField('ve.vd.seq', String(dose.dose), `doses[${i}].dose`);
    event.vd.push({
      dvc: dose.date,
      seq: dose.dose,
      ctr: 'JPN',
      adm: checkVdsField('ve.vd.adm', VDS_ADMINISTERING_BODY),
      lot: checkLatin(checkVdsField('ve.vd.lot', dose.lot, `doses[${i}].lot`), `doses[${i}].lot`),
    });
  });
  return {
    hdr: { t: 'icao.vacc', v: 1, is: 'JPN' },
    msg: {
      uvci: checkVdsField('uvci', record.certificateId, 'certificateId'),
      pid: {
        n: checkLatin(checkVdsField('pid.n', passport.nameRoman.trim(), 'passport.nameRoman'), 'passport.nameRoman'),
        dob: record.person.birthDate,
        i: checkLatin(checkVdsField('pid.i', passport.passportNumber, 'passport.passportNumber'), 'passport.passportNumber'),
      },
      ve,
    },
  };
}

/** Signs VDS-NC data: ES256 over the RFC 8785 canonical JSON of `data`, signature as raw r‖s. */
export function signVdsNc(data: VdsData, signer: VdsSigner): VdsNc {
  const canonical = canonicalize(data);
  if (canonical === undefined) throw new TypeError('VDS data is not serializable');
  const sig = cryptoSign('sha256', Buffer.from(canonical), { key: signer.privateKey, dsaEncoding: 'ieee-p1363' });
  return { data, sig: { alg: 'ES256', cer: Buffer.from(signer.certDer).toString('base64url'), sigvl: sig.toString('base64url') } };
}

/** The QR content of a VDS-NC: its canonical (minified) JSON. */
export function vdsQrContent(vds: VdsNc): string {
  return canonicalize(vds)!;
}
