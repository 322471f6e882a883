import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { EVENTS, OrderPlaced, OrderRejected, StockReserved } from '../../../events/catalog';
import { parseEventBridgeEvent, parseSqsRecord, type AnyEventDefinition } from '../../../events/define-event';
import * as contract from '../../../events/schemas';
import { ADJUSTMENT_REASONS } from '../../../shared/domain/inventory';
import { CHANNELS } from '../../../shared/domain/order-number';
import { ORDER_STATUSES } from '../../../shared/domain/order-status';

// Events are frozen contracts: every sample stays valid, every event has one, and
// what the domain produces still fits what the contracts promise.
const DIR = join(import.meta.dirname, '../../../events/samples');
const samples = readdirSync(DIR).filter((f) => f.endsWith('.json'));
const read = (file: string): unknown => JSON.parse(readFileSync(join(DIR, file), 'utf8'));
const definitionOf = (detailType: string): AnyEventDefinition | undefined => EVENTS.find((e) => e.detailType === detailType);

/** Request bodies, checked against the API schemas in test/unit/api/schemas.test.ts. */
const API_BODIES = ['place-order.json', 'put-product.json', 'stock-adjustment.json'];

describe('event samples', () => {
  it('every sample is an event (EventBridge or SQS form) or a known request body', () => {
    expect(samples.filter((f) => !/\.(eventbridge|sqs)\.json$/.test(f) && !API_BODIES.includes(f))).toEqual([]);
  });

  it.each(samples.filter((f) => f.endsWith('.eventbridge.json')))('%s is valid against its contract', (file) => {
    const event = read(file) as { 'detail-type': string };
    const def = definitionOf(event['detail-type']);
    expect(def, `${event['detail-type']} is not in the catalog`).toBeDefined();
    expect(() => parseEventBridgeEvent(def!, event)).not.toThrow();
  });

  it.each(samples.filter((f) => f.endsWith('.sqs.json')))('%s: every record is valid against its contract', (file) => {
    const { Records } = read(file) as { Records: { body: string }[] };
    expect(Records.length).toBeGreaterThan(0);
    for (const record of Records) {
      const def = definitionOf(JSON.parse(record.body)['detail-type']);
      expect(() => parseSqsRecord(def!, record)).not.toThrow();
    }
  });

  it('every event in the catalog has a sample', () => {
    const sampled = new Set(samples.filter((f) => f.endsWith('.eventbridge.json')).map((f) => (read(f) as { 'detail-type': string })['detail-type']));
    expect(EVENTS.map((e) => e.detailType).filter((t) => !sampled.has(t))).toEqual([]);
  });

  it('OrderRejected has one shape, whoever rejected the order', () => {
    for (const file of ['order-rejected.stock.eventbridge.json', 'order-rejected.reviewer.eventbridge.json']) {
      const { data } = parseEventBridgeEvent(OrderRejected, read(file));
      expect(Object.keys(data).sort()).toEqual(['actor', 'orderId', 'orderNumber', 'previousStatus', 'reason', 'refundDue', 'shortages', 'status']);
    }
  });
});

describe('parsing an envelope', () => {
  const placed = read('order-placed.eventbridge.json') as Record<string, unknown>;
  const asRecord = (event: unknown) => ({ body: JSON.stringify(event) });

  it('gives the consumer the typed envelope and which event it was', () => {
    const got = parseSqsRecord(OrderPlaced, asRecord(placed));
    expect(got).toMatchObject({ source: 'oms.orders', detailType: 'OrderPlaced', metadata: { schemaVersion: 1 }, data: { orderNumber: 'W20261127-0042' } });
  });

  it('refuses another event type, naming what it expected', () => {
    expect(() => parseSqsRecord(StockReserved, asRecord(placed))).toThrow('Unexpected event oms.orders/OrderPlaced; expected oms.orders/StockReserved');
  });

  it('refuses an envelope that breaks the contract', () => {
    const broken = { ...placed, detail: { ...(placed.detail as object), data: { orderId: 'x' } } };
    expect(() => parseSqsRecord(OrderPlaced, asRecord(broken))).toThrow();
    expect(() => parseSqsRecord(OrderPlaced, { body: 'not json' })).toThrow();
  });
});

describe('the domain still fits the contracts', () => {
  it('every channel, order status and adjustment reason the domain knows can be published', () => {
    expect(CHANNELS.filter((c) => !contract.Channel.safeParse(c).success)).toEqual([]);
    expect(ORDER_STATUSES.filter((s) => !contract.OrderStatus.safeParse(s).success)).toEqual([]);
    expect(ADJUSTMENT_REASONS.filter((r) => !contract.AdjustmentReason.safeParse(r).success)).toEqual([]);
  });
});
