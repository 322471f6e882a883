import * as z from 'zod';
import { humanText } from '../domain/text';
import { lazySchema } from '../domain/lazy-schema';

// Lifecycle commands: a person says why an order is stopped (timeline, customer, events); returns
// too. Re-exported by schemas-orders.ts and schemas-returns.ts for their routes.
export const ReasonRequest = lazySchema(() =>
  z.strictObject({ reason: humanText({ max: 500, multiline: true }) }).meta({ id: 'ReasonInput' }),
);
