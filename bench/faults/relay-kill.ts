import type { FaultScenario } from './fault-harness.js';
import { runFault } from './fault-harness.js';
import { isMain, runStandalone } from './standalone.js';

/**
 * One of two relay processes killed (SIGKILL, mid-request) at 3 s and not brought back. Kiosks
 * whose line fails move to the other relay (what a load balancer does); sessions continue there
 * because the relays keep nothing but the shared one-time store.
 */
export function relayKill(o: { kiosks?: number; durationS?: number } = {}): FaultScenario {
  return {
    name: 'relay-kill',
    relays: 2,
    kiosks: o.kiosks ?? 12,
    durationS: o.durationS ?? 12,
    allowNetErrors: true,
    async act(stack, second) {
      if (second === 3) {
        await stack.relays[0]!.stop('SIGKILL');
        return 'repaired';
      }
    },
  };
}

if (isMain(import.meta.url)) void runStandalone([(ctx) => runFault(relayKill(), ctx)]);
