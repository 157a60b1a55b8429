import { describe, expect, it } from 'vitest';
import { buildOpenApi } from '../../../services/relay/openapi.js';
import { RELAY_ERROR_CODES } from '../../../services/common/kiosk-protocol.js';

describe('OpenAPI document', () => {
  const doc = buildOpenApi() as {
    openapi: string;
    paths: Record<string, Record<string, unknown>>;
    components: { schemas: { Problem: { properties: { code: { enum: string[] } } } } };
  };
  it('is OpenAPI 3.1 listing every protocol path', () => {
    expect(doc.openapi).toBe('3.1.0');
    expect(Object.keys(doc.paths).sort()).toEqual([
      '/issuer/.well-known/crl/{kid}.json',
      '/issuer/.well-known/jwks.json',
      '/issuer/.well-known/vds-nc-revocations.json',
      '/v1/service',
      '/v1/sessions',
      '/v1/sessions/{sid}',
      '/v1/sessions/{sid}/card',
      '/v1/sessions/{sid}/requests',
      '/v1/sessions/{sid}/requests/{rid}/completion',
      '/v1/sessions/{sid}/requests/{rid}/document',
    ]);
  });
  it('carries the request schemas the routes validate with, and every error code', () => {
    const card = JSON.stringify(doc.components.schemas);
    for (const f of ['ef0001', 'ef0002', 'ef0003', 'ef0004', 'ef0007', 'challengeSignature']) expect(card).toContain(f);
    const req = JSON.stringify((doc.components.schemas as Record<string, unknown>).CertificateRequestBody);
    expect(req).toContain('"maximum":5');
    expect(doc.components.schemas.Problem.properties.code.enum).toEqual([...RELAY_ERROR_CODES]);
  });
});
