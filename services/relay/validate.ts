import type { z } from 'zod';
import { validationError } from '../common/validation.js';
import { CopiesError } from './relay-errors.js';

/**
 * Validates a request body with its schema through the common validation helper (400
 * ERR_BAD_REQUEST with `fields` and `issues`, never values); `copies` outside 1..5 is its own code,
 * ERR_COPIES (422).
 */
export function parseBody<S extends z.ZodType>(schema: S, body: unknown): z.infer<S> {
  const r = schema.safeParse(body ?? {});
  if (r.success) return r.data;
  const onlyCopies = r.error.issues.every((i) => i.path.join('.') === 'copies' && (i.code === 'too_small' || i.code === 'too_big'));
  if (onlyCopies) throw new CopiesError();
  throw validationError(r.error);
}
