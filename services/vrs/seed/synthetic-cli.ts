import { parseArgs } from 'node:util';
import { demoMunicipalities } from '../../../certs/demo-cast.js';
import { loadVrsConfig } from '../config.js';
import { createVrsDeps } from '../deps.js';
import { migrate } from '../db/migrate.js';
import { importCsv } from '../imports/import-csv.js';
import { ensureMunicipality } from './municipalities.js';
import { syntheticCsv, syntheticResidents, writeSyntheticJsonl } from './synthetic.js';

/**
 * `npm run vrs:synthetic -- --municipality 162027 --residents 140000 [--seed 1] [--emit people.jsonl] [--no-import]`
 * Imports a synthetic population into the configured VRS database (DATABASE_URL or PGlite) through
 * the CSV import, and optionally writes the resident descriptions for a load generator.
 */
async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      municipality: { type: 'string', default: '162027' },
      residents: { type: 'string', default: '1000' },
      seed: { type: 'string', default: '1' },
      emit: { type: 'string' },
      'no-import': { type: 'boolean', default: false },
    },
  });
  const code = values.municipality!;
  const count = Number(values.residents);
  const seed = Number(values.seed);
  if (!/^\d{6}$/.test(code) || !Number.isInteger(count) || count < 1 || !Number.isInteger(seed)) {
    throw new Error('usage: --municipality <6 digits> --residents <n ≥ 1> [--seed <int>] [--emit file.jsonl] [--no-import]');
  }
  const people = syntheticResidents(count, seed, code);
  if (values.emit) await writeSyntheticJsonl(values.emit, people);
  if (values['no-import']) return;
  const deps = await createVrsDeps(loadVrsConfig());
  try {
    await migrate(deps.db);
    const known = demoMunicipalities.find((m) => m.code === code);
    await ensureMunicipality(deps.db, deps.keys.master, known ?? { code, name: `自治体${code}`, participates: true });
    const csv = syntheticCsv(people);
    for (const kind of ['residents', 'vaccinations', 'passports'] as const) {
      const t = performance.now();
      const report = await importCsv(deps, code, kind, Buffer.from(csv[kind]));
      if (!report.ok) throw new Error(`${kind}: refused (${report.errors.length} issues, first: line ${report.errors[0]?.row} ${report.errors[0]?.code})`);
      console.log(`${kind}: ${report.rows} rows (${report.inserted} new, ${report.updated} updated) in ${((performance.now() - t) / 1000).toFixed(1)} s`);
    }
  } finally {
    await deps.db.close();
  }
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
