/**
 * `npm run verify -- [--jwks FILE] [--csca FILE] [--online [--ca FILE] [--lists-from URL]] [--crl FILE]… [--vds-revocations FILE]
 *   <file.pdf | shc:/… | VDS-NC JSON (text or file)>`
 * Exits 0 only when every code verifies, the codes agree and none is revoked (RESULT: REVOKED when
 * the issuer's list names one). `--online` fetches the lists from the SHC issuer (`--ca`: a CA to
 * trust for it, by default `certs/out/trust/server-ca.pem` when present); `--crl` /
 * `--vds-revocations` read saved ones (offline). `--lists-from URL` fetches them from a mirror of
 * the issuer's public files instead of the issuer URL.
 */
import { existsSync, readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { VerifyError } from '../errors.js';
import { formatReport } from './format-report.js';
import { pkiPaths } from '../../common/pki-paths.js';
import { fileRevocations, onlineRevocations } from './revocation-check.js';
import { fileTrust, verifyInput } from './verify-input.js';

async function main(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      jwks: { type: 'string' },
      csca: { type: 'string' },
      online: { type: 'boolean' },
      ca: { type: 'string' },
      'lists-from': { type: 'string' },
      crl: { type: 'string', multiple: true },
      'vds-revocations': { type: 'string' },
    },
  });
  const arg = positionals[0];
  if (positionals.length !== 1 || arg === undefined) {
    process.stderr.write(
      'usage: npm run verify -- [--jwks FILE] [--csca FILE] [--online [--ca FILE] [--lists-from URL]] [--crl FILE]… [--vds-revocations FILE] <file.pdf | shc:/… | VDS-NC JSON>\n',
    );
    return 2;
  }
  const bytes = !arg.startsWith('shc:/') && !arg.trim().startsWith('{') && existsSync(arg) ? readFileSync(arg) : Buffer.from(arg);
  try {
    const trust = fileTrust({ ...(values.jwks ? { jwks: values.jwks } : {}), ...(values.csca ? { csca: values.csca } : {}) });
    const serverCa = values.ca ?? pkiPaths().serverCa;
    if (values.online)
      trust.revocations = onlineRevocations(trust.cscas, existsSync(serverCa) ? readFileSync(serverCa, 'utf8') : undefined, values['lists-from']);
    else if (values.crl || values['vds-revocations'])
      trust.revocations = fileRevocations(
        { ...(values.crl ? { crls: values.crl } : {}), ...(values['vds-revocations'] ? { vds: values['vds-revocations'] } : {}) },
        trust.cscas,
      );
    const report = await verifyInput(bytes, trust);
    process.stdout.write(`${formatReport(report)}\n`);
    return report.ok ? 0 : 1;
  } catch (e) {
    process.stderr.write(`FAILED: ${e instanceof VerifyError ? `${e.check}: ${e.message}` : (e as Error).message}\n`);
    return 1;
  }
}

process.exitCode = await main(process.argv.slice(2));
