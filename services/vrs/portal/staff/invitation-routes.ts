import { Router } from 'express';
import { z } from 'zod';
import type { VrsDeps } from '../../deps.js';
import type { ResolvedPortalOptions } from '../portal-options.js';
import { parseInput } from '../../../common/validation.js';
import { acceptInvitation } from './invitations.js';
import { MIN_PASSWORD_LENGTH } from './staff-routes.js';

const AcceptBody = z.strictObject({
  token: z.string().regex(/^[A-Za-z0-9_-]{43}$/),
  password: z.string().min(MIN_PASSWORD_LENGTH).max(1024),
});

/**
 * `POST /invitation/accept` `{ token, password }`: before login, for the person who got the
 * invitation mail. The token is the capability (256 random bits, kept only as a digest), so the
 * route needs no session and no CSRF token; a page elsewhere cannot know it.
 */
export function invitationRoutes(deps: VrsDeps, options: ResolvedPortalOptions): Router {
  const router = Router();
  router.post('/invitation/accept', async (req, res) => {
    const body = parseInput(AcceptBody, req.body);
    const account = await acceptInvitation(deps, options, body.token, body.password);
    deps.log.info({ event: 'portal.invitation.accepted' }, 'staff invitation accepted');
    res.status(201).json(account);
  });
  return router;
}
