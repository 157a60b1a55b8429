import { randomBytes } from 'node:crypto';
import { inflateRawSync } from 'node:zlib';
import { calculateJwkThumbprint } from 'jose';
import supertest from 'supertest';
import express from 'express';
import { beforeAll, describe, expect, it } from 'vitest';
import { createCertificateBuilder, jwksRouter, type CertificateBuilder } from '../../../services/certificate/index.js';
import { fromShcNumeric, toShcNumeric } from '../../../services/certificate/shc/numeric.js';
import { verifyShc } from '../../../services/certificate/verify/verify-shc.js';
import { ManualClock } from '../../../services/common/clock.js';
import { domesticRecord, makeShcIssuer, makeVdsPki, overseasRecord, type ShcIssuerFixture } from './fixtures.js';
import { jpIssuerJwks, jpRealShc } from '../../fixtures/conformance.js';

let issuer: ShcIssuerFixture;
let builder: CertificateBuilder;
const clock = new ManualClock(new Date('2026-11-23T01:00:00Z'));

beforeAll(async () => {
  issuer = await makeShcIssuer(undefined, { now: clock.now() });
  const vds = await makeVdsPki({ now: clock.now() });
  builder = createCertificateBuilder({ shcIssuerUrl: issuer.issuerUrl, shcKey: issuer, vdsSigner: vds.signer, clock });
});

function decodeJws(shc: string) {
  const jws = fromShcNumeric(shc);
  const [h, p] = jws.split('.');
  const text = inflateRawSync(Buffer.from(p!, 'base64url')).toString('utf8');
  return { header: JSON.parse(Buffer.from(h!, 'base64url').toString()), text, payload: JSON.parse(text) };
}

function flipBit(shc: string, part: 1 | 2): string {
  const parts = fromShcNumeric(shc).split('.');
  const bytes = Buffer.from(parts[part]!, 'base64url');
  bytes[Math.floor(bytes.length / 2)]! ^= 0x01;
  parts[part] = bytes.toString('base64url');
  return `shc:/${toShcNumeric(parts.join('.'))}`;
}

