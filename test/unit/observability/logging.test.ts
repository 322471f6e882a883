import type { SQSEvent } from 'aws-lambda';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { makeHandler as placeOrderHandler } from '../../../functions/place-order/place-order';
import { makeHandler as reviewOrderHandler } from '../../../functions/review-order/review-order';
import { defaultWorkflowSettings } from '../../../shared/domain/workflow-settings';
import type { OrderRecord } from '../../../shared/domain/order';
import { logger } from '../../../shared/middleware/logger';
import { messageLogContext } from '../../../shared/middleware/sqs-batch';
import { redact, redactText } from '../../../shared/observability/redact';
import { apiEvent, lambdaContext, TOKENS } from '../../support/api-event';

// A customer whose every personal detail is distinctive enough to grep for.
const PERSON = {
  email: 'zhao.xiaoyu@example.cn',
  name: 'Zhao Xiaoyu',
  phone: '+86 139 1234 5678',
  line1: '1288 Lujiazui Ring Road',
  postalCode: '200121',
};
const PERSONAL_STRINGS = [PERSON.email, PERSON.name, PERSON.phone, '139 1234 5678', PERSON.line1, PERSON.postalCode, 'Xiaoyu', 'Lujiazui'];

let lines: string[] = [];
const records = () => lines.map((l) => JSON.parse(l) as Record<string, unknown>);

beforeEach(() => {
  lines = [];
  // every line the logger prints, as Lambda (or the local cloud) would receive it
  const capture = (chunk: string | Uint8Array) => {
    lines.push(...String(chunk).split('\n').filter((l) => l.startsWith('{')));
    return true;
  };
  vi.spyOn(process.stdout, 'write').mockImplementation(capture);
  vi.spyOn(process.stderr, 'write').mockImplementation(capture);
  logger.setLogLevel('DEBUG');
});
afterEach(() => vi.restoreAllMocks());

function expectNoPersonalData() {
  expect(lines.length).toBeGreaterThan(0);
  const all = lines.join('\n');
  for (const s of PERSONAL_STRINGS) expect(all, `log output carries "${s}"`).not.toContain(s);
}

const orderBody = {
  channel: 'web',
  customer: { email: PERSON.email, name: PERSON.name, phone: PERSON.phone },
  lines: [{ sku: 'TEA-1', quantity: 1 }],
  shippingAddress: { name: PERSON.name, phone: PERSON.phone, line1: PERSON.line1, city: 'Shanghai', postalCode: PERSON.postalCode, country: 'CN' },
};

