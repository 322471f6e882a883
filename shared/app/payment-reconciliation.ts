import { PAYMENT_EVENTS } from '../../events/payments';
import { comparePayment, driftFingerprint, refundedOf } from '../domain/payment-reconciliation';
import type { PaymentRecord } from '../domain/payment';
import { CallbackProvider, type PaymentProviderAdapter } from '../payments/port';
import * as keys from '../store/keys';
import { INDEX } from '../store/keys';
import { orderRepository, type OrderRepository } from '../store/order-repository';
import { queryAll, type TableContext } from '../store/table';
import { ConditionFailed, makeWriter, type Writer } from '../store/writer';
import { stamper } from './events';

/** The events these use cases publish, stamped for the outbox. */
const stamped = stamper(PAYMENT_EVENTS);

// Payment reconciliation: each provider is asked (adapter `retrieve`) about our
// attempts still PENDING past a threshold and about those settled in the last day;
// any difference becomes PaymentDriftDetected for finance. Nothing about money is
// written here: only the drift's marker (so a rerun reports it once) and its event.

export const PENDING_THRESHOLD_MINUTES = 15;
const SETTLED_WINDOW_MS = 24 * 60 * 60 * 1000;
const ACTOR = 'system:reconcile-payments';

export interface Candidate {
  orderId: string;
  paymentId: string;
}

export interface ReconcileRun {
  checked: number;
  drifts: number;
  /** drifts already reported by an earlier run */
  alreadyReported: number;
  skipped: number;
  /** provider calls that failed: the next run asks again */
  errors: { paymentId: string; message: string }[];
}

export interface PaymentReconciliationDeps {
  store: { orders: Pick<OrderRepository, 'get'>; writer: Pick<Writer, 'commit'>; ctx: TableContext };
  adapterFor(provider: CallbackProvider): PaymentProviderAdapter;
  pendingThresholdMinutes?: number;
}

const candidateOf = (item: Record<string, unknown>): Candidate => {
  const [, orderId, paymentId] = String(item.gsi2sk).split('#');
  return { orderId: orderId!, paymentId: paymentId! };
};

/** Attempts open (PENDING) since before `before`, and charges settled since `since`: index queries only. */
export async function reconciliationCandidates(ctx: TableContext, before: Date, since: Date, now: Date): Promise<Candidate[]> {
  const pending = await queryAll(ctx, {
    IndexName: INDEX.gsi2,
    KeyConditionExpression: 'gsi2pk = :pk AND gsi2sk < :before',
    ExpressionAttributeValues: { ':pk': keys.paymentPendingPk, ':before': keys.paymentPendingBefore(before.toISOString()) },
  });
  const days = [...new Set([since.toISOString().slice(0, 10), now.toISOString().slice(0, 10)])];
  const settled = (await Promise.all(days.map((day) => queryAll(ctx, {
    IndexName: INDEX.gsi2,
    KeyConditionExpression: 'gsi2pk = :pk AND gsi2sk >= :since',
    ExpressionAttributeValues: { ':pk': keys.paymentSettledPk(day), ':since': since.toISOString() },
  })))).flat();
  const seen = new Set<string>();
  return [...pending, ...settled].map(candidateOf).filter((c) => !seen.has(c.paymentId) && seen.add(c.paymentId));
}

export function makePaymentReconciliation(deps: PaymentReconciliationDeps) {
  const thresholdMs = (deps.pendingThresholdMinutes ?? PENDING_THRESHOLD_MINUTES) * 60_000;

  async function check(c: Candidate, now: Date, causationId: string): Promise<'agrees' | 'drift' | 'reported' | 'skipped'> {
    const order = await deps.store.orders.get(c.orderId);
    const payment = order?.payments.find((p) => p.paymentId === c.paymentId) as PaymentRecord | undefined;
    if (!order || !payment) return 'skipped';
    const provider = CallbackProvider.safeParse(payment.provider);
    if (!provider.success) return 'skipped'; // bank transfer, cash on delivery: no provider to ask
    const theirs = await deps.adapterFor(provider.data).retrieve({ paymentId: payment.paymentId, ...(payment.providerRef ? { providerRef: payment.providerRef } : {}) });
    const drifts = comparePayment({ payment, refunded: refundedOf(payment, order.refunds) }, theirs);
    if (!drifts.length) return 'agrees';
    const at = now.toISOString();
    try {
      await deps.store.writer.commit(stamped({
        aggregate: { entity: 'order', id: order.orderId }, at, movements: [],
        changes: [{
          op: 'put', entity: 'paymentDrift', id: [order.orderId, payment.paymentId, driftFingerprint(drifts)], tag: 'drift',
          expect: { exists: false }, item: { orderId: order.orderId, paymentId: payment.paymentId, drifts, detectedAt: at },
        }],
        events: [{
          detailType: 'PaymentDriftDetected',
          data: {
            orderId: order.orderId, orderNumber: order.orderNumber, paymentId: payment.paymentId, method: payment.method, provider: payment.provider,
            status: payment.status, drifts,
            actor: ACTOR,
          },
        }],
      }, { now, correlationId: order.orderId, causationId }));
      return 'drift';
    } catch (err) {
      if (err instanceof ConditionFailed) return 'reported';
      throw err;
    }
  }

  return {
    async reconcileAll(now: Date, causationId: string): Promise<ReconcileRun> {
      const candidates = await reconciliationCandidates(deps.store.ctx, new Date(now.getTime() - thresholdMs), new Date(now.getTime() - SETTLED_WINDOW_MS), now);
      const run: ReconcileRun = { checked: 0, drifts: 0, alreadyReported: 0, skipped: 0, errors: [] };
      for (const c of candidates) {
        try {
          const outcome = await check(c, now, causationId);
          if (outcome === 'skipped') run.skipped++;
          else run.checked++;
          if (outcome === 'drift') run.drifts++;
          if (outcome === 'reported') run.alreadyReported++;
        } catch (err) {
          run.errors.push({ paymentId: c.paymentId, message: err instanceof Error ? err.message : String(err) });
        }
      }
      return run;
    },
  };
}
export type PaymentReconciliation = ReturnType<typeof makePaymentReconciliation>;

/** Over a table, with the stage's provider adapters. */
export function paymentReconciliation(ctx: TableContext, adapterFor: PaymentReconciliationDeps['adapterFor'], pendingThresholdMinutes?: number): PaymentReconciliation {
  return makePaymentReconciliation({ store: { orders: orderRepository(ctx), writer: makeWriter(ctx), ctx }, adapterFor, ...(pendingThresholdMinutes ? { pendingThresholdMinutes } : {}) });
}
