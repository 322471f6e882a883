import { describe, expect, it } from 'vitest';
import { EVENTS, OrderPlaced, StockAdjusted } from '../../../events/catalog';
import { buildEvent } from '../../../events/define-event';
import eventBridgeSample from '../../../events/samples/order-placed.eventbridge.json';

describe('event catalog', () => {
  it('names events PascalCase past tense, with a source per context', () => {
    for (const e of EVENTS) {
      // past tense (OrderPaid is irregular), or a state just reached (StockLow)
      expect(e.detailType).toMatch(/^[A-Z][a-zA-Z]+(ed|Paid|Low)$/);
      expect(['oms.orders', 'oms.inventory', 'oms.payments', 'oms.shipping', 'oms.integrations']).toContain(e.source);
      expect(e.version).toBe(1);
    }
  });

  it('builds an envelope that its own detail schema accepts', () => {
    const out = buildEvent(
      StockAdjusted,
      { sku: 'TEA', adjustmentId: 'a1', delta: 5, reason: 'RECEIVED', actor: 'user-ops' },
      { eventId: 'e1', occurredAt: new Date('2026-11-27T03:00:00Z'), correlationId: 'a1', causationId: 'req-1' },
    );
    expect(out).toMatchObject({ eventId: 'e1', source: 'oms.inventory', detailType: 'StockAdjusted' });
    const detail = StockAdjusted.detail.parse(JSON.parse(out.detail));
    expect(detail.metadata).toEqual({ eventId: 'e1', occurredAt: '2026-11-27T03:00:00.000Z', correlationId: 'a1', causationId: 'req-1', schemaVersion: 1 });
  });

  it('refuses to publish data that breaks the contract', () => {
    expect(() =>
      buildEvent(StockAdjusted, { sku: 'TEA', delta: 5 } as never, { eventId: 'e', occurredAt: new Date(), correlationId: 'c', causationId: 'c' }),
    ).toThrow();
  });

  it('validates the sample OrderPlaced as consumers receive it', () => {
    expect(OrderPlaced.detail.safeParse(eventBridgeSample.detail).success).toBe(true);
    const wrongVersion = { ...eventBridgeSample.detail, metadata: { ...eventBridgeSample.detail.metadata, schemaVersion: 2 } };
    expect(OrderPlaced.detail.safeParse(wrongVersion).success).toBe(false);
  });
});

describe('lifecycle events', () => {
  it('every detail-type the lifecycle can emit is in the catalog, so the store can validate it on publish', async () => {
    const { LIFECYCLE_DETAIL_TYPES } = await import('../../../shared/domain/lifecycle');
    const known = new Set(EVENTS.map((e) => e.detailType as string));
    expect(LIFECYCLE_DETAIL_TYPES.filter((t) => !known.has(t))).toEqual([]);
  });
});
