import { describe, expect, it } from 'vitest';
import { returnStepChangeSet } from '../../../shared/domain/return-changes';
import { approve, autoApproves, close, planReturn, receive, reject, returnedUnits, type ReturnRecord } from '../../../shared/domain/returns';

const NOW = new Date('2026-12-01T00:00:00.000Z');
const CNY = (amount: number) => ({ amount, currency: 'CNY' });
const order = {
  orderId: 'o1', orderNumber: 'W-20261201-0001', status: 'DELIVERED' as const, version: 9,
  lines: [{ sku: 'TEA', name: 'Tea', quantity: 3, unitPrice: CNY(1500), lineTotal: CNY(4500) }, { sku: 'CUP', name: 'Cup', quantity: 2, unitPrice: CNY(800), lineTotal: CNY(1600) }],
};
const q = (sku: string, delivered: number, returned = 0) => ({ sku, name: sku, ordered: delivered, allocated: delivered, picked: delivered, shipped: delivered, delivered, returned });
const ctx = (over: Partial<Parameters<typeof planReturn>[0]> = {}) => ({
  order, quantities: [q('TEA', 3), q('CUP', 2)], byStorefront: true, deliveredAt: '2026-11-30T00:00:00.000Z', returnWindowDays: 7, now: NOW, ...over,
});

const record = (over: Partial<ReturnRecord> = {}): ReturnRecord => ({
  returnId: 'ret_1', orderId: 'o1', orderNumber: order.orderNumber, kind: 'return', status: 'APPROVED', requestedBy: 'storefront:s',
  lines: [{ sku: 'TEA', name: 'Tea', quantity: 2, reason: 'r', unitPrice: CNY(1500), restocked: 0, damaged: 0 }],
  createdAt: NOW.toISOString(), updatedAt: NOW.toISOString(), version: 2, ...over,
});

describe('return requests', () => {
  it('take at most what was delivered less what returns already took', () => {
    expect(planReturn(ctx(), { type: 'return', lines: [{ sku: 'TEA', quantity: 1, reason: 'a' }, { sku: 'TEA', quantity: 1, reason: 'b' }] }))
      .toEqual([{ sku: 'TEA', name: 'Tea', quantity: 2, reason: 'a; b', unitPrice: CNY(1500), restocked: 0, damaged: 0 }]);
    expect(() => planReturn(ctx({ quantities: [q('TEA', 3, 2), q('CUP', 2)] }), { type: 'return', lines: [{ sku: 'TEA', quantity: 2, reason: 'a' }] }))
      .toThrow(expect.objectContaining({ status: 409, slug: 'over-return', extensions: expect.objectContaining({ left: [{ sku: 'TEA', quantity: 1 }] }) }));
    expect(() => planReturn(ctx(), { type: 'return', lines: [{ sku: 'NOPE', quantity: 1, reason: 'a' }] })).toThrow(expect.objectContaining({ status: 422 }));
    expect(() => planReturn(ctx({ order: { ...order, status: 'SHIPPED' } }), { type: 'return', lines: [{ sku: 'TEA', quantity: 1, reason: 'a' }] })).toThrow(expect.objectContaining({ status: 409 }));
  });

  it('the storefront only inside the return window; staff any time', () => {
    const late = ctx({ now: new Date('2026-12-08T00:00:01.000Z') });
    const input = { type: 'return' as const, lines: [{ sku: 'TEA', quantity: 1, reason: 'a' }] };
    expect(() => planReturn(late, input)).toThrow(expect.objectContaining({ status: 403 }));
    expect(planReturn({ ...late, byStorefront: false }, input)).toHaveLength(1);
  });

  it('approve themselves below the amount or within the days the settings name; claims never', () => {
    const lines = planReturn(ctx(), { type: 'return', lines: [{ sku: 'CUP', quantity: 1, reason: 'a' }] });
    expect(autoApproves('return', lines, { autoApproveBelow: {}, autoApproveWithinDays: 0 }, '2026-11-30T00:00:00.000Z', NOW)).toBe(false);
    expect(autoApproves('return', lines, { autoApproveBelow: { CNY: 801 }, autoApproveWithinDays: 0 }, undefined, NOW)).toBe(true);
    expect(autoApproves('return', lines, { autoApproveBelow: { CNY: 800 }, autoApproveWithinDays: 1 }, '2026-11-30T00:00:00.000Z', NOW)).toBe(true);
    expect(autoApproves('claim', lines, { autoApproveBelow: { CNY: 10_000 }, autoApproveWithinDays: 30 }, '2026-11-30T00:00:00.000Z', NOW)).toBe(false);
  });

  it('rejected returns give their units back', () => {
    const taken = returnedUnits([record(), record({ status: 'REJECTED' }), record({ status: 'CLOSED' })]);
    expect(taken.get('TEA')).toBe(4);
  });
});

describe('return steps', () => {
  it('approval and receipt repeat as nothing; a receipt never exceeds the return', () => {
    expect(approve(record(), NOW)).toBeUndefined();
    expect(approve(record({ status: 'REQUESTED' }), NOW)).toMatchObject({ status: 'APPROVED', version: 3 });
    expect(() => approve(record({ status: 'REJECTED' }), NOW)).toThrow(expect.objectContaining({ status: 409 }));
    const got = receive(record(), [{ sku: 'TEA', quantity: 1, condition: 'resellable' }, { sku: 'TEA', quantity: 1, condition: 'damaged' }], 'MAIN', NOW)!;
    expect(got).toMatchObject({ status: 'RECEIVED', locationId: 'MAIN', lines: [{ restocked: 1, damaged: 1 }] });
    expect(receive(got, [], 'MAIN', NOW)).toBeUndefined();
    expect(() => receive(record(), [{ sku: 'TEA', quantity: 3, condition: 'resellable' }], 'MAIN', NOW)).toThrow(expect.objectContaining({ status: 422, slug: 'over-receipt' }));
    expect(() => receive(record({ kind: 'claim' }), [{ sku: 'TEA', quantity: 1, condition: 'resellable' }], 'MAIN', NOW)).toThrow(expect.objectContaining({ status: 409 }));
    expect(() => reject(record(), 'no', NOW)).toThrow(expect.objectContaining({ status: 409 }));
    expect(() => close(record(), NOW)).toThrow(expect.objectContaining({ status: 409 }));
  });

  it('a receipt restocks resellable units (RETURNED) and writes damaged ones off (DAMAGED) at the receiving location', () => {
    const before = record();
    const after = receive(before, [{ sku: 'TEA', quantity: 1, condition: 'resellable' }, { sku: 'TEA', quantity: 1, condition: 'damaged' }], 'WH-2', NOW)!;
    const set = returnStepChangeSet('receive', before, after, { kind: 'user', id: 'u', role: 'ops' }, NOW, 'received');
    expect(set.movements.map((m) => [m.sku, m.locationId, m.movement, m.quantity, m.cause.returnId])).toEqual([['TEA', 'WH-2', 'RETURNED', 1, 'ret_1'], ['TEA', 'WH-2', 'DAMAGED', 1, 'ret_1']]);
    expect(set.changes[0]).toMatchObject({ entity: 'return', expect: { equals: { version: 2, status: 'APPROVED' } } });
    expect(set.events.map((e) => e.detailType)).toEqual(['ReturnReceived']);
  });
});
