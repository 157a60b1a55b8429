import { z } from 'zod';

/**
 * Parses a service's environment with its zod schema. A bad value stops the process with a message
 * naming the variable (STYLE.md, "Config").
 */
export function parseConfig<S extends z.ZodType>(schema: S, env: NodeJS.ProcessEnv = process.env, service = 'service'): z.infer<S> {
  const result = schema.safeParse(env);
  if (!result.success) {
    const lines = result.error.issues.map((i) => `  ${i.path.join('.') || '(root)'}: ${i.message}`);
    throw new ConfigError(`${service}: invalid configuration\n${lines.join('\n')}`);
  }
  return result.data;
}

export class ConfigError extends Error {
  override name = 'ConfigError';
}

/** "HH:MM-HH:MM" JST service window; "00:00-24:00" means always open. */
export const serviceHoursSchema = z.string().regex(/^([01]\d|2[0-4]):[0-5]\d-([01]\d|2[0-4]):[0-5]\d$/, 'expected HH:MM-HH:MM (JST)');

export const portSchema = z.coerce.number().int().min(0).max(65535);
