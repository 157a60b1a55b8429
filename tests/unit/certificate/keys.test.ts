import { mkdir, mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createCertificateBuilder, loadCertificateKeys } from '../../../services/certificate/index.js';
import { verifyShc } from '../../../services/certificate/verify/verify-shc.js';
import { verifyVdsNc } from '../../../services/certificate/verify/verify-vds.js';
import { pkiPaths } from '../../../services/common/pki-paths.js';
import { makeShcIssuer, makeVdsPki, overseasRecord } from './fixtures.js';

async function put(file: string, text: string): Promise<void> {
  await mkdir(dirname(file), { recursive: true });
  await writeFile(file, text);
}

describe('loadCertificateKeys', () => {
  it('reads the SHC and VDS-NC keys from a certs/out layout and signs codes that verify', async () => {
    const root = await mkdtemp(join(tmpdir(), 'pki-'));
    const paths = pkiPaths(root);
    const issuer = await makeShcIssuer();
    const pki = await makeVdsPki();
    await put(paths.shcIssuer.key, issuer.privateKey.export({ format: 'pem', type: 'pkcs8' }).toString());
    await put(paths.shcIssuer.chain, issuer.chain.map((c) => c.toString()).join('\n'));
    await put(paths.vdsSigner.key, pki.signer.privateKey.export({ format: 'pem', type: 'pkcs8' }).toString());
    await put(paths.vdsSigner.cert, `-----BEGIN CERTIFICATE-----\n${Buffer.from(pki.signer.certDer).toString('base64')}\n-----END CERTIFICATE-----\n`);
    const keys = await loadCertificateKeys(paths);
    expect(keys.shcKey.kid).toBe(issuer.kid);
    expect(keys.shcJwks).toEqual(issuer.jwks);
    expect(keys.shcChain).toHaveLength(3);
    const codes = createCertificateBuilder({ shcIssuerUrl: issuer.issuerUrl, shcKey: keys.shcKey, vdsSigner: keys.vdsSigner }).codes(overseasRecord());
    await expect(verifyShc(codes.shc, { jwks: keys.shcJwks })).resolves.toMatchObject({ issuer: issuer.issuerUrl });
    expect(verifyVdsNc(codes.vds!, { cscas: [pki.csca] }).warnings).toEqual([]);
  });
});
