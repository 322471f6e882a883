import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ConflictError, BusinessRuleError } from '../../../shared/domain/errors';
import {
  cancelFulfilment, commandFor, lineQuantities, orderStatusOf, pack, planFulfilment, shipFrom, toFulfil, type Fulfilment,
} from '../../../shared/domain/fulfilment';
import { decide } from '../../../shared/domain/lifecycle';
import type { OrderStatus } from '../../../shared/domain/order-status';
import { isLegalTransition } from '../../../shared/domain/order-transitions';
import { assertFitsOneTransaction, planShipment, type ShipmentLine } from '../../../shared/domain/shipment';
import { shipmentMovements } from '../../../shared/domain/outbound-changes';

const now = new Date('2026-12-01T00:00:00.000Z');
const orderLines = [
  { sku: 'A', name: 'Tea', quantity: 3 },
  { sku: 'B', name: 'Cup', quantity: 2 },
  { sku: 'C', name: 'Pot', quantity: 1 },
];
const reserved = orderLines.map((l) => ({ sku: l.sku, quantity: l.quantity, locationId: 'MAIN' }));

function fulfilment(id: string, lines: { sku: string; quantity: number }[], status: Fulfilment['status'] = 'OPEN'): Fulfilment {
  return {
    fulfillmentId: id, orderId: 'o', orderNumber: 'W1', status, createdAt: `2026-12-01T00:00:0${id.slice(-1)}.000Z`, updatedAt: now.toISOString(), version: 1,
    lines: lines.map((l) => ({ ...l, name: l.sku, locationId: 'MAIN', shipped: 0 })),
  };
}

describe('fulfilment', () => {
  it('plans everything not yet covered, at the location of the reservation', () => {
    const q = lineQuantities(orderLines, [fulfilment('f1', [{ sku: 'A', quantity: 2 }])], []);
    expect(planFulfilment(q, reserved, {})).toEqual([
      { sku: 'A', name: 'Tea', quantity: 1, locationId: 'MAIN', shipped: 0 },
      { sku: 'B', name: 'Cup', quantity: 2, locationId: 'MAIN', shipped: 0 },
      { sku: 'C', name: 'Pot', quantity: 1, locationId: 'MAIN', shipped: 0 },
    ]);
  });

  it('refuses more than is left (409), an SKU the order lacks (422), and nothing left (409)', () => {
    const q = lineQuantities(orderLines, [fulfilment('f1', [{ sku: 'A', quantity: 2 }])], []);
    expect(() => planFulfilment(q, reserved, { lines: [{ sku: 'A', quantity: 2 }] })).toThrow(ConflictError);
    expect(() => planFulfilment(q, reserved, { lines: [{ sku: 'Z', quantity: 1 }] })).toThrow(BusinessRuleError);
    const all = lineQuantities(orderLines, [fulfilment('f1', orderLines)], []);
    expect(() => planFulfilment(all, reserved, {})).toThrow(/already in a fulfilment/);
  });

  it('a cancelled fulfilment gives its units back to "to fulfil"', () => {
    const f = fulfilment('f1', [{ sku: 'A', quantity: 2 }]);
    const cancelled = cancelFulfilment(f, now);
    expect(cancelled.status).toBe('CANCELLED');
    expect(toFulfil(lineQuantities(orderLines, [cancelled], [])[0]!)).toBe(3);
  });

  it('OPEN -> PACKED -> SHIPPED; a shipped unit stops a cancel; packing twice is a 409', () => {
    const packed = pack(fulfilment('f1', [{ sku: 'A', quantity: 2 }]), now);
    expect(() => pack(packed, now)).toThrow(ConflictError);
    const part = shipFrom(packed, [{ sku: 'A', quantity: 1 }], now);
    expect(part.status).toBe('PACKED');
    expect(() => cancelFulfilment(part, now)).toThrow(ConflictError);
    expect(shipFrom(part, [{ sku: 'A', quantity: 1 }], now).status).toBe('SHIPPED');
  });
});

describe('shipment', () => {
  it('takes packed units only, oldest fulfilment first', () => {
    const f1 = pack(fulfilment('f1', [{ sku: 'A', quantity: 1 }]), now);
    const f2 = pack(fulfilment('f2', [{ sku: 'A', quantity: 2 }, { sku: 'B', quantity: 2 }]), now);
    const open = fulfilment('f3', [{ sku: 'C', quantity: 1 }]);
    expect(planShipment([f2, f1, open], { lines: [{ sku: 'A', quantity: 2 }] })).toEqual([
      { sku: 'A', quantity: 1, fulfillmentId: 'f1', locationId: 'MAIN' },
      { sku: 'A', quantity: 1, fulfillmentId: 'f2', locationId: 'MAIN' },
    ]);
    expect(() => planShipment([f1, open], { lines: [{ sku: 'C', quantity: 1 }] })).toThrow(/More than is packed/);
    expect(() => planShipment([open], {})).toThrow(ConflictError);
  });

  it('commits each SKU once, shrinking the hold and ending it with the last units', () => {
    const shipment = (id: string, lines: ShipmentLine[]) => ({
      shipmentId: id, orderId: 'o', orderNumber: 'W1', carrier: 'kuaidi100' as const, trackingNumber: id, status: 'LABEL_CREATED' as const,
      lines, createdAt: now.toISOString(), updatedAt: now.toISOString(), version: 1,
    });
    const first = shipment('s1', [{ sku: 'A', quantity: 1, fulfillmentId: 'f1', locationId: 'MAIN' }, { sku: 'A', quantity: 1, fulfillmentId: 'f2', locationId: 'MAIN' }]);
    expect(shipmentMovements({ orderId: 'o' }, reserved, [], first, 'ops:u')).toEqual([
      expect.objectContaining({ sku: 'A', quantity: 2, movement: 'COMMIT', hold: 'reduce', cause: { orderId: 'o', shipmentId: 's1', reason: 'SHIPPED' } }),
    ]);
    const last = shipment('s2', [{ sku: 'A', quantity: 1, fulfillmentId: 'f2', locationId: 'MAIN' }]);
    expect(shipmentMovements({ orderId: 'o' }, reserved, [first], last, 'ops:u')[0]).toMatchObject({ quantity: 1, hold: 'end' });
  });

  it('refuses a shipment too big for one transaction (422)', () => {
    const lines = Array.from({ length: 21 }, (_, i) => ({ sku: `S${i}`, quantity: 1, fulfillmentId: 'f1', locationId: 'MAIN' }));
    expect(() => assertFitsOneTransaction(lines)).toThrow(BusinessRuleError);
    expect(() => assertFitsOneTransaction(lines.slice(0, 20))).not.toThrow();
  });
});

