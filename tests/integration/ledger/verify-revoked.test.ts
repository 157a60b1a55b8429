import { execFile } from 'node:child_process';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { pkiPaths } from '../../../services/common/pki-paths.js';
import { CardWallet, Kiosk } from '../../helpers/kiosk.js';
import { requestAndFetch } from '../relay/helpers/flow.js';
import { LogCapture } from '../relay/helpers/log-capture.js';
import { startTestRelay } from '../relay/helpers/test-relay.js';
import { startTestVrs, type TestVrs } from '../relay/helpers/test-vrs.js';

const run = promisify(execFile);

/** `npm run verify` says REVOKED for a served document that was not printed, online and offline. */
describe('npm run verify and revocation', () => {
  const logs = new LogCapture();
  let vrs: TestVrs;
  let relay: Awaited<ReturnType<typeof startTestRelay>>;
  let wallet: CardWallet;
  let dir: string;

  beforeAll(async () => {
    vrs = await startTestVrs({ databaseUrl: inject('databaseUrl'), logs });
    relay = await startTestRelay({ vrsUrl: vrs.url, store: 'memory', redisUrl: inject('redisUrl'), logs, startWorker: false });
    wallet = await new CardWallet().init();
    dir = await mkdtemp(join(tmpdir(), 'verify-revoked-'));
  });
  afterAll(async () => {
    await relay?.stop();
    await vrs?.destroy();
  });

  const verify = async (args: string[]) => {
    try {
      const { stdout } = await run(process.execPath, ['--import', 'tsx', 'services/certificate/verify/cli.ts', ...args]);
      return { code: 0, out: stdout };
    } catch (e) {
      const err = e as { code: number; stdout: string; stderr: string };
      return { code: err.code, out: `${err.stdout}${err.stderr}` };
    }
  };
  const issuerPath = () =>
    new URL((JSON.parse(readFileSync(pkiPaths().shcIssuer.meta, 'utf8')) as { issuerUrl: string }).issuerUrl).pathname.replace(/\/$/, '');

  it('reports REVOKED for a failed overseas print, VALID for a printed one', async () => {
    const kiosk = new Kiosk(relay.url, 'KIOSK-0001');
    const failed = await requestAndFetch(kiosk, wallet, 'suzuki-ichiro', { municipality: '131016', kind: 'overseas', copies: 1 });
    await kiosk.call('POST', `/v1/sessions/${failed.sid}/requests/${failed.rid}/completion`, { outcome: 'failed', paid: 0 });
    const printed = await requestAndFetch(kiosk, wallet, 'yamada-taro', { municipality: '131016', kind: 'domestic', copies: 1 });
    await kiosk.call('POST', `/v1/sessions/${printed.sid}/requests/${printed.rid}/completion`, {
      outcome: 'printed',
      paid: 120,
      contentDigest: String(printed.doc.headers['content-digest']),
    });
    const failedPdf = join(dir, 'failed.pdf');
    const printedPdf = join(dir, 'printed.pdf');
    await writeFile(failedPdf, failed.doc.body);
    await writeFile(printedPdf, printed.doc.body);
    const mirror = `${relay.url}${issuerPath()}`;

    const online = await verify(['--online', '--lists-from', mirror, failedPdf]);
    expect(online.code, online.out).toBe(1);
    expect(online.out).toMatch(/REVOKED: SMART Health Card rid [A-Za-z0-9_-]+ is on the issuer's CRL/);
    expect(online.out).toContain(`REVOKED: VDS-NC uvci ${failed.doc.headers['certificate-id']} is on the revocation list`);
    expect(online.out).toContain('RESULT: REVOKED');

    const ok = await verify(['--online', '--lists-from', mirror, printedPdf]);
    expect(ok.code, ok.out).toBe(0);
    expect(ok.out).toContain('RESULT: VALID');

    // Offline, with the lists saved earlier.
    const anyone = new Kiosk(relay.url, undefined);
    const kid = (await anyone.call('GET', `${issuerPath()}/.well-known/jwks.json`)).json.keys[0].kid as string;
    const crlFile = join(dir, 'crl.json');
    const vdsFile = join(dir, 'vds.json');
    await writeFile(crlFile, (await anyone.call('GET', `${issuerPath()}/.well-known/crl/${kid}.json`)).body);
    await writeFile(vdsFile, (await anyone.call('GET', `${issuerPath()}/.well-known/vds-nc-revocations.json`)).body);
    const offline = await verify(['--crl', crlFile, '--vds-revocations', vdsFile, failedPdf]);
    expect(offline.code, offline.out).toBe(1);
    expect(offline.out).toContain('RESULT: REVOKED');
    expect((await verify(['--crl', crlFile, printedPdf])).out).toContain('RESULT: VALID');
    // A tampered list is refused, not believed.
    const list = JSON.parse(readFileSync(vdsFile, 'utf8')) as { data: { uvci: string[] } };
    list.data.uvci = [];
    await writeFile(vdsFile, JSON.stringify(list));
    const tampered = await verify(['--vds-revocations', vdsFile, failedPdf]);
    expect(tampered.code).toBe(1);
    expect(tampered.out).toContain('revocation list signature does not verify');
  });
});
