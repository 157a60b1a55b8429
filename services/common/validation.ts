import type { z } from 'zod';
import { BadRequestError, type FieldIssue } from './errors.js';

/**
 * The one way a zod failure becomes a problem: 400 `ERR_BAD_REQUEST` whose `fields` lists the
 * distinct field paths and whose `issues` lists `{ field, rule }` (the zod issue code), in every
 * service. Never a value: values may be passwords, My Numbers or card bytes.
 */
export function validationError(error: z.ZodError, what = 'request body'): BadRequestError {
  const issues: FieldIssue[] = error.issues.map((i) => ({ field: i.path.map(String).join('.') || '(body)', rule: i.code }));
  return new BadRequestError(`Invalid ${what}: ${[...new Set(issues.map((i) => i.field))].join(', ')}`, issues);
}

/** Parses untrusted input with `schema`, or throws {@link validationError}. A missing body counts as `{}`. */
export function parseInput<S extends z.ZodType>(schema: S, value: unknown, what = 'request body'): z.infer<S> {
  const r = schema.safeParse(value ?? {});
  if (r.success) return r.data;
  throw validationError(r.error, what);
}
