import { defaultWorkflowSettings, WorkflowSettings } from '../domain/workflow-settings';
import { orderRepository } from '../store/order-repository';
import { paymentRepository } from '../store/payment-repository';
import { settingsRepository } from '../store/settings-repository';
import type { TableContext } from '../store/table';

/**
 * What payment vouchers read, and nothing else (the receipts bundle stays small): the
 * order, its payments (by payment id too, for the public check) and the business time
 * zone of the workflow settings.
 */
export function receiptReads(ctx: TableContext) {
  const settings = settingsRepository(ctx);
  return {
    orders: orderRepository(ctx),
    payments: paymentRepository(ctx),
    timeZone: async () => (await settings.get('workflow', WorkflowSettings, defaultWorkflowSettings())).timeZone,
  };
}
