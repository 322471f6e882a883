import { describe, expect, it } from 'vitest';
import { AFTERSALES_EVENTS } from '../../../events/aftersales';
import { EVENTS } from '../../../events/catalog';
import { CUSTOMER_DATA_EVENTS } from '../../../events/customers';
import { INTEGRATION_EVENTS } from '../../../events/integrations';
import { INVENTORY_EVENTS } from '../../../events/inventory';
import { ORDER_STATUS_EVENTS, OrderPlaced } from '../../../events/orders';
import { OUTBOUND_EVENTS } from '../../../events/outbound';
import { PAYMENT_EVENTS } from '../../../events/payments';
import { RETURN_EVENTS } from '../../../events/returns';
import { SHIPPING_EVENTS } from '../../../events/shipping';
import { stamper } from '../../../shared/app/events';
import { emptyChangeSet } from '../../../shared/domain/decision';

const ctx = { now: new Date('2026-12-01T08:00:00Z'), correlationId: 'o1', causationId: 'req-1' };
const decided = (detailType: string, data: Record<string, unknown>) => ({
  ...emptyChangeSet({ entity: 'order', id: 'o1' }, ctx.now.toISOString()),
  events: [{ detailType, data }],
});
const paid = {
  orderId: 'o1', orderNumber: 'W1', previousStatus: 'AWAITING_PAYMENT', status: 'PAID', actor: 'system:payments', refundDue: false,
};

describe('event areas', () => {
  it('together hold every event of the catalog once', () => {
    const areas = [[OrderPlaced], ORDER_STATUS_EVENTS, INVENTORY_EVENTS, PAYMENT_EVENTS, OUTBOUND_EVENTS, SHIPPING_EVENTS, RETURN_EVENTS, AFTERSALES_EVENTS, INTEGRATION_EVENTS, CUSTOMER_DATA_EVENTS];
    const names = areas.flat().map((e) => e.name);
    expect(new Set(names).size).toBe(EVENTS.length);
    expect([...new Set(names)].sort()).toEqual(EVENTS.map((e) => e.name).sort());
  });
});

describe('stamper', () => {
  it('stamps an event it publishes: validated, with an id and the envelope metadata', () => {
    const [out] = stamper(ORDER_STATUS_EVENTS, PAYMENT_EVENTS)(decided('OrderPaid', paid), ctx).events;
    expect(out).toMatchObject({ source: 'oms.orders', detailType: 'OrderPaid' });
    expect(JSON.parse(out!.detail)).toEqual({
      metadata: { eventId: out!.eventId, occurredAt: '2026-12-01T08:00:00.000Z', correlationId: 'o1', causationId: 'req-1', schemaVersion: 1 },
      data: paid,
    });
  });

  it('refuses an event outside the areas it was given, and data that breaks the contract', () => {
    expect(() => stamper(PAYMENT_EVENTS)(decided('OrderPaid', paid), ctx)).toThrow(/OrderPaid is not among/);
    expect(() => stamper(ORDER_STATUS_EVENTS)(decided('OrderPaid', { ...paid, status: 'NOPE' }), ctx)).toThrow();
  });
});
