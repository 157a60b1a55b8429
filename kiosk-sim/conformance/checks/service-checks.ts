import { describe } from '../relay-client.js';
import { expectProblem, expectStatus, expectThat, notRun, type Check } from './kit.js';

const ENDPOINTS = [
  ['get', '/v1/service'],
  ['post', '/v1/sessions'],
  ['post', '/v1/sessions/{sid}/card'],
  ['post', '/v1/sessions/{sid}/requests'],
  ['get', '/v1/sessions/{sid}/requests/{rid}/document'],
  ['post', '/v1/sessions/{sid}/requests/{rid}/completion'],
  ['delete', '/v1/sessions/{sid}'],
] as const;

/** Transport, identity, the OpenAPI document and the service status (endpoint 1, closed hours). */
export const serviceChecks: Check[] = [
  {
    id: 'transport.no-client-certificate',
    group: 'transport',
    title: 'a client without a kiosk certificate is refused (handshake or 403 ERR_KIOSK)',
    async run(ctx) {
      let answer;
      try {
        answer = await ctx.anonymous.call('POST', '/v1/sessions');
      } catch (err) {
        return `refused during the TLS handshake (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`;
      }
      expectProblem(answer, 403, ['ERR_KIOSK']);
      return 'answered 403 ERR_KIOSK';
    },
  },
  {
    id: 'transport.openapi',
    group: 'transport',
    title: 'GET /openapi.json is OpenAPI 3.1 and describes the seven endpoints',
    async run(ctx) {
      const a = await ctx.kiosk.call('GET', '/openapi.json');
      expectStatus(a, 200);
      expectThat(a.json && typeof a.json === 'object', 'the answer is not JSON');
      expectThat(typeof a.json.openapi === 'string' && a.json.openapi.startsWith('3.1'), `openapi is ${JSON.stringify(a.json.openapi)}, not 3.1.x`);
      const paths = (a.json.paths ?? {}) as Record<string, Record<string, unknown>>;
      // Parameter names may differ: compare the shapes of the paths.
      const shape = (p: string) => p.replace(/\{[^}]+\}/g, '{}');
      const have = new Set(Object.entries(paths).flatMap(([p, ops]) => Object.keys(ops ?? {}).map((m) => `${m.toLowerCase()} ${shape(p)}`)));
      const missing = ENDPOINTS.filter(([m, p]) => !have.has(`${m} ${shape(p)}`)).map(([m, p]) => `${m.toUpperCase()} ${p}`);
      expectThat(missing.length === 0, `missing from paths: ${missing.join(', ')}`);
    },
  },
  {
    id: 'service.status',
    group: 'service',
    title: 'GET /v1/service answers { open, hours, now } with now in JST',
    async run(ctx) {
      const a = await ctx.kiosk.call('GET', '/v1/service');
      expectStatus(a, 200);
      expectThat(typeof a.json?.open === 'boolean', 'open is not a boolean');
      expectThat(
        typeof a.json.hours === 'string' && /^\d{2}:\d{2}-\d{2}:\d{2}$/.test(a.json.hours),
        `hours ${JSON.stringify(a.json.hours)} is not HH:MM-HH:MM`,
      );
      expectThat(typeof a.json.now === 'string' && /\+09:00$/.test(a.json.now), `now ${JSON.stringify(a.json.now)} is not ISO 8601 in JST (+09:00)`);
      const skew = Math.abs(Date.parse(a.json.now) - Date.now());
      expectThat(skew < 120_000, `now is ${Math.round(skew / 1000)} s away from this machine's clock`);
      return `open=${a.json.open} hours=${a.json.hours}`;
    },
  },
  {
    id: 'service.closed',
    group: 'service',
    title: 'outside the service hours POST /v1/sessions answers 503 ERR_SERVICE_CLOSED',
    async run(ctx) {
      const status = await ctx.kiosk.call('GET', '/v1/service');
      const open = status.json?.open;
      if (!ctx.options.expectClosed && open !== false) {
        notRun('the relay is open now; configure its hours to exclude now (SERVICE_HOURS) and run the kit with --expect-closed');
      }
      expectThat(open === false, `--expect-closed was given but GET /v1/service answered open=${JSON.stringify(open)}`);
      const a = await ctx.kiosk.call('POST', '/v1/sessions');
      expectProblem(a, 503, ['ERR_SERVICE_CLOSED']);
      return describe(a);
    },
  },
];
