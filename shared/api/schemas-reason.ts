import * as z from 'zod';
import { humanText } from '../domain/text';

// Lifecycle commands: a person says why an order is stopped (timeline, customer, events); returns
// too. Re-exported by schemas-orders.ts and schemas-returns.ts for their routes.
export const ReasonRequest = z.strictObject({ reason: humanText({ max: 500, multiline: true }) }).meta({ id: 'ReasonInput' });
