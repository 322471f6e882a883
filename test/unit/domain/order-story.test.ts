import { describe, expect, it } from 'vitest';
import { patchedProfile } from '../../../shared/domain/customer';
import { returnRate } from '../../../shared/domain/customer-figures';
import { storyEvents } from '../../../shared/domain/order-story';

const empty = { timeline: [], payments: [], refunds: [], fulfilments: [], shipments: [], tracking: [], returns: [], notifications: [] };

describe('storyEvents', () => {
  it('merges every source in time order (checkpoint offsets read as UTC; ties by kind)', () => {
    const events = storyEvents({
      ...empty,
      timeline: [{ at: '2026-11-01T10:00:00.000Z', type: 'ORDER_PLACED', actor: 'storefront:web' }, { at: '2026-11-03T09:00:00.000Z', type: 'NOTE', actor: 'cs:amy', detail: 'called' }],
      payments: [{ paymentId: 'pay_1', provider: 'stripe', method: 'card', amount: { amount: 100, currency: 'CNY' }, status: 'SUCCEEDED', createdAt: '2026-11-01T10:01:00.000Z', settledAt: '2026-11-01T10:02:00.000Z' }],
      shipments: [{ shipmentId: 'shp_1', carrier: 'sandbox', trackingNumber: 'T1', createdAt: '2026-11-02T08:00:00.000Z' }],
      tracking: [{ trackingNumber: 'T1', checkpoints: [{ at: '2026-11-03T08:30:00+08:00', status: 'DELIVERED', description: 'Signed', location: 'Shanghai' }] }],
      returns: [{ returnId: 'ret_1', type: 'return', status: 'REQUESTED', createdAt: '2026-11-04T00:00:00.000Z' }],
      notifications: [{ department: 'customer-service', detailType: 'ShipmentCreated', subject: '[OMS] Shipment created', occurredAt: '2026-11-02T08:00:00.000Z', recordedAt: '2026-11-02T08:00:00.000Z' }],
    });
    expect(events.map((e) => [e.at, e.kind, e.type])).toEqual([
      ['2026-11-01T10:00:00.000Z', 'timeline', 'ORDER_PLACED'],
      ['2026-11-01T10:01:00.000Z', 'payment', 'STARTED'],
      ['2026-11-01T10:02:00.000Z', 'payment', 'SUCCEEDED'],
      ['2026-11-02T08:00:00.000Z', 'shipment', 'SHIPPED'],
      ['2026-11-02T08:00:00.000Z', 'notification', 'ShipmentCreated'],
      ['2026-11-03T00:30:00.000Z', 'checkpoint', 'DELIVERED'],
      ['2026-11-03T09:00:00.000Z', 'timeline', 'NOTE'],
      ['2026-11-04T00:00:00.000Z', 'return', 'REQUESTED'],
    ]);
    expect(events[5]).toMatchObject({ summary: 'Signed (Shanghai)', ref: 'T1' });
  });
});

describe('customer edits', () => {
  it('merges preferences (null clears), replaces tags once each', () => {
    const next = patchedProfile({ preferences: { channel: 'web', language: 'en' }, tags: ['a'] }, { preferences: { language: null, contactMethod: 'sms' }, tags: ['b', 'b', 'c'] });
    expect(next).toEqual({ preferences: { channel: 'web', contactMethod: 'sms' }, tags: ['b', 'c'] });
    expect(patchedProfile({ preferences: {}, tags: ['a'] }, { preferences: {} }).tags).toEqual(['a']);
  });

  it('return rate is returns over orders, 0 without orders', () => {
    expect(returnRate(0, 0)).toBe(0);
    expect(returnRate(1, 3)).toBe(0.3333);
  });
});
