import type { z } from 'zod';
import { AppError, BadRequestError } from '../common/errors.js';

/**
 * Validates a request body with its schema. Errors name the fields only (values may be personal
 * data); `copies` outside 1..5 is its own code, ERR_COPIES (422).
 */
export function parseBody<S extends z.ZodType>(schema: S, body: unknown): z.infer<S> {
  const r = schema.safeParse(body ?? {});
  if (r.success) return r.data;
  const fields = [...new Set(r.error.issues.map((i) => i.path.join('.') || '(body)'))];
  if (fields.length === 1 && fields[0] === 'copies' && r.error.issues.every((i) => i.code === 'too_small' || i.code === 'too_big')) {
    throw new AppError('ERR_COPIES', 422, 'copies must be 1 to 5');
  }
  throw new BadRequestError(`Invalid request body: ${fields.join(', ')}`, { fields });
}
