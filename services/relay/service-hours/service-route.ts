import { Router } from 'express';
import type { Clock } from '../../common/clock.js';
import type { ServiceHours } from './service-hours.js';

/** `GET /v1/service`: whether the kiosk may show the 接種証明書 button now. */
export function serviceRoute(deps: { serviceHours: ServiceHours; clock: Clock }): Router {
  const router = Router();
  router.get('/v1/service', (_req, res) => {
    res.json(deps.serviceHours.status(deps.clock));
  });
  return router;
}
