import { newOrder, priceOrder, type PlaceOrderRequest } from '../../shared/domain/order';
import { formatOrderNumber, orderDay } from '../../shared/domain/order-number';
import type { ProductInput } from '../../shared/domain/product';
import type { Application as Repositories } from '../../shared/app';
import type { OrderLifecycle } from '../../shared/app/order-lifecycle';
import type { Outbound } from '../../shared/app/outbound';
import type { Payments } from '../../shared/app/payments';
import type { Actor } from '../../shared/domain/actor';

export const NOW = new Date('2026-11-27T03:00:00.000Z');

export const product = (name: string, amount: number, currency = 'CNY'): ProductInput => ({
  name,
  price: { amount, currency },
  cost: { amount: Math.floor(amount / 2), currency },
});

export function orderRequest(lines: { sku: string; quantity: number }[], overrides: Partial<PlaceOrderRequest> = {}): PlaceOrderRequest {
  return {
    channel: 'web',
    customer: { email: 'li.wei@example.com', name: 'Li Wei' },
    lines,
    shippingAddress: { name: 'Li Wei', line1: '88 Century Avenue', city: 'Shanghai', postalCode: '200120', country: 'CN' },
    ...overrides,
  };
}

/** Seeds a product with `onHand` units received. */
export async function stocked(repos: Repositories, sku: string, onHand: number, price = 1000): Promise<void> {
  await repos.products.put(sku, product(`Product ${sku}`, price), NOW);
  if (onHand > 0) {
    await repos.stock.adjust({ sku, delta: onHand, reason: 'RECEIVED', actor: 'test', causationId: 'seed' }, NOW);
  }
}

let sequence = 0;

/** Creates a PENDING order straight through the repository (no HTTP), priced from the catalog. */
export async function pendingOrder(
  repos: Repositories,
  lines: { sku: string; quantity: number }[],
  orderId = `ORD${String(++sequence).padStart(6, '0')}${Math.random().toString(36).slice(2, 8).toUpperCase()}`,
): Promise<string> {
  const request = orderRequest(lines);
  const catalog = await repos.products.getMany(lines.map((l) => l.sku));
  const seq = await repos.orders.nextOrderSequence(orderDay(NOW));
  const order = newOrder(request, priceOrder(request, catalog), {
    orderId,
    orderNumber: formatOrderNumber('web', NOW, seq),
    placedBy: 'shop-client-1',
    now: NOW,
  });
  await repos.orders.create(order, { claims: [], response: { statusCode: 202, body: {} }, actor: 'test', causationId: 'req', now: NOW });
  return orderId;
}

/** An order paid by a confirmed bank transfer, shipped in one parcel and delivered at NOW. */
export async function deliveredOrder(
  uc: { app: Repositories; lifecycle: OrderLifecycle; payments: Payments; outbound: Outbound },
  lines: { sku: string; quantity: number }[],
): Promise<string> {
  const as = (actor: Actor) => ({ actor, causationId: 'test', now: NOW });
  const ops: Actor = { kind: 'user', id: 'u-ops', role: 'ops' };
  const orderId = await pendingOrder(uc.app, lines);
  await uc.app.orders.reserve(orderId, 'evt', NOW);
  await uc.lifecycle.transition(orderId, { type: 'approve', actor: ops }, { causationId: 'test', now: NOW, paymentDeadlineMinutes: 60 });
  const transfer = await uc.payments.start(orderId, 'bank_transfer', as({ kind: 'user', id: 'u-cs', role: 'cs' }));
  await uc.payments.confirm(orderId, transfer.paymentId, `BANK-${orderId}`, as({ kind: 'user', id: 'u-fin', role: 'finance' }));
  const f = await uc.outbound.createFulfilment(orderId, undefined, as(ops));
  await uc.outbound.pack(f.fulfillmentId, as(ops));
  const s = await uc.outbound.createShipment(orderId, { carrier: 'kuaidi100', trackingNumber: `SF${orderId}` }, as(ops));
  await uc.outbound.delivered(orderId, s.shipmentId, NOW.toISOString(), { causationId: 'e', now: NOW });
  return orderId;
}
