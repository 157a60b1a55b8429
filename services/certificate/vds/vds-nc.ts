import { sign as cryptoSign, type KeyObject } from 'node:crypto';
import canonicalize from 'canonicalize';
import type { CertificateRecord } from '../../common/lgwan-contract.js';
import { CertificateDataError } from '../errors.js';
import { COVID19_ICD11, vaccineOf } from '../vaccines.js';
import { checkLatin, checkVdsField } from './limits.js';

/** One dose in a VDS-NC vaccination event. */
export interface VdsDose {
  dvc: string;
  seq: number;
  ctr: string;
  adm: string;
  lot: string;
  dvn?: string;
}
/** One vaccination event (`ve`): a vaccine product and its doses (one dose each, as Japan issues). */
export interface VdsEvent {
  des: string;
  nam: string;
  dis: string;
  vd: VdsDose[];
}

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
 * `pid.ai` as in Japan's public sample (`JPN90000120211209200002`): the holder's nationality, then
 * the issuing municipality's code and the issue date (YYYYMMDD). The sample's last six digits have
 * no public definition and are left out.
 */
export function additionalIdentifier(record: CertificateRecord): string | undefined {
  const nationality = record.person.passport?.nationality;
  if (!nationality) return undefined;
  return `${nationality}${record.issuer.code}${record.issuedOn.replace(/-/g, '')}`;
}

/**
 * Builds the `data` of an overseas certificate's VDS-NC, refusing values over the ICAO limits.
 * One `ve` entry per dose, in the record's (vaccination) order, as Japan's VDS-NC has it.
 */
export function buildVdsData(record: CertificateRecord): VdsData {
  const passport = record.person.passport;
  if (!passport) throw new CertificateDataError('person.passport', 'Overseas certificate needs passport data');
  const ve: VdsEvent[] = record.doses.map((dose, i) => {
    const v = vaccineOf(dose);
    checkVdsField('ve.vd.seq', String(dose.dose), `doses[${i}].dose`);
    return {
      des: checkVdsField('ve.des', v.icd11),
      nam: checkVdsField('ve.nam', v.nam),
      dis: COVID19_ICD11,
      vd: [
        {
          dvc: dose.date,
          seq: dose.dose,
          ctr: 'JPN',
          adm: checkVdsField('ve.vd.adm', VDS_ADMINISTERING_BODY),
          lot: checkLatin(checkVdsField('ve.vd.lot', dose.lot, `doses[${i}].lot`), `doses[${i}].lot`),
        },
      ],
    };
  });
  const ai = additionalIdentifier(record);
  return {
    hdr: { t: 'icao.vacc', v: 1, is: 'JPN' },
    msg: {
      uvci: checkVdsField('uvci', record.certificateId, 'certificateId'),
      pid: {
        n: checkLatin(checkVdsField('pid.n', passport.nameRoman.trim(), 'passport.nameRoman'), 'passport.nameRoman'),
        dob: record.person.birthDate,
        i: checkLatin(checkVdsField('pid.i', passport.passportNumber, 'passport.passportNumber'), 'passport.passportNumber'),
        ...(ai ? { ai: checkVdsField('pid.ai', ai, 'passport.nationality') } : {}),
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