describe('SMART Health Card', () => {
  it('round-trips the numeric encoding', () => {
    const jws = 'eyJhbGciOiJFUzI1NiJ9.abc-_XYZ.zz';
    expect(fromShcNumeric(`shc:/${toShcNumeric(jws)}`)).toBe(jws);
    expect(toShcNumeric('-')).toBe('00');
    expect(toShcNumeric('z')).toBe('77');
  });

  it('issues a minified, DEFLATE-compressed ES256 JWS with kid = thumbprint and the SHC profile', async () => {
    const { codes } = { codes: builder.codes(domesticRecord()) };
    const { header, text, payload } = decodeJws(codes.shc);
    expect(header).toEqual({ alg: 'ES256', zip: 'DEF', kid: issuer.kid });
    expect(await calculateJwkThumbprint(issuer.jwks.keys[0]!)).toBe(issuer.kid);
    expect(text).toBe(JSON.stringify(payload));
    expect(payload.iss).toBe(issuer.issuerUrl);
    expect(payload.nbf).toBe(Math.floor(clock.now().getTime() / 1000));
    expect(payload.vc.type).toEqual(['https://smarthealth.cards#health-card', 'https://smarthealth.cards#immunization', 'https://smarthealth.cards#covid19']);
    const bundle = payload.vc.credentialSubject.fhirBundle;
    expect(bundle.type).toBe('collection');
    expect(bundle.entry.map((e: { fullUrl: string }) => e.fullUrl)).toEqual(['resource:0', 'resource:1', 'resource:2', 'resource:3']);
    expect(text).not.toMatch(/"(id|meta|text)":/);
    // Coding carries system and code only (Reference.display of the performer is allowed)
    expect(text.match(/"coding":\[\{[^}]*\}/g)!.every((c) => !c.includes('display'))).toBe(true);
    const imm = bundle.entry.slice(1).map((e: { resource: any }) => e.resource);
    expect(imm.map((r: any) => r.vaccineCode.coding[0].code)).toEqual(['208', '208', '207']);
    expect(
      imm.every((r: any) => r.status === 'completed' && r.patient.reference === 'resource:0' && r.performer[0].actor.display === 'MHLW_Gov_of_JAPAN'),
    ).toBe(true);
    expect(imm.map((r: any) => r.lotNumber)).toEqual(['FA5765', 'FC3661', '3004734']);
    expect(bundle.entry[0].resource).toEqual({ resourceType: 'Patient', name: [{ family: '山田', given: ['太郎'] }], birthDate: '1980-04-01' });
    // raw r‖s signature: 64 bytes
    expect(Buffer.from(fromShcNumeric(codes.shc).split('.')[2]!, 'base64url')).toHaveLength(64);
  });

  it('encodes shc:/ in byte mode then the digits in numeric mode, in a QR of version ≤ 22', () => {
    const { shc, shcQr } = builder.codes(domesticRecord());
    expect(shc).toMatch(/^shc:\/\d+$/);
    expect(shcQr.version).toBeLessThanOrEqual(22);
  });

  it('verifies what it issues and puts the romanized name first on overseas cards', async () => {
    const out = await verifyShc(builder.codes(overseasRecord()).shc, { jwks: issuer.jwks, now: clock.now() });
    expect(out.patient).toEqual({ family: 'SATO', given: ['HANAKO'], birthDate: '1975-11-23' });
    expect(out.otherNames).toEqual([{ family: '佐藤', given: ['花子'] }]);
    expect(out.immunizations).toHaveLength(4);
    expect(out.warnings).toEqual([]);
  });

  it('fails verification when one bit of the payload or the signature flips', async () => {
    const { shc } = builder.codes(domesticRecord());
    await expect(verifyShc(flipBit(shc, 1), { jwks: issuer.jwks })).rejects.toMatchObject({ code: 'ERR_VERIFY', check: 'shc-signature' });
    await expect(verifyShc(flipBit(shc, 2), { jwks: issuer.jwks })).rejects.toMatchObject({ code: 'ERR_VERIFY', check: 'shc-signature' });
  });

  it('refuses a card signed by another key and an iss that the x5c certificate does not name', async () => {
    const other = await makeShcIssuer('https://other.example/issuer', { now: clock.now() });
    const { shc } = builder.codes(domesticRecord());
    await expect(verifyShc(shc, { jwks: other.jwks })).rejects.toMatchObject({ check: 'shc-key' });
    const forged = { keys: [{ ...issuer.jwks.keys[0]!, x5c: other.jwks.keys[0]!.x5c }] };
    await expect(verifyShc(shc, { jwks: forged })).rejects.toMatchObject({ check: 'shc-x5c' });
  });

  it('keeps long names and six doses within one QR code of version ≤ 22 (issued before the latest-five rule)', () => {
    const longFamily = '勅使河原左衛門三郎兵衛'.repeat(2);
    const longGiven = '寿限無寿限無五劫の擦り切れ海砂利水魚';
    const base = overseasRecord();
    const doses = Array.from({ length: 6 }, (_, i) => ({ ...base.doses[i % base.doses.length]!, dose: i + 1, lot: `LOT${String(i).padStart(17, '9')}` }));
    const rec = overseasRecord({
      person: {
        ...base.person,
        name: `${longFamily}\u3000${longGiven}`,
        familyName: longFamily,
        givenName: longGiven,
        passport: { ...base.person.passport!, nameRoman: 'TESHIGAWARASAEMONSABUROBEE JUGEMUJUGEM' },
      },
      doses,
      issuedOn: '2023-06-18',
    });
    const codes = builder.codes(rec);
    expect(codes.shcQr.version).toBeLessThanOrEqual(22);
    expect(codes.vds!.data.msg.ve.flatMap((v) => v.vd)).toHaveLength(6);
    expect(builder.codes({ ...rec, issuedOn: '2023-06-19' }).vds!.data.msg.ve.map((v) => v.vd[0]!.seq)).toEqual([2, 3, 4, 5, 6]);
  });

  it('refuses, with a coded error, a card too large for a single QR code', () => {
    const base = domesticRecord();
    // random lots defeat DEFLATE, as real lot numbers do
    const doses = Array.from({ length: 30 }, (_, i) => ({ ...base.doses[0]!, dose: i + 1, lot: randomBytes(8).toString('hex').toUpperCase() }));
    expect(() => builder.codes(domesticRecord({ doses, issuedOn: '2023-06-18' }))).toThrow(
      expect.objectContaining({ code: 'ERR_CERTIFICATE_DATA', status: 422 }),
    );
  });

  it('issues an unknown vaccine product under CVX 213 rather than refusing it', async () => {
    const base = domesticRecord();
    const rec = domesticRecord({ doses: [{ ...base.doses[0]!, maker: '未知製薬', product: 'ナゾワクチン' }, base.doses[1]!] });
    const out = await verifyShc(builder.codes(rec).shc, { jwks: issuer.jwks });
    expect(out.immunizations.map((i) => i.cvx)).toEqual(['213', '208']);
  });

  it("verifies Japan's real certificate with Japan's published key (expired issuer certificate is a warning)", async () => {
    const shc = jpRealShc();
    const jwks = jpIssuerJwks();
    const out = await verifyShc(shc, { jwks, now: new Date('2026-11-23T00:00:00Z') });
    expect(out.issuer).toBe('https://vc.vrs.digital.go.jp/issuer');
    expect(out.immunizations.map((i) => i.cvx)).toEqual(['207', '207']);
    expect(out.warnings.some((w) => w.includes('validity'))).toBe(true);
    expect(out.warnings).toContain('nbf is fractional');
    // tampering still fails on Japan's card
    await expect(verifyShc(flipBit(shc, 1), { jwks })).rejects.toMatchObject({ check: 'shc-signature' });
  });
});

describe('issuer key set', () => {
  it('publishes the EC key with kid, x5c (issuer first) and no private part', () => {
    const [key] = issuer.jwks.keys;
    expect(key).toMatchObject({ kty: 'EC', crv: 'P-256', use: 'sig', alg: 'ES256', kid: issuer.kid });
    expect(key).not.toHaveProperty('d');
    expect(key!.x5c).toHaveLength(3);
    expect(Buffer.from(key!.x5c![0]!, 'base64')).toEqual(issuer.chain[0]!.raw);
  });

  it('serves /.well-known/jwks.json with CORS', async () => {
    const app = express();
    app.use('/shc', jwksRouter(issuer.jwks));
    const res = await supertest(app).get('/shc/.well-known/jwks.json');
    expect(res.status).toBe(200);
    expect(res.headers['access-control-allow-origin']).toBe('*');
    expect(res.headers['content-type']).toMatch(/application\/json/);
    expect(res.body).toEqual(issuer.jwks);
  });
});
