import { describe, expect, it } from 'vitest';
import type { Actor } from '../../../shared/domain/actor';
import { ForbiddenError } from '../../../shared/domain/errors';
import type { Fulfilment } from '../../../shared/domain/fulfilment';
import type { OrderRecord } from '../../../shared/domain/order';
import { completionChangeSet, deliveryChangeSet, fulfilmentCreatedChangeSet, shipmentChangeSet } from '../../../shared/domain/outbound-changes';
import type { Shipment } from '../../../shared/domain/shipment';
import { TrackingRecord } from '../../../shared/shipping/port';

// The outbound decisions as data: what one transaction would write, read without a table.

const now = new Date('2026-12-01T00:00:00.000Z');
const OPS: Actor = { kind: 'user', id: 'u-ops', role: 'ops' };
const CS: Actor = { kind: 'user', id: 'u-cs', role: 'cs' };
const money = (amount: number) => ({ amount, currency: 'CNY' });

const order = (status: OrderRecord['status'], version = 5): OrderRecord => ({
  orderId: 'o1', orderNumber: 'W20261201-0001', status, channel: 'web', placedBy: 'shop',
  customer: { customerId: 'c1', email: 'li@example.com', name: 'Li Wei' },
  lines: [{ sku: 'A', name: 'Tea', quantity: 2, unitPrice: money(100), lineTotal: money(200) }, { sku: 'B', name: 'Cup', quantity: 1, unitPrice: money(50), lineTotal: money(50) }],
  totals: { subtotal: money(250), total: money(250) },
  shippingAddress: { name: 'Li Wei', line1: '1 Road', city: 'Shanghai', postalCode: '200000', country: 'CN' },
  version, createdAt: now.toISOString(), updatedAt: now.toISOString(),
});
const packed: Fulfilment = {
  fulfillmentId: 'f1', orderId: 'o1', orderNumber: 'W20261201-0001', status: 'PACKED', createdAt: now.toISOString(), updatedAt: now.toISOString(), version: 2,
  lines: [{ sku: 'A', name: 'Tea', quantity: 2, locationId: 'MAIN', shipped: 0 }, { sku: 'B', name: 'Cup', quantity: 1, locationId: 'MAIN', shipped: 0 }],
};
const shipment = (lines: Shipment['lines'], id = 's1'): Shipment => ({
  shipmentId: id, orderId: 'o1', orderNumber: 'W20261201-0001', carrier: 'kuaidi100', trackingNumber: `SF${id}`, status: 'LABEL_CREATED', lines,
  createdAt: now.toISOString(), updatedAt: now.toISOString(), version: 1,
});
const reserved = [{ sku: 'A', quantity: 2, locationId: 'MAIN' }, { sku: 'B', quantity: 1, locationId: 'MAIN' }];

describe('outbound change sets', () => {
  it('a first fulfilment moves a PAID order to FULFILLING and tells the warehouse', () => {
    const { set, fulfilment } = fulfilmentCreatedChangeSet({ order: order('PAID'), fulfilments: [], shipments: [] }, { fulfillmentId: 'f1', lines: packed.lines }, OPS, now);
    expect(fulfilment.status).toBe('OPEN');
    expect(set.events.map((e) => e.detailType)).toEqual(['FulfillmentStarted', 'FulfillmentCreated']);
    expect(set.changes.map((c) => [c.op, c.entity])).toEqual([['update', 'order'], ['put', 'fulfilment'], ['put', 'fulfilmentRef']]);
  });

  it('a partial shipment: order PARTIALLY_SHIPPED on its version, fulfilment on its version, tracking record put once, the hold reduced', () => {
    const set = shipmentChangeSet({ order: order('FULFILLING'), fulfilments: [packed], shipments: [] }, reserved, shipment([{ sku: 'A', quantity: 1, fulfillmentId: 'f1', locationId: 'MAIN' }]), OPS, now);
    expect(set.events.map((e) => e.detailType)).toEqual(['ShipmentCreated', 'OrderPartiallyShipped']);
    expect(set.changes).toEqual(expect.arrayContaining([
      expect.objectContaining({ entity: 'order', expect: { equals: { version: 5, status: 'FULFILLING' } }, set: expect.objectContaining({ status: 'PARTIALLY_SHIPPED', version: 6 }) }),
      expect.objectContaining({ entity: 'fulfilment', expect: { equals: { version: 2 } }, set: expect.objectContaining({ status: 'PACKED', version: 3 }) }),
      expect.objectContaining({ op: 'put', entity: 'tracking', id: ['SFs1'], expect: { exists: false }, item: expect.objectContaining({ status: 'LABEL_CREATED', checkpoints: [] }) }),
    ]));
    expect(set.movements).toEqual([expect.objectContaining({ sku: 'A', movement: 'COMMIT', quantity: 1, hold: 'reduce' })]);
    // no personal data in the tracking record, and it is what the shipping contract's TrackingRecord reads
    const tracking = set.changes.find((c) => c.entity === 'tracking');
    expect(JSON.stringify(tracking)).not.toMatch(/Li Wei|Shanghai|li@example/);
    expect(TrackingRecord.parse(tracking && 'item' in tracking ? tracking.item : undefined)).toMatchObject({ trackingNumber: 'SFs1', orderId: 'o1', shipmentId: 's1' });
  });

  it('only ops and admin (or the system) ship', () => {
    expect(() => shipmentChangeSet({ order: order('FULFILLING'), fulfilments: [packed], shipments: [] }, reserved, shipment([{ sku: 'A', quantity: 2, fulfillmentId: 'f1', locationId: 'MAIN' }, { sku: 'B', quantity: 1, fulfillmentId: 'f1', locationId: 'MAIN' }]), CS, now))
      .toThrow(ForbiddenError);
  });

  it('delivery of the last shipment: DELIVERED with a completion due item at the end of the return window; a second delivery decides nothing', () => {
    const s = { ...shipment([{ sku: 'A', quantity: 2, fulfillmentId: 'f1', locationId: 'MAIN' }, { sku: 'B', quantity: 1, fulfillmentId: 'f1', locationId: 'MAIN' }]) };
    const state = { order: order('SHIPPED'), fulfilments: [{ ...packed, status: 'SHIPPED' as const }], shipments: [s] };
    const set = deliveryChangeSet(state, 's1', '2026-12-02T10:00:00+08:00', { kind: 'system', id: 'shipment-progress' }, now, 7)!;
    expect(set.events.map((e) => e.detailType)).toEqual(['OrderDelivered']);
    expect(set.changes).toContainEqual({ op: 'put', entity: 'completionDue', id: ['o1'], item: { orderId: 'o1', dueAt: '2026-12-08T00:00:00.000Z' } });
    expect(deliveryChangeSet({ ...state, shipments: [{ ...s, status: 'DELIVERED' }] }, 's1', '2026-12-02T10:00:00+08:00', { kind: 'system', id: 'x' }, now, 7)).toBeUndefined();
  });

  it('completion removes the due item with the move to COMPLETED', () => {
    const set = completionChangeSet(order('DELIVERED'), { kind: 'system', id: 'complete-orders' }, now);
    expect(set.events.map((e) => e.detailType)).toEqual(['OrderCompleted']);
    expect(set.changes).toContainEqual({ op: 'delete', entity: 'completionDue', id: ['o1'] });
  });
});
