/**
 * `npm run verify -- [--jwks FILE] [--csca FILE] <file.pdf | shc:/… | VDS-NC JSON (text or file)>`
 * Exits 0 only when every code verifies and the codes agree.
 */
import { existsSync, readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { VerifyError } from '../errors.js';
import { formatReport } from './format-report.js';
import { fileTrust, verifyInput } from './verify-input.js';

async function main(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({ args: argv, allowPositionals: true, options: { jwks: { type: 'string' }, csca: { type: 'string' } } });
  const arg = positionals[0];
  if (positionals.length !== 1 || arg === undefined) {
    process.stderr.write('usage: npm run verify -- [--jwks FILE] [--csca FILE] <file.pdf | shc:/… | VDS-NC JSON>\n');
    return 2;
  }
  const bytes = !arg.startsWith('shc:/') && !arg.trim().startsWith('{') && existsSync(arg) ? readFileSync(arg) : Buffer.from(arg);
  try {
    const report = await verifyInput(bytes, fileTrust({ ...(values.jwks ? { jwks: values.jwks } : {}), ...(values.csca ? { csca: values.csca } : {}) }));
    process.stdout.write(`${formatReport(report)}\n`);
    return report.ok ? 0 : 1;
  } catch (e) {
    process.stderr.write(`FAILED: ${e instanceof VerifyError ? `${e.check}: ${e.message}` : (e as Error).message}\n`);
    return 1;
  }
}

process.exitCode = await main(process.argv.slice(2));
