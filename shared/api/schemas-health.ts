import * as z from 'zod';
import { lazySchema } from '../domain/lazy-schema';

// The health check's answer (functions/health builds this and no other route schema at start).

export const HealthResponse = lazySchema(() =>
  z.object({ status: z.literal('ok'), stage: z.string(), time: z.iso.datetime() }),
);
