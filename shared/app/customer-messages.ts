import { customerMessageRepository } from '../store/customer-message-repository';
import type { TableContext } from '../store/table';

/**
 * What the customer-messages worker reads and records: the order's contact by its key,
 * and one sent-marker per event (shared/store/customer-message-repository.ts).
 */
export const customerMessages = (ctx: TableContext) => customerMessageRepository(ctx);
export type CustomerMessages = ReturnType<typeof customerMessages>;
