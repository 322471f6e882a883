import { describe, expect, it } from 'vitest';
import type { Change } from '../../../shared/domain/decision';
import { placedWith, refusedChangeSet, shortSkus, waitingChangeSet, withCredit } from '../../../shared/domain/replacements';
import { replacementDue, settlementOf, type ReturnLine, type ReturnRecord } from '../../../shared/domain/returns';

const cny = (amount: number) => ({ amount, currency: 'CNY' });
const line = (sku: string, quantity: number): ReturnLine => ({ sku, name: sku, quantity, reason: 'r', unitPrice: cny(1500), restocked: 0, damaged: 0 });
const now = new Date('2026-12-01T08:00:00.000Z');

const exchange = (over: Partial<ReturnRecord> = {}): ReturnRecord => ({
  returnId: 'ret_1', orderId: 'o1', orderNumber: 'W20261201-0001', kind: 'exchange', status: 'RECEIVED', lines: [{ ...line('TEA', 1), restocked: 1 }],
  requestedBy: 'cs:u1', replacement: { lines: [{ sku: 'TEA-B', quantity: 1 }] }, createdAt: now.toISOString(), updatedAt: now.toISOString(), version: 3, ...over,
});

describe('replacements', () => {
  it('an exchange replaces with what it names (default the returned units); a claim refunds unless reshipped', () => {
    const lines = [line('TEA', 2)];
    expect(settlementOf({ type: 'exchange', lines: [] }, lines)).toEqual({ replacement: { lines: [{ sku: 'TEA', quantity: 2 }] } });
    expect(settlementOf({ type: 'exchange', lines: [], replacement: [{ sku: 'B', quantity: 1 }, { sku: 'B', quantity: 2 }] }, lines)).toEqual({ replacement: { lines: [{ sku: 'B', quantity: 3 }] } });
    expect(settlementOf({ type: 'claim', lines: [] }, lines)).toEqual({ settlement: 'refund' });
    expect(settlementOf({ type: 'claim', lines: [], settlement: 'reship' }, lines)).toEqual({ settlement: 'reship', replacement: { lines: [{ sku: 'TEA', quantity: 2 }] } });
    expect(() => settlementOf({ type: 'return', lines: [], replacement: [{ sku: 'B', quantity: 1 }] }, lines)).toThrow(/Only an exchange/);
    expect(() => settlementOf({ type: 'exchange', lines: [], settlement: 'reship' }, lines)).toThrow(/Only a claim/);
  });

  it('is due once an exchange is received or a reshipped claim approved, and only until placed', () => {
    expect(replacementDue(exchange())).toBe(true);
    expect(replacementDue(exchange({ status: 'APPROVED' }))).toBe(false);
    expect(replacementDue(exchange({ replacement: { lines: [{ sku: 'B', quantity: 1 }], order: { orderId: 'o2', orderNumber: 'X1' } } }))).toBe(false);
    expect(replacementDue(exchange({ kind: 'claim', settlement: 'reship', status: 'APPROVED' }))).toBe(true);
    expect(replacementDue(exchange({ kind: 'claim', settlement: 'refund', status: 'APPROVED' }))).toBe(false);
  });

  it('the credit makes the total what is left to pay, and a cheaper replacement owes the difference back', () => {
    const priced = (amount: number) => ({ lines: [], totals: { subtotal: cny(amount), total: cny(amount) } });
    expect(withCredit(priced(1500), cny(1500))).toEqual({ priced: { lines: [], totals: { subtotal: cny(1500), credit: cny(1500), total: cny(0) } } });
    expect(withCredit(priced(2000), cny(1500)).priced.totals.total).toEqual(cny(500));
    expect(withCredit(priced(800), cny(1500))).toMatchObject({ priced: { totals: { total: cny(0) } }, refund: cny(700) });
    expect(() => withCredit(priced(800), { amount: 1, currency: 'USD' })).toThrow(/priced in CNY/);
  });

  it('names the SKUs short of what the replacement needs (summed per SKU)', () => {
    const lines = [{ sku: 'A', quantity: 1 }, { sku: 'A', quantity: 1 }, { sku: 'B', quantity: 1 }, { sku: 'C', quantity: 1 }];
    expect(shortSkus(lines, new Map([['A', 1], ['B', 5]]))).toEqual(['A', 'C']);
    expect(shortSkus(lines, new Map([['A', 2], ['B', 1], ['C', 1]]))).toEqual([]);
  });

  it('waits once per set of short SKUs: a retry that finds the same ones changes nothing', () => {
    const first = waitingChangeSet(exchange(), ['TEA-B'], { kind: 'system', id: 'replacements' }, now)!;
    expect(first.events).toEqual([expect.objectContaining({ detailType: 'ReplacementDelayed', data: expect.objectContaining({ skus: ['TEA-B'] }) })]);
    expect(first.changes.filter((c) => c.entity === 'stockWait')).toHaveLength(1);
    const waiting = exchange({ replacement: { lines: [{ sku: 'TEA-B', quantity: 1 }], waitingFor: { reason: 'stock', skus: ['TEA-B'], since: now.toISOString() } } });
    expect(waitingChangeSet(waiting, ['TEA-B'], { kind: 'system', id: 'replacements' }, now)).toBeUndefined();
  });

  describe('a replacement order rejected at its reservation', () => {
    const SYSTEM = { kind: 'system', id: 'replacements' } as const;
    const X1 = { orderId: 'x1', orderNumber: 'X20261201-0001' };
    const exchanged = (over: Partial<ReturnRecord> = {}) => exchange({
      status: 'EXCHANGED', version: 4, refund: { refundId: 'rfd_1', paymentId: 'pay_1', amount: cny(700) },
      replacement: { lines: [{ sku: 'TEA-B', quantity: 1 }], order: X1, credit: cny(1500), due: cny(0) }, ...over,
    });
    const later = new Date(now.getTime() + 60_000);
    /** the return as stored after a change set's update of it */
    const applied = (r: ReturnRecord, changes: readonly Change[]): ReturnRecord => {
      const update = changes.find((c) => c.entity === 'return');
      return { ...r, ...(update && update.op === 'update' ? update.set : {}) } as ReturnRecord;
    };

    it('puts an exchange back to RECEIVED, waiting for the SKUs short, the refused order listed, the refund kept', () => {
      const r = exchanged();
      const set = refusedChangeSet(r, X1, ['TEA-B', 'TEA-B'], SYSTEM, later)!;
      const update = set.changes.find((c) => c.entity === 'return')!;
      expect(update).toMatchObject({ op: 'update', expect: { equals: { version: 4, status: 'EXCHANGED' } } });
      const after = applied(r, set.changes);
      expect(after).toMatchObject({ status: 'RECEIVED', version: 5, refund: r.refund });
      expect(after.replacement).toEqual({
        lines: [{ sku: 'TEA-B', quantity: 1 }],
        refused: [{ ...X1, skus: ['TEA-B'], at: later.toISOString() }],
        waitingFor: { reason: 'stock', skus: ['TEA-B'], since: later.toISOString() },
      });
      expect(replacementDue(after)).toBe(true);
      expect(set.changes.filter((c) => c.entity === 'stockWait')).toEqual([{ op: 'put', entity: 'stockWait', id: ['TEA-B', 'ret_1'], item: { sku: 'TEA-B', returnId: 'ret_1', orderId: 'o1' } }]);
      expect(set.timeline?.type).toBe('REPLACEMENT_REFUSED');
      expect(set.events).toEqual([{ detailType: 'ReplacementDelayed', data: expect.objectContaining({ skus: ['TEA-B'], refusedOrderId: 'x1', refusedOrderNumber: X1.orderNumber }) }]);
    });

    it('puts a reshipped claim back to APPROVED', () => {
      const claim = exchanged({ kind: 'claim', settlement: 'reship', status: 'RESHIPPED' });
      const after = applied(claim, refusedChangeSet(claim, X1, ['TEA-B'], SYSTEM, later)!.changes);
      expect(after.status).toBe('APPROVED');
      expect(replacementDue(after)).toBe(true);
    });

    it('changes nothing when the return no longer names that order (a redelivered rejection), is closed, or nothing is short', () => {
      const r = exchanged();
      const once = applied(r, refusedChangeSet(r, X1, ['TEA-B'], SYSTEM, later)!.changes);
      expect(refusedChangeSet(once, X1, ['TEA-B'], SYSTEM, later)).toBeUndefined();
      expect(refusedChangeSet(exchanged({ replacement: { lines: [{ sku: 'TEA-B', quantity: 1 }], order: { orderId: 'x2', orderNumber: 'X2' } } }), X1, ['TEA-B'], SYSTEM, later)).toBeUndefined();
      expect(refusedChangeSet(exchanged({ status: 'CLOSED' }), X1, ['TEA-B'], SYSTEM, later)).toBeUndefined();
      expect(refusedChangeSet(exchanged(), X1, [], SYSTEM, later)).toBeUndefined();
    });

    it('the next placement keeps the refused orders, ends the wait and refunds nothing unless told to', () => {
      const r = exchanged();
      const waiting = applied(r, refusedChangeSet(r, X1, ['TEA-B'], SYSTEM, later)!.changes);
      const original = { orderId: 'o1', orderNumber: 'W20261201-0001', version: 7, replacements: [{ ...X1, returnId: 'ret_1' }] };
      const order = { orderId: 'x2', orderNumber: 'X20261201-0002', totals: { subtotal: cny(800), credit: cny(1500), total: cny(0) } };
      const next = placedWith({ original, r: waiting, order, actor: SYSTEM, now: later });
      const placed = applied(waiting, next.changes);
      expect(placed).toMatchObject({ status: 'EXCHANGED', refund: r.refund, replacement: { order: { orderId: 'x2' }, refused: [{ orderId: 'x1' }] } });
      expect(placed.replacement!.waitingFor).toBeUndefined();
      expect(next.changes.find((c) => c.entity === 'order')).toMatchObject({ set: { replacements: [{ orderId: 'x1' }, { orderId: 'x2', returnId: 'ret_1' }] } });
      expect(next.changes.filter((c) => c.entity === 'stockWait')).toEqual([{ op: 'delete', entity: 'stockWait', id: ['TEA-B', 'ret_1'] }]);
      expect(next.changes.some((c) => c.entity !== 'return' && c.entity !== 'order' && c.entity !== 'stockWait')).toBe(false);
      expect(next.events.map((e) => e.detailType)).toEqual(['ReplacementPlaced']);
    });
  });
});
