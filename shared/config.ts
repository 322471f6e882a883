import * as z from 'zod';

// The environment a function is deployed with (see infra). Parsed once at cold
// start: a missing variable fails the init with a message naming it, instead of a
// confusing error on the first request.
export const Config = z.object({
  TABLE_NAME: z.string().min(1),
  EVENT_BUS_NAME: z.string().min(1),
  STAGE: z.string().min(1).default('dev'),
  POWERTOOLS_SERVICE_NAME: z.string().default('oms'),
});
export type Config = z.infer<typeof Config>;

/** A queued step that retries sooner (infra `retriesSooner`) is also told the queue it consumes. */
export const QueuedStepConfig = Config.extend({ QUEUE_URL: z.string().min(1).optional() });

export function parseConfig<S extends z.ZodObject>(schema: S, env: Record<string, string | undefined> = process.env): z.infer<S> {
  const result = schema.safeParse(env);
  if (!result.success) {
    const problems = result.error.issues.map((i) => `${i.path.join('.') || '(env)'}: ${i.message}`).join('; ');
    throw new Error(`Invalid environment configuration: ${problems}`);
  }
  return result.data;
}

export const loadConfig = (env?: Record<string, string | undefined>): Config => parseConfig(Config, env);

/** Functions that only need part of the environment (health needs no table). */
export const loadStageConfig = (env?: Record<string, string | undefined>) => parseConfig(Config.pick({ STAGE: true }), env);
