import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { moneySummary, paymentView, refundView } from '../domain/money-ledger';
import type { MoneyEntry, MoneySummary, OpenAttempt, Payment, PaymentRecord, Refund, RefundRecord } from '../domain/payment';
import * as keys from './keys';
import { ENTITY } from './keys';
import { queryAll, type TableContext } from './table';

/** Everything an order holds about money, as read from its partition. */
export interface OrderMoney {
  payments: PaymentRecord[];
  refunds: RefundRecord[];
  entries: MoneyEntry[];
  open?: OpenAttempt;
}

/** What GET /orders/{orderId} adds to the order: the ledger's sums, the attempts and the refunds. */
export interface MoneyView {
  money: MoneySummary;
  payments: Payment[];
  refunds: Refund[];
}

const byCreation = <T extends { createdAt: string }>(a: T, b: T) => a.createdAt.localeCompare(b.createdAt);

/** An item as the record it was written from (the writer's own change sets wrote it), without its keys. */
function recordOf<T>(item: Record<string, unknown>): T {
  const { pk: _pk, sk: _sk, type: _type, ...rest } = item;
  return rest as T;
}

/**
 * Payment items of an order partition (any other item is skipped). They are read as
 * written: only the payment change sets write them, from records the domain built.
 */
export function orderMoneyFrom(items: readonly Record<string, unknown>[]): OrderMoney {
  const of = (type: string) => items.filter((i) => i.type === type);
  const open = of(ENTITY.paymentOpen)[0];
  const payments = of(ENTITY.payment).map((i) => recordOf<PaymentRecord>(i)).sort(byCreation);
  const openAttempt = open ? payments.find((p) => p.paymentId === open.paymentId) : undefined;
  return {
    payments,
    refunds: of(ENTITY.refund).map((i) => recordOf<RefundRecord>(i)).sort(byCreation),
    entries: of(ENTITY.moneyEntry).map((i) => recordOf<MoneyEntry>(i)).sort((a, b) => a.at.localeCompare(b.at)),
    ...(open ? { open: { paymentId: String(open.paymentId), openedAt: Number(open.openedAt), ...(openAttempt ? { provider: openAttempt.provider, method: openAttempt.method } : {}) } } : {}),
  };
}

export function moneyView(m: OrderMoney, currency: string): MoneyView {
  return { money: moneySummary(m.entries, currency), payments: m.payments.map(paymentView), refunds: m.refunds.map(refundView) };
}

/** Reads of payments; every write is a change set committed by the writer. */
export function paymentRepository(ctx: TableContext) {
  return {
    /** The order a payment belongs to (callbacks name only the payment). */
    async orderOf(paymentId: string): Promise<string | undefined> {
      const res = await ctx.doc.send(new GetCommand({ TableName: ctx.tableName, Key: keys.paymentRef(paymentId), ConsistentRead: true }));
      return res.Item ? String(res.Item.orderId) : undefined;
    },

    /** Attempts, refunds, ledger entries and the open marker of an order: one Query. */
    async money(orderId: string): Promise<OrderMoney> {
      const { pk, skPrefix } = keys.paymentsPrefix(orderId);
      const items = await queryAll(ctx, {
        KeyConditionExpression: 'pk = :pk AND begins_with(sk, :p)',
        ExpressionAttributeValues: { ':pk': pk, ':p': skPrefix },
        ConsistentRead: true,
      });
      return orderMoneyFrom(items);
    },
  };
}
export type PaymentRepository = ReturnType<typeof paymentRepository>;
