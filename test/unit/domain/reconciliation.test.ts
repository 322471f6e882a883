import { describe, expect, it } from 'vitest';
import { ReconciliationReport, reconcile } from '../../../shared/domain/reconciliation';

const level = (onHand: number, reserved: number, available = onHand - reserved) => ({ sku: 'A', onHand, reserved, available });

describe('reconcile', () => {
  it('finds nothing when reserved equals the live reservations', () => {
    const report = reconcile(level(10, 5), [{ orderId: 'o1', quantity: 2 }, { orderId: 'o2', quantity: 3 }]);
    expect(ReconciliationReport.parse(report)).toEqual(report);
    expect(report).toMatchObject({ ok: true, expectedReserved: 5, drift: 0, liveReservations: 2, problems: [] });
  });

  it('reports stock held by nobody as positive drift', () => {
    const report = reconcile(level(10, 4), [{ orderId: 'o1', quantity: 1 }]);
    expect(report).toMatchObject({ ok: false, expectedReserved: 1, drift: 3 });
    expect(report.problems).toEqual([{ code: 'reserved-drift', message: 'A: reserved is 4 but live reservations add up to 1 (+3)' }]);
  });

  it('reports reservations the counter does not know about as negative drift', () => {
    expect(reconcile(level(10, 0), [{ orderId: 'o1', quantity: 2 }])).toMatchObject({ ok: false, drift: -2 });
  });

  it('reports a stored available that disagrees with onHand - reserved', () => {
    const report = reconcile(level(10, 2, 9), [{ orderId: 'o1', quantity: 2 }]);
    expect(report.problems.map((p) => p.code)).toEqual(['available-mismatch']);
  });

  it('reports a broken invariant and a double reservation', () => {
    const codes = (r: ReturnType<typeof reconcile>) => r.problems.map((p) => p.code);
    expect(codes(reconcile(level(1, 3), [{ orderId: 'o1', quantity: 3 }]))).toEqual(['reserved-above-on-hand']);
    expect(codes(reconcile(level(1, -1), []))).toEqual(['reserved-drift', 'negative-reserved']);
    expect(codes(reconcile(level(5, 2), [{ orderId: 'o1', quantity: 1 }, { orderId: 'o1', quantity: 1 }]))).toEqual(['duplicate-reservation']);
  });
});