describe('log lines: correlation and no personal data', () => {
  it('a request that fails while writing the order: every line has the request id and the order id, none the customer', async () => {
    const handler = placeOrderHandler({
      orders: {
        readForPlacement: async () => ({ products: new Map([['TEA-1', { sku: 'TEA-1', name: 'Tea', price: { amount: 1000, currency: 'CNY' }, active: true }]]) }) as never,
        nextOrderSequence: async () => 1,
        // a store error that quotes the item it could not write, as SDK errors sometimes do
        create: async (order) => {
          throw new Error(`Transaction cancelled for item ${JSON.stringify(order)}; contact ${PERSON.email} / ${PERSON.phone}`);
        },
      },
      now: () => new Date('2026-12-01T03:00:00.000Z'),
      newId: () => 'ORDLOGTEST1',
    });
    const event = apiEvent({ routeKey: 'POST /orders', body: orderBody, claims: TOKENS.storefront, headers: { 'idempotency-key': 'k-1' } });
    const res = await handler(event, lambdaContext);

    expect(res.statusCode).toBe(500);
    const logged = records();
    expect(logged.map((l) => l.message)).toContain('Unhandled error');
    for (const line of logged) expect(line).toMatchObject({ correlationId: event.requestContext.requestId });
    expect(logged.find((l) => l.message === 'Unhandled error')).toMatchObject({ orderId: 'ORDLOGTEST1' });
    expectNoPersonalData();
  });

  it('a queued message: its lines carry the event\'s correlation id and order id, and the order\'s personal data is left out', async () => {
    const order = {
      orderId: 'ORDLOGTEST2', orderNumber: 'W-1', status: 'IN_REVIEW', channel: 'web',
      customer: { customerId: 'cus_1', email: PERSON.email, name: PERSON.name, phone: PERSON.phone },
      shippingAddress: orderBody.shippingAddress, lines: [{ sku: 'TEA-1', quantity: 1 }], totals: { total: { amount: 1000, currency: 'CNY' } },
    } as unknown as OrderRecord;
    const handler = reviewOrderHandler({
      orders: { getRecord: async () => order },
      lifecycle: {
        hasEarlierOrder: async (o) => {
          logger.debug('Looking for earlier orders', { customer: o.customer, shippingAddress: order.shippingAddress });
          throw new Error(`Query failed: ${JSON.stringify({ customer: o.customer })}`);
        },
        transition: async () => { throw new Error('not reached'); },
        requireReview: async () => { throw new Error('not reached'); },
      },
      // the first-time-customer rule on: review reads the customer's earlier orders
      settings: { get: async () => ({ ...defaultWorkflowSettings(), review: { ...defaultWorkflowSettings().review, firstTimeCustomers: true } }) } as never,
      now: () => new Date('2026-12-01T03:00:00.000Z'),
    });
    const detail = {
      metadata: { eventId: 'evt-1', occurredAt: '2026-12-01T03:00:00.000Z', correlationId: 'ORDLOGTEST2', causationId: 'req-x', schemaVersion: 1 },
      data: { orderId: 'ORDLOGTEST2', orderNumber: 'W-1', reservations: [{ sku: 'TEA-1', quantity: 1 }] },
    };
    const event: SQSEvent = {
      Records: [{
        messageId: 'm-1', receiptHandle: 'rh', attributes: {} as never, messageAttributes: {}, md5OfBody: '', eventSource: 'aws:sqs',
        eventSourceARN: 'arn:aws:sqs:us-east-1:000000000000:q', awsRegion: 'us-east-1',
        body: JSON.stringify({ id: 'x', 'detail-type': 'StockReserved', source: 'oms.orders', detail }),
      }],
    };
    const res = await handler(event, lambdaContext);

    expect(res.batchItemFailures).toEqual([{ itemIdentifier: 'm-1' }]);
    const logged = records();
    expect(logged.map((l) => l.message)).toEqual(expect.arrayContaining(['Looking for earlier orders', 'Record failed']));
    for (const line of logged) expect(line).toMatchObject({ correlationId: 'ORDLOGTEST2', orderId: 'ORDLOGTEST2', messageId: 'm-1' });
    expectNoPersonalData();
  });
});

describe('redaction rules', () => {
  it('personal keys lose their value at any depth; other values stay', () => {
    expect(redact({ orderId: 'O1', customer: { email: 'a@b.cn', Name: 'X', customerId: 'cus_1' }, shipping_address: { city: 'Shanghai' }, total: 100 }))
      .toEqual({ orderId: 'O1', customer: { email: '[redacted]', Name: '[redacted]', customerId: 'cus_1' }, shipping_address: '[redacted]', total: 100 });
  });

  it('e-mails, phone numbers and quoted personal members are cut from free text; ids, times and amounts stay', () => {
    expect(redactText('mail li.wei+shop@mail.example.com.cn now')).toBe('mail [email] now');
    expect(redactText('call +1 (415) 555-0100 or 13812345678')).toBe('call [phone] or [phone]');
    expect(redactText('item {"name":"Li Wei","sku":"TEA-1"}')).toBe('item {"name":"[redacted]","sku":"TEA-1"}');
    const plain = 'order 01JDX4Z7Q2 W-20261201-0007 at 2026-12-01T03:00:00.000Z for 129900 minor units, epoch 1764558000000';
    expect(redactText(plain)).toBe(plain);
  });

  it('an error keeps its class name and loses the personal data in its message', () => {
    expect(redact(new TypeError('bad a@b.cn'))).toMatchObject({ name: 'TypeError', message: 'bad [email]' });
  });

  it('a message names its correlation: bus event, provider callback, or the message id', () => {
    const rec = (body: unknown) => ({ messageId: 'm9', body: typeof body === 'string' ? body : JSON.stringify(body) });
    expect(messageLogContext(rec({ detail: { metadata: { correlationId: 'O7' }, data: { orderId: 'O7' } } }))).toEqual({ correlationId: 'O7', orderId: 'O7', messageId: 'm9' });
    expect(messageLogContext(rec({ inbox: { eventKey: 'evt_1' }, notification: { orderId: 'O8' } }))).toEqual({ correlationId: 'evt_1', orderId: 'O8', messageId: 'm9' });
    expect(messageLogContext(rec('not json'))).toEqual({ correlationId: 'm9', messageId: 'm9' });
  });
});
