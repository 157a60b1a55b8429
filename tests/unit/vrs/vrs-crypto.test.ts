import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { isValidMunicipalityCode, isValidMyNumber } from '../../../services/common/check-digits.js';
import { hashPassword, verifyPassword } from '../../../services/vrs/portal/auth/password.js';
import { newWrappedDataKey, unwrapDataKey } from '../../../services/vrs/crypto/data-keys.js';
import { decryptMyNumber, encryptMyNumber, myNumberHmac } from '../../../services/vrs/crypto/my-number.js';
import { newCertificateId } from '../../../services/vrs/records/certificate-id.js';
import { syntheticResidents } from '../../../services/vrs/seed/synthetic.js';

describe('VRS keys and My Number', () => {
  it('binds a wrapped data key to its municipality', () => {
    const master = randomBytes(32);
    const wrapped = newWrappedDataKey(master, '131016');
    expect(unwrapDataKey(master, '131016', wrapped)).toHaveLength(32);
    expect(() => unwrapDataKey(master, '162027', wrapped)).toThrow();
    expect(() => unwrapDataKey(randomBytes(32), '131016', wrapped)).toThrow();
  });
  it('encrypts a My Number so it opens only for the same municipality and 個別宛名番号', () => {
    const key = randomBytes(32);
    const sealed = encryptMyNumber(key, '131016', '1', '314159265352');
    expect(sealed.includes(Buffer.from('314159265352'))).toBe(false);
    expect(decryptMyNumber(key, '131016', '1', sealed)).toBe('314159265352');
    expect(() => decryptMyNumber(key, '131016', '2', sealed)).toThrow();
    expect(() => decryptMyNumber(key, '162027', '1', sealed)).toThrow();
  });
  it('hashes a My Number with the lookup key only', () => {
    const k = randomBytes(32);
    expect(myNumberHmac(k, '314159265352').equals(myNumberHmac(k, '314159265352'))).toBe(true);
    expect(myNumberHmac(randomBytes(32), '314159265352').equals(myNumberHmac(k, '314159265352'))).toBe(false);
  });
});

describe('certificate IDs', () => {
  it('are 12 characters A–Z0–9 and do not repeat', () => {
    const ids = new Set(Array.from({ length: 10_000 }, () => newCertificateId()));
    expect(ids.size).toBe(10_000);
    for (const id of [...ids].slice(0, 100)) expect(id).toMatch(/^[A-Z0-9]{12}$/);
  });
});

describe('staff passwords', () => {
  it('verifies the right password and refuses a wrong one or a malformed hash', async () => {
    const h = await hashPassword('correct horse', { N: 1024 });
    expect(h).toMatch(/^scrypt\$1024\$8\$1\$/);
    expect(await verifyPassword('correct horse', h)).toBe(true);
    expect(await verifyPassword('wrong horse', h)).toBe(false);
    expect(await verifyPassword('correct horse', 'plain')).toBe(false);
  });
});

describe('synthetic population', () => {
  it('is deterministic, with valid unique My Numbers and 2–5 doses', () => {
    const a = syntheticResidents(2000, 7, '162027');
    expect(syntheticResidents(2000, 7, '162027')).toEqual(a);
    expect(new Set(a.map((p) => p.myNumber)).size).toBe(2000);
    expect(a.every((p) => isValidMyNumber(p.myNumber) && p.doses.length >= 2 && p.doses.length <= 5)).toBe(true);
    expect(a.every((p) => p.doses.every((d) => isValidMunicipalityCode(d.municipalityCode)))).toBe(true);
    expect(a.some((p) => p.passport)).toBe(true);
  });
});
