import { ensurePki } from '../../certs/generate.js';

/** Once per test run, for every project: the test PKI and demo cards under certs/out (made if missing). */
export default async function setup(): Promise<void> {
  // Says what it made or renewed (an expired or not-yet-valid demo PKI is renewed, not a failure).
  // Several projects run this in the one main process: the first call does the work.
  const shared = globalThis as { __testPki?: Promise<void> };
  shared.__testPki ??= ensurePki({ log: (line) => console.log(line) }).then(() => undefined);
  await shared.__testPki;
}
