import { describe, expect, it } from 'vitest';
import {
  DEFAULT_NOTIFICATION_SETTINGS, NotificationSettingsInput, nextNotificationSettings, render, route, routedDetailTypes,
} from '../../../shared/domain/notifications';
import { LIFECYCLE_DETAIL_TYPES } from '../../../shared/domain/lifecycle';
import { OUTBOUND_EVENTS, PAYMENT_EVENTS, RETURN_EVENTS, AFTERSALES_EVENTS, SHIPPING_EVENTS } from '../../../events/catalog';

describe('route', () => {
  it('sends each default event to the departments that act on it', () => {
    const d = DEFAULT_NOTIFICATION_SETTINGS;
    expect(route('OrderApproved', d)).toEqual(['warehouse']);
    expect(route('StockLow', d)).toEqual(['warehouse']);
    expect(route('OrderPaid', d)).toEqual(['finance']);
    expect(route('RefundIssued', d)).toEqual(['finance']);
    expect(route('RefundRequested', d)).toEqual(['finance']);
    for (const t of ['OrderRejected', 'OrderCancelled', 'OrderExpired']) expect(route(t, d)).toEqual(['customer-service']);
    expect(route('ReplenishmentNeeded', d)).toEqual(['purchasing']);
    expect(route('OrderPlaced', d)).toEqual([]);
  });

  it('routes to a department added by settings, and to several at once', () => {
    const now = new Date('2026-11-27T04:00:00.000Z');
    const next = nextNotificationSettings(
      DEFAULT_NOTIFICATION_SETTINGS,
      {
        departments: {
          ...DEFAULT_NOTIFICATION_SETTINGS.departments,
          'risk-control': { name: 'Risk control', events: ['OrderRejected', 'OrderShipped'] },
        },
      },
      'admin:u-1',
      now,
    );
    expect(next).toMatchObject({ version: 2, updatedBy: 'admin:u-1', updatedAt: now.toISOString() });
    expect(route('OrderRejected', next)).toEqual(['customer-service', 'risk-control']);
    expect(route('OrderShipped', next)).toEqual(['risk-control']);
    expect(routedDetailTypes(next)).toContain('OrderShipped');
  });

  it('only routes event names the lifecycle, stock jobs, payments, outbound, tracking and returns really emit', () => {
    const emitted = new Set([
      ...LIFECYCLE_DETAIL_TYPES, 'StockLow', 'ReplenishmentNeeded', 'StockDriftDetected', ...PAYMENT_EVENTS.map((e) => e.detailType), ...OUTBOUND_EVENTS.map((e) => e.detailType), ...SHIPPING_EVENTS.map((e) => e.detailType), ...RETURN_EVENTS.map((e) => e.detailType),
      ...AFTERSALES_EVENTS.map((e) => e.detailType),
    ]);
    expect(routedDetailTypes(DEFAULT_NOTIFICATION_SETTINGS).filter((t) => !emitted.has(t))).toEqual([]);
  });
});

describe('notification settings validation', () => {
  it('names the path of each problem', () => {
    const result = NotificationSettingsInput.safeParse({
      departments: {
        warehouse: { name: 'Warehouse', events: ['order-approved'] },
        finance: { name: '', events: [] },
        'customer-service': { name: 'CS', events: [] },
        'Bad Id': { name: 'x', events: [] },
      },
    });
    expect(result.success).toBe(false);
    expect(result.error!.issues.map((i) => i.path.join('.')).sort()).toEqual([
      'departments.Bad Id',
      'departments.finance.name',
      'departments.purchasing',
      'departments.warehouse.events.0',
    ]);
  });
});

describe('render', () => {
  it('says what happened, to which order, and what to do', () => {
    const n = render({
      detailType: 'OrderCancelled',
      data: { orderId: 'ord-1', orderNumber: 'W20261127-0042', status: 'CANCELLED', actor: 'cs:u-7', reason: 'customer request', refundDue: false },
    });
    expect(n.subject).toBe('[OMS] Order cancelled: W20261127-0042');
    expect(n.text).toContain('Confirm the cancellation with the customer.');
    expect(n.text).toContain('reason: customer request');
    expect(n.text).toContain('actor: cs:u-7');
  });

  it('names the SKU of a stock event', () => {
    const n = render({ detailType: 'ReplenishmentNeeded', data: { sku: 'TEA-1', available: 2, suggestedQuantity: 40 } });
    expect(n.subject).toBe('[OMS] Replenishment needed: TEA-1');
    expect(n.text).toContain('suggestedQuantity: 40');
  });

  it('renders an event it has never heard of', () => {
    const n = render({ detailType: 'GiftWrapRequested', data: { orderId: 'o-9', total: { amount: 1250, currency: 'CNY' } } });
    expect(n).toEqual({ subject: '[OMS] Gift wrap requested: o-9', text: 'orderId: o-9\ntotal: 1250 CNY (minor units)' });
  });
});

describe('notification settings of the wrong shape', () => {
  it('fails cleanly, without throwing', () => {
    expect(NotificationSettingsInput.safeParse({ departments: 'all' }).success).toBe(false);
    expect(NotificationSettingsInput.safeParse({}).success).toBe(false);
  });
});
