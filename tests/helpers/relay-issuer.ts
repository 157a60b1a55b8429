import { randomBytes } from 'node:crypto';
import type { IssuerIds } from '../../services/relay/requests/requests-route.js';

/** Issuer identifiers for a relay app in a test that never verifies a revocation. */
export function testIssuer(): IssuerIds {
  return { kid: 'test-kid', ridSecret: randomBytes(32), vdsSigner: 'test-vds-signer' };
}
