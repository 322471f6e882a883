import { StockReserved } from '../../events/orders';
import { parseSqsRecord } from '../../events/define-event';
import { ConflictError } from '../../shared/domain/errors';
import { alreadyApplied } from '../../shared/domain/lifecycle';
import { reservedOrder, type ReviewedOrder } from '../../shared/domain/carried-order';
import type { OrderRecord } from '../../shared/domain/order';
import { evaluateReview, reviewNeedsEmail, type ReviewFacts } from '../../shared/domain/review-policy';
import { defaultWorkflowSettings, WorkflowSettings } from '../../shared/domain/workflow-settings';
import { logger } from '../../shared/middleware/logger';
import { sqsBatch } from '../../shared/middleware/sqs-batch';
import type { OrderLifecycle } from '../../shared/app/order-lifecycle';
import type { OrderRepository } from '../../shared/store/order-repository';
import type { Settings } from '../../shared/app/settings';
import { businessMetrics, COUNTS } from '../../shared/observability/metrics';
import { readEvery } from '../../shared/app/read-every';

export const REVIEWER = { kind: 'system', id: 'review-order' } as const;

/** How long a container reuses the workflow settings it read: a change reaches reviews within this. */
export const WORKFLOW_SETTINGS_TTL_MS = 5_000;

export interface ReviewOrderDeps {
  orders: Pick<OrderRepository, 'getRecord'>;
  lifecycle: Pick<OrderLifecycle, 'transition' | 'requireReview' | 'hasEarlierOrder'>;
  settings: Pick<Settings, 'get'>;
  now: () => Date;
  /** default WORKFLOW_SETTINGS_TTL_MS; 0 reads them for every order */
  settingsTtlMs?: number;
}

export async function reviewFacts(order: ReviewedOrder, lifecycle: ReviewOrderDeps['lifecycle'], settings: Pick<WorkflowSettings, 'review'>): Promise<ReviewFacts> {
  return {
    channel: order.channel,
    total: order.totals.total,
    customer: { customerId: order.customer.customerId, ...(order.customer.email !== undefined ? { email: order.customer.email } : {}) },
    // read only when a rule asks; only "none" matters to it, so one index read of at most two items answers it
    ...(settings.review.firstTimeCustomers ? { previousOrders: (await lifecycle.hasEarlierOrder(order)) ? 1 : 0 } : {}),
    shippingCountry: order.shippingAddress.country,
    skus: order.lines.map((l) => l.sku),
  };
}

/**
 * After reservation, the workflow settings decide (read at most once per
 * WORKFLOW_SETTINGS_TTL_MS per container): auto-approve (AWAITING_PAYMENT with
 * the payment deadline) or leave the order IN_REVIEW with the reasons on record. Both
 * are done once: a redelivered message, or an order a person already acted on, is skipped.
 *
 * It decides on the order as StockReserved describes it, without reading it, unless the
 * event lacks a fact (published before they were carried) or a rule asks about the
 * customer's email, which no event carries. Every write is conditioned on the order's
 * version and status, so a stale copy (a redelivery, an order a person acted on) fails
 * it, and the order is read and decided on as it is.
 */
export function makeHandler(deps: ReviewOrderDeps) {
  const workflowSettings = readEvery(() => deps.settings.get('workflow', WorkflowSettings, defaultWorkflowSettings()), deps.settingsTtlMs ?? WORKFLOW_SETTINGS_TTL_MS);

  async function settleNothingDue(order: ReviewedOrder, causationId: string): Promise<void> {
    try {
      await deps.lifecycle.transition(order.orderId, { type: 'pay', actor: REVIEWER }, { causationId, now: deps.now(), nothingDue: true, read: order });
      logger.info('Order with nothing to pay settled', { orderId: order.orderId });
    } catch (err) {
      if (err instanceof ConflictError && err.extensions.status !== 'IN_REVIEW') return;
      throw err;
    }
  }

  return sqsBatch(async (record) => {
    const reserved = parseSqsRecord(StockReserved, record);
    const { orderId } = reserved.data;
    const causationId = reserved.metadata.eventId;
    const settings = await workflowSettings();
    const carried = reviewNeedsEmail(settings) ? undefined : reservedOrder(reserved.data);
    const order: ReviewedOrder | undefined = carried ?? await deps.orders.getRecord(orderId);
    if (!order) throw new Error(`Order ${orderId} not found`);
    if (order.status !== 'IN_REVIEW' || order.reviewReasons !== undefined) {
      logger.info('Review skipped', { orderId, status: order.status });
      return;
    }
    if (order.totals.total.amount === 0) {
      // Nothing to pay (a replacement the return's credit covers; customer service approved
      // the return already): no payment risk to review, the reserved order is paid as it is.
      await settleNothingDue(order, causationId);
      return;
    }
    const outcome = await evaluateReview(await reviewFacts(order, deps.lifecycle, settings), settings);
    const opts = { causationId, now: deps.now(), paymentDeadlineMinutes: settings.paymentDeadlineMinutes };

    if (outcome.decision === 'MANUAL_REVIEW') {
      const result = await deps.lifecycle.requireReview(orderId, outcome, { ...opts, read: order });
      logger.info('Order waits for review', { orderId, rules: outcome.rules, outcome: result.outcome });
      return;
    }
    try {
      await deps.lifecycle.transition(orderId, { type: 'auto-approve', actor: REVIEWER }, { ...opts, read: order });
      logger.info('Order auto-approved', { orderId, settingsVersion: settings.version });
      businessMetrics.count(COUNTS.ordersApproved);
    } catch (err) {
      // someone got there first (a person approved or cancelled it, or an earlier delivery
      // sent it to a person): nothing left to do
      if (err instanceof ConflictError && (err.extensions.status !== 'IN_REVIEW' || err.slug === 'sent-for-review')) {
        const status = err.extensions.status as OrderRecord['status'];
        logger.info('Review skipped', { orderId, status, approvedAlready: alreadyApplied(status, 'auto-approve') });
        return;
      }
      throw err;
    }
  });
}
