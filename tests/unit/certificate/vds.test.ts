import canonicalize from 'canonicalize';
import { beforeAll, describe, expect, it } from 'vitest';
import { CertificateDataError, createCertificateBuilder, type CertificateBuilder } from '../../../services/certificate/index.js';
import { buildVdsData } from '../../../services/certificate/vds/vds-nc.js';
import { crossCheck } from '../../../services/certificate/verify/cross-check.js';
import { verifyShc } from '../../../services/certificate/verify/verify-shc.js';
import { verifyVdsNc } from '../../../services/certificate/verify/verify-vds.js';
import { domesticRecord, makeShcIssuer, makeVdsPki, overseasRecord, type ShcIssuerFixture, type VdsPkiFixture } from './fixtures.js';

let pki: VdsPkiFixture;
let issuer: ShcIssuerFixture;
let builder: CertificateBuilder;

beforeAll(async () => {
  pki = await makeVdsPki();
  issuer = await makeShcIssuer();
  builder = createCertificateBuilder({ shcIssuerUrl: issuer.issuerUrl, shcKey: issuer, vdsSigner: pki.signer });
});

function caught(fn: () => unknown): CertificateDataError {
  try {
    fn();
  } catch (e) {
    if (e instanceof CertificateDataError) return e;
    throw e;
  }
  throw new Error('did not throw');
}

