import { describe, expect, it } from 'vitest';
import { LocalMetrics } from '../../../infra/local/metrics';

// A line as Powertools Metrics writes it (one EMF object per invocation).
const emf = (values: Record<string, number | number[]>, units: Record<string, string>, at = 1_764_558_000_000) => JSON.stringify({
  _aws: {
    Timestamp: at,
    CloudWatchMetrics: [{ Namespace: 'OMS/dev', Dimensions: [['service']], Metrics: Object.keys(values).map((Name) => ({ Name, Unit: units[Name] })) }],
  },
  service: 'oms',
  ...values,
});

describe('local metrics', () => {
  it('an EMF line is kept and shown short; any other line passes through unchanged', () => {
    const m = new LocalMetrics();
    expect(m.observe('oms-dev-reserve-stock', emf({ OrdersRejectedForStock: 1, PlacedToReserved: [40, 12] }, { OrdersRejectedForStock: 'Count', PlacedToReserved: 'Milliseconds' })))
      .toBe('metrics OMS/dev: OrdersRejectedForStock=1 PlacedToReserved=40ms,12ms');
    const log = '{"level":"INFO","message":"Reservation processed"}';
    expect(m.observe('oms-dev-reserve-stock', log)).toBe(log);
    expect(m.query()).toHaveLength(3);
    expect(m.query({ name: 'PlacedToReserved' })[0]).toMatchObject({
      namespace: 'OMS/dev', unit: 'Milliseconds', value: 40, dimensions: { service: 'oms' }, function: 'oms-dev-reserve-stock', at: '2025-12-01T03:00:00.000Z',
    });
  });

  it('sums up per metric like CloudWatch statistics, filtered by name and time', () => {
    const m = new LocalMetrics();
    m.observe('f', emf({ OrdersPlaced: 1 }, { OrdersPlaced: 'Count' }, 1_000));
    m.observe('f', emf({ OrdersPlaced: 2 }, { OrdersPlaced: 'Count' }, 2_000));
    m.observe('g', emf({ PlacedToPaid: [100, 300, 200] }, { PlacedToPaid: 'Milliseconds' }, 3_000));
    expect(m.summary()).toEqual([
      expect.objectContaining({ name: 'OrdersPlaced', samples: 2, sum: 3, min: 1, max: 2 }),
      expect.objectContaining({ name: 'PlacedToPaid', samples: 3, sum: 600, average: 200, p99: 300, unit: 'Milliseconds' }),
    ]);
    expect(m.summary({ since: new Date(2_000).toISOString(), name: 'OrdersPlaced' })).toEqual([expect.objectContaining({ sum: 2, samples: 1 })]);
  });

  it('keeps at most its limit of points, dropping the oldest', () => {
    const m = new LocalMetrics(2);
    for (let i = 1; i <= 3; i++) m.observe('f', emf({ OrdersPlaced: i }, { OrdersPlaced: 'Count' }));
    expect(m.query().map((p) => p.value)).toEqual([2, 3]);
  });
});
