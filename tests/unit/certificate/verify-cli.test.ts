import { execFile } from 'node:child_process';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { createCertificateBuilder } from '../../../services/certificate/index.js';
import { domesticRecord, makeShcIssuer, makeVdsPki, overseasRecord } from './fixtures.js';
import { JP_ISSUER_JWKS_PATH, JP_REAL_SHC_PATH, jpRealShc } from '../../fixtures/conformance.js';

const run = promisify(execFile);
const CLI = fileURLToPath(new URL('../../../services/certificate/verify/cli.ts', import.meta.url));

/** Runs the verifier CLI (arguments as an array, no shell) and returns exit code and output. */
async function verify(args: string[]): Promise<{ code: number; out: string }> {
  try {
    const { stdout, stderr } = await run(process.execPath, ['--import', 'tsx', CLI, ...args], { cwd: fileURLToPath(new URL('../../../', import.meta.url)) });
    return { code: 0, out: stdout + stderr };
  } catch (e) {
    const err = e as { code?: number; stdout?: string; stderr?: string };
    return { code: err.code ?? -1, out: `${err.stdout ?? ''}${err.stderr ?? ''}` };
  }
}

describe('npm run verify', () => {
  it("accepts Japan's real certificate with Japan's JWKS, warning about the expired issuer certificate", async () => {
    const r = await verify(['--jwks', JP_ISSUER_JWKS_PATH, JP_REAL_SHC_PATH]);
    expect(r.code).toBe(0);
    expect(r.out).toContain('RESULT: VALID');
    expect(r.out).toMatch(/warning: x5c certificate 0 .* outside its validity/);
  });

  it('exits non-zero for a code with a flipped bit and for the wrong key set', async () => {
    const real = jpRealShc();
    const i = 200;
    const flipped = real.slice(0, i) + (real[i] === '1' ? '2' : '1') + real.slice(i + 1);
    const r1 = await verify(['--jwks', JP_ISSUER_JWKS_PATH, flipped]);
    expect(r1.code).toBe(1);
    expect(r1.out).toContain('RESULT: NOT VALID');
    const dir = await mkdtemp(join(tmpdir(), 'verify-'));
    const stranger = await makeShcIssuer();
    await writeFile(join(dir, 'jwks.json'), JSON.stringify(stranger.jwks));
    const r2 = await verify(['--jwks', join(dir, 'jwks.json'), JP_REAL_SHC_PATH]);
    expect(r2.code).toBe(1);
  });

  it('verifies a printed overseas PDF and its VDS-NC JSON against the given JWKS and CSCA', async () => {
    const issuer = await makeShcIssuer();
    const pki = await makeVdsPki();
    const builder = createCertificateBuilder({ shcIssuerUrl: issuer.issuerUrl, shcKey: issuer, vdsSigner: pki.signer });
    const built = await builder.build(overseasRecord());
    const dir = await mkdtemp(join(tmpdir(), 'verify-'));
    await writeFile(join(dir, 'cert.pdf'), built.pdf);
    await writeFile(join(dir, 'vds.json'), JSON.stringify(built.vds));
    await writeFile(join(dir, 'jwks.json'), JSON.stringify(issuer.jwks));
    await writeFile(join(dir, 'csca.pem'), pki.cscaPem);
    const trust = ['--jwks', join(dir, 'jwks.json'), '--csca', join(dir, 'csca.pem')];
    const pdf = await verify([...trust, join(dir, 'cert.pdf')]);
    expect(pdf.out).toContain('SHC and VDS-NC: agree');
    expect(pdf.code).toBe(0);
    expect((await verify([...trust, join(dir, 'vds.json')])).code).toBe(0);
    const other = await makeVdsPki();
    await writeFile(join(dir, 'other-csca.pem'), other.cscaPem);
    const wrongCsca = await verify(['--jwks', join(dir, 'jwks.json'), '--csca', join(dir, 'other-csca.pem'), join(dir, 'cert.pdf')]);
    expect(wrongCsca.code).toBe(1);
    expect(wrongCsca.out).toContain('vds-chain');
    // a domestic PDF carries the SHC only and verifies with the JWKS alone
    await writeFile(join(dir, 'dom.pdf'), (await builder.build(domesticRecord())).pdf);
    expect((await verify(['--jwks', join(dir, 'jwks.json'), join(dir, 'dom.pdf')])).code).toBe(0);
  });

  it('says what it knows of a VDS-NC whose CSCA it does not trust: the signature, the signer, its issuer, the CSCA to add', async () => {
    const issuer = await makeShcIssuer();
    const pki = await makeVdsPki();
    const other = await makeVdsPki();
    const built = await createCertificateBuilder({ shcIssuerUrl: issuer.issuerUrl, shcKey: issuer, vdsSigner: pki.signer }).build(overseasRecord());
    const dir = await mkdtemp(join(tmpdir(), 'verify-'));
    await writeFile(join(dir, 'vds.json'), JSON.stringify(built.vds));
    const tampered = structuredClone(built.vds!);
    tampered.data.msg.pid.n = 'SATO HANAKA';
    await writeFile(join(dir, 'tampered.json'), JSON.stringify(tampered));
    await writeFile(join(dir, 'other-csca.pem'), other.cscaPem);
    const good = await verify(['--csca', join(dir, 'other-csca.pem'), join(dir, 'vds.json')]);
    expect(good.code).toBe(1);
    expect(good.out).toContain('vds-chain');
    expect(good.out).toContain('the signature over the canonical message is valid');
    expect(good.out).toContain('signer "C=JP, O=Test, CN=Test VDS-NC Barcode Signer"');
    expect(good.out).toContain('issued by "C=JP, O=Test, CN=Test CSCA Japan"');
    expect(good.out).toMatch(/add the CSCA "C=JP, O=Test, CN=Test CSCA Japan" \(npm run verify: --csca FILE/);
    expect(good.out).toContain('RESULT: NOT VALID');
    const bad = await verify(['--csca', join(dir, 'other-csca.pem'), join(dir, 'tampered.json')]);
    expect(bad.code).toBe(1);
    expect(bad.out).toContain('the signature over the canonical message does NOT verify');
    expect(bad.out).not.toContain('message is valid');
  });

  it('says what it knows of an SHC whose key is not in the given JWKS: its kid, its issuer, the key set to give', async () => {
    const issuer = await makeShcIssuer('https://issuer.test.example/shc');
    const pki = await makeVdsPki();
    const stranger = await makeShcIssuer('https://stranger.test.example/shc');
    const built = await createCertificateBuilder({ shcIssuerUrl: issuer.issuerUrl, shcKey: issuer, vdsSigner: pki.signer }).build(domesticRecord());
    const dir = await mkdtemp(join(tmpdir(), 'verify-'));
    await writeFile(join(dir, 'stranger.json'), JSON.stringify(stranger.jwks));
    const r = await verify(['--jwks', join(dir, 'stranger.json'), built.shc]);
    expect(r.code).toBe(1);
    expect(r.out).toContain(`shc-key: no key in the JWKS has the SHC kid ${issuer.kid}`);
    expect(r.out).toContain('the signing key is unknown');
    expect(r.out).toContain('issuer https://issuer.test.example/shc (unverified)');
    expect(r.out).toContain('published at https://issuer.test.example/shc/.well-known/jwks.json (npm run verify: --jwks FILE)');
    expect(r.out).toContain('RESULT: NOT VALID');
  });
});
