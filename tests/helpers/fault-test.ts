import { describe, expect, inject, it } from 'vitest';
import { runFault } from '../../bench/faults/fault-harness.js';
import type { FaultScenario } from '../../bench/faults/fault-harness.js';

/**
 * The short version of one fault script (bench/faults) as a test: a bounded run on the test
 * PostgreSQL server in which every invariant must hold — no document to the wrong session, no
 * completion notice lost, doubled or phantom, coded errors only, service back by itself.
 */
export function faultTest(title: string, scenario: () => FaultScenario): void {
  describe(`fault: ${title}`, () => {
    it('delivers no document to the wrong session, loses or doubles no completion notice, answers coded errors and comes back by itself', async () => {
      const result = await runFault(scenario(), { databaseServerUrl: inject('databaseUrl') });
      if (!result.ok) console.log(result.text);
      expect(result.problems).toEqual([]);
      expect(result.report.state.mismatches).toEqual([]);
      expect(result.vrs.lost).toEqual([]);
      expect(result.vrs.phantom).toEqual([]);
    }, 150_000);
  });
}