describe('order status from lines', () => {
  it('says partly shipped and partly delivered truthfully', () => {
    const q = (shipped: number[], delivered: number[]) => orderLines.map((l, i) => ({
      sku: l.sku, name: l.name, ordered: l.quantity, allocated: l.quantity, picked: l.quantity, shipped: shipped[i]!, delivered: delivered[i]!, returned: 0,
    }));
    expect(orderStatusOf(q([0, 0, 0], [0, 0, 0]), 'FULFILLING')).toBe('FULFILLING');
    expect(orderStatusOf(q([1, 0, 0], [0, 0, 0]), 'FULFILLING')).toBe('PARTIALLY_SHIPPED');
    expect(orderStatusOf(q([3, 2, 1], [0, 0, 0]), 'FULFILLING')).toBe('SHIPPED');
    expect(orderStatusOf(q([3, 2, 0], [3, 0, 0]), 'PARTIALLY_SHIPPED')).toBe('PARTIALLY_DELIVERED');
    expect(orderStatusOf(q([3, 2, 1], [3, 2, 1]), 'PARTIALLY_DELIVERED')).toBe('DELIVERED');
  });

  // ops on an order: fulfil some units, pack, cancel, ship packed units, deliver a shipment
  const op = fc.oneof(
    fc.record({ kind: fc.constant('fulfil' as const), sku: fc.nat({ max: 2 }), n: fc.integer({ min: 1, max: 3 }) }),
    fc.record({ kind: fc.constant('pack' as const), i: fc.nat({ max: 9 }) }),
    fc.record({ kind: fc.constant('cancel' as const), i: fc.nat({ max: 9 }) }),
    fc.record({ kind: fc.constant('ship' as const), sku: fc.nat({ max: 2 }), n: fc.integer({ min: 1, max: 3 }) }),
    fc.record({ kind: fc.constant('deliver' as const), i: fc.nat({ max: 9 }) }),
  );

  it('shipped <= picked <= allocated <= ordered, and the status reached through the table equals the derived one, whatever the interleaving', () => {
    fc.assert(fc.property(fc.array(op, { maxLength: 40 }), (ops) => {
      let fulfilments: Fulfilment[] = [];
      const shipments: { lines: ShipmentLine[]; delivered: boolean }[] = [];
      let status: OrderStatus = 'FULFILLING';
      let version = 1;
      let id = 0;
      const actor = { kind: 'system' as const, id: 'test' };
      for (const o of ops) {
        try {
          if (o.kind === 'fulfil') {
            const lines = planFulfilment(lineQuantities(orderLines, fulfilments, shipments), reserved, { lines: [{ sku: orderLines[o.sku]!.sku, quantity: o.n }] });
            fulfilments.push({ ...fulfilment(`f${id++}`, []), lines });
          } else if (o.kind === 'pack' || o.kind === 'cancel') {
            const f = fulfilments[o.i % Math.max(1, fulfilments.length)];
            if (!f) continue;
            const after = o.kind === 'pack' ? pack(f, now) : cancelFulfilment(f, now);
            fulfilments = fulfilments.map((x) => (x === f ? after : x));
          } else if (o.kind === 'ship') {
            const lines = planShipment(fulfilments, { lines: [{ sku: orderLines[o.sku]!.sku, quantity: o.n }] });
            fulfilments = fulfilments.map((f) => (lines.some((l) => l.fulfillmentId === f.fulfillmentId) ? shipFrom(f, lines.filter((l) => l.fulfillmentId === f.fulfillmentId), now) : f));
            shipments.push({ lines, delivered: false });
          } else {
            const s = shipments[o.i % Math.max(1, shipments.length)];
            if (!s || s.delivered) continue;
            s.delivered = true;
          }
        } catch (err) {
          if (!(err instanceof ConflictError || err instanceof BusinessRuleError)) throw err;
          continue;
        }
        const q = lineQuantities(orderLines, fulfilments, shipments);
        for (const l of q) {
          expect(l.delivered).toBeLessThanOrEqual(l.shipped);
          expect(l.shipped).toBeLessThanOrEqual(l.picked);
          expect(l.picked).toBeLessThanOrEqual(l.allocated);
          expect(l.allocated).toBeLessThanOrEqual(l.ordered);
        }
        // the order moves only through rows of the one table
        const derived = orderStatusOf(q, status);
        const command = commandFor(status, derived);
        if (command) {
          expect(isLegalTransition(status, derived)).toBe(true);
          const d = decide({ orderId: 'o', status, version }, { type: command, actor }, now);
          status = d.status;
          version = d.version;
        }
        expect(status).toBe(derived);
      }
    }), { numRuns: 300 });
  });
});