describe('ICAO VDS-NC', () => {
  it('signs an icao.vacc v1 message that verifies against the CSCA', () => {
    const { vds } = builder.codes(overseasRecord());
    expect(vds!.data.hdr).toEqual({ t: 'icao.vacc', v: 1, is: 'JPN' });
    expect(vds!.data.msg.uvci).toBe('K1222460201');
    // pid as Japan's sample has it: ai = nationality, issuing municipality, issue date
    expect(vds!.data.msg.pid).toEqual({ n: 'SATO HANAKO', dob: '1975-11-23', i: 'TK1234567', ai: 'JPN12224620261123' });
    const ve = vds!.data.msg.ve;
    // one ve entry per dose, in order, nam in capitals as Japan wrote it
    expect(ve.map((v) => [v.nam, v.des, v.dis, v.vd.length])).toEqual([
      ['COMIRNATY', 'XM0GQ8', 'RA01.0', 1],
      ['COMIRNATY', 'XM0GQ8', 'RA01.0', 1],
      ['SPIKEVAX', 'XM0GQ8', 'RA01.0', 1],
      ['COMIRNATY', 'XM0GQ8', 'RA01.0', 1],
    ]);
    expect(ve.map((v) => v.vd[0]!.seq)).toEqual([1, 2, 3, 4]);
    expect(ve[0]!.vd[0]).toEqual({ dvc: '2021-07-05', seq: 1, ctr: 'JPN', adm: 'MHLW_Gov_of_JAPAN', lot: 'FF2782' });
    expect(Buffer.from(vds!.sig.sigvl, 'base64url')).toHaveLength(64);
    expect(Buffer.from(vds!.sig.cer, 'base64url')).toEqual(Buffer.from(pki.signer.certDer));
    const out = verifyVdsNc(canonicalize(vds)!, { cscas: [pki.csca] });
    expect(out.warnings).toEqual([]);
    expect(out.data).toEqual(vds!.data);
  });

  it('fails when a bit of the signature flips or the data changes', () => {
    const { vds } = builder.codes(overseasRecord());
    const sig = Buffer.from(vds!.sig.sigvl, 'base64url');
    sig[5]! ^= 0x80;
    expect(() => verifyVdsNc({ ...vds!, sig: { ...vds!.sig, sigvl: sig.toString('base64url') } }, { cscas: [pki.csca] })).toThrow(
      expect.objectContaining({ check: 'vds-signature' }),
    );
    const data = structuredClone(vds!.data);
    data.msg.ve[0]!.vd[0]!.lot = 'FF2783';
    expect(() => verifyVdsNc({ ...vds!, data }, { cscas: [pki.csca] })).toThrow(expect.objectContaining({ check: 'vds-signature' }));
  });

  it('refuses a signer that does not chain to the CSCA or lacks the barcode signer EKU', async () => {
    const { vds } = builder.codes(overseasRecord());
    const otherPki = await makeVdsPki();
    expect(() => verifyVdsNc(vds!, { cscas: [otherPki.csca] })).toThrow(expect.objectContaining({ check: 'vds-chain' }));
    const noEku = await makeVdsPki({ withEku: false });
    const b = createCertificateBuilder({ shcIssuerUrl: issuer.issuerUrl, shcKey: issuer, vdsSigner: noEku.signer });
    expect(() => verifyVdsNc(b.codes(overseasRecord()).vds!, { cscas: [noEku.csca] })).toThrow(expect.objectContaining({ check: 'vds-eku' }));
  });

  it('refuses fields over the ICAO limits, naming the field and never the value', () => {
    const base = overseasRecord();
    const longName = 'WOLFESCHLEGELSTEINHAUSENBERGERDORFF HUBERT';
    const e1 = caught(() => builder.codes(overseasRecord({ person: { ...base.person, passport: { ...base.person.passport!, nameRoman: longName } } })));
    expect(e1).toMatchObject({ code: 'ERR_CERTIFICATE_DATA', status: 422, field: 'passport.nameRoman' });
    expect(e1.message).toContain('39');
    expect(e1.message).not.toContain('WOLFE');
    const e2 = caught(() => buildVdsData({ ...base, certificateId: 'ABCDEFGHIJKLM' }));
    expect(e2).toMatchObject({ field: 'certificateId' });
    expect(e2.message).not.toContain('ABCDEFGHIJKLM');
    const e3 = caught(() =>
      builder.codes(overseasRecord({ person: { ...base.person, passport: { ...base.person.passport!, passportNumber: 'TK12345678901' } } })),
    );
    expect(e3).toMatchObject({ field: 'passport.passportNumber' });
    const e4 = caught(() => builder.codes(overseasRecord({ doses: [{ ...base.doses[0]!, lot: 'L'.repeat(21) }] })));
    expect(e4).toMatchObject({ field: 'doses[0].lot' });
    const e5 = caught(() => builder.codes(overseasRecord({ person: { ...base.person, passport: { ...base.person.passport!, nameRoman: '佐藤 花子' } } })));
    expect(e5).toMatchObject({ field: 'passport.nameRoman' });
    // exactly at the limits is accepted
    const atLimit = overseasRecord({
      certificateId: 'ABCDEFGHIJ12',
      person: { ...base.person, passport: { ...base.person.passport!, nameRoman: 'A'.repeat(19) + ' ' + 'B'.repeat(19), passportNumber: 'X'.repeat(11) } },
      doses: [{ ...base.doses[0]!, lot: 'L'.repeat(20) }],
    });
    expect(builder.codes(atLimit).vds!.data.msg.pid.n).toHaveLength(39);
  });

  it('refuses an overseas certificate without passport data', async () => {
    const base = overseasRecord();
    const { passport: _p, ...person } = base.person;
    await expect(builder.build(overseasRecord({ person }))).rejects.toMatchObject({ code: 'ERR_CERTIFICATE_DATA', status: 422, field: 'person.passport' });
    // a domestic certificate needs none
    expect(builder.codes(domesticRecord()).vds).toBeUndefined();
  });

  it('cross-checks the SHC against the VDS-NC and reports a disagreement', async () => {
    const codes = builder.codes(overseasRecord());
    const shc = await verifyShc(codes.shc, { jwks: issuer.jwks });
    const vds = verifyVdsNc(codes.vds!, { cscas: [pki.csca] });
    expect(crossCheck(shc, vds)).toEqual([]);
    const other = verifyVdsNc(builder.codes(overseasRecord({ doses: overseasRecord().doses.map((d, i) => (i === 1 ? { ...d, lot: 'XX0000' } : d)) })).vds!, {
      cscas: [pki.csca],
    });
    expect(crossCheck(shc, other)).toEqual(['dose 2: lot differs']);
  });
});
