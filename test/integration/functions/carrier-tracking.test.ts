import { GetCommand, PutCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import type { APIGatewayProxyEventV2, Context, SQSEvent } from 'aws-lambda';
import { afterAll, beforeAll, beforeEach, describe, expect, inject, it } from 'vitest';
import { makeHandler as carrierCallbacks } from '../../../functions/carrier-callbacks/carrier-callbacks';
import { makeHandler as carrierWebhooks } from '../../../functions/carrier-webhooks/carrier-webhooks';
import { makeHandler as trackingRoute } from '../../../functions/tracking/tracking';
import { LocalQueues } from '../../../infra/local/queues';
import { makeRecordCarrierCallback } from '../../../shared/app/carrier-inbox';
import { shipmentTracking } from '../../../shared/app/shipment-tracking';
import { CarrierCallbackMessage } from '../../../shared/shipping/callback-message';
import type { TrackingProvider, TrackingRecord } from '../../../shared/shipping/port';
import { trackingAdapters } from '../../../shared/shipping/registry';
import { carrierInbox, INBOX_TTL_SECONDS } from '../../../shared/store/carrier-inbox';
import * as keys from '../../../shared/store/keys';
import { ENTITY } from '../../../shared/store/keys';
import { apiEvent } from '../../support/api-event';
import {
  aftershipCallback, aftershipPayload, carrierCredentials, easypostCallback, easypostPayload, kuaidi100Callback, kuaidi100Param,
  seventeentrackCallback, seventeentrackPayload, type SignedCallback,
} from '../../support/carriers';
import { createTestTable, type TestTable } from '../../support/table';

// Carrier callbacks through the receiver (local table, local queue), the worker (the
// tracking use case on the table) and the public route, with callbacks signed as each
// provider documents it, independently of the verifiers.

const QUEUE = 'carrier-callbacks';
const adapters = trackingAdapters(
  { AFTERSHIP_SECRET_ARN: 'aftership', EASYPOST_SECRET_ARN: 'easypost', KUAIDI100_SECRET_ARN: 'kuaidi100', SEVENTEENTRACK_SECRET_ARN: '17track' },
  async (id) => JSON.stringify(carrierCredentials[id as TrackingProvider]),
);

let table: TestTable;
let queues: LocalQueues;
let failSends = 0;
let receiver: ReturnType<typeof carrierWebhooks>;
let worker: ReturnType<typeof carrierCallbacks>;

beforeAll(async () => {
  table = await createTestTable(inject('dynamoUrl'));
});
afterAll(() => table?.drop());
beforeEach(() => {
  queues = new LocalQueues([{
    stack: 'test', logicalId: 'Q', name: QUEUE, url: `http://local/${QUEUE}`, arn: `arn:aws:sqs:us-east-1:000000000000:${QUEUE}`,
    fifo: false, visibilityTimeoutSeconds: 60, delaySeconds: 0, retentionSeconds: 345600,
  }]);
  failSends = 0;
  receiver = carrierWebhooks({
    adapterFor: (p) => adapters[p],
    record: makeRecordCarrierCallback({
      inbox: carrierInbox({ doc: table.doc, tableName: table.tableName }),
      enqueue: async (message) => {
        if (failSends > 0) {
          failSends--;
          throw new Error('queue unavailable');
        }
        await queues.send(QUEUE, { body: JSON.stringify(message) });
      },
      now: () => new Date(),
      wait: (ms) => new Promise((r) => setTimeout(r, ms / 4)),
    }),
    now: () => new Date(),
  });
  worker = carrierCallbacks({ sink: shipmentTracking({ doc: table.doc, tableName: table.tableName }), now: () => new Date() });
});

const post = (provider: string, cb: SignedCallback, isBase64Encoded = false) =>
  receiver({
    version: '2.0', routeKey: 'POST /webhooks/carriers/{provider}', rawPath: `/webhooks/carriers/${provider}`, rawQueryString: '',
    headers: cb.headers, body: isBase64Encoded ? Buffer.from(cb.body).toString('base64') : cb.body, isBase64Encoded, pathParameters: { provider },
    requestContext: {} as APIGatewayProxyEventV2['requestContext'],
  });
const drain = async () => (await queues.receiveNow(QUEUE, 10)).map((m) => ({ body: m.Body, message: CarrierCallbackMessage.parse(JSON.parse(m.Body)) }));
const inboxCount = async (provider: string, eventKey: string) =>
  (await table.doc.send(new QueryCommand({ TableName: table.tableName, KeyConditionExpression: 'pk = :pk', ExpressionAttributeValues: { ':pk': keys.carrierInbox(provider, eventKey).pk } }))).Count;
const tableItems = async () => (await table.doc.send(new (await import('@aws-sdk/lib-dynamodb')).ScanCommand({ TableName: table.tableName }))).Items ?? [];

/** Hands queued message bodies to the worker as one SQS batch; returns the ids it asked to retry. */
async function work(bodies: string[]) {
  const event: SQSEvent = { Records: bodies.map((body, i) => ({ messageId: `m${i}`, body, receiptHandle: `r${i}`, attributes: {} as never, messageAttributes: {}, md5OfBody: '', eventSource: 'aws:sqs', eventSourceARN: 'arn:aws:sqs:us-east-1:000000000000:q', awsRegion: 'us-east-1' })) };
  return (await worker(event, {} as Context)).batchItemFailures.map((f) => f.itemIdentifier);
}

/** The initial record, as the shipment's transaction writes it (same schema, same key). */
async function shipped(trackingNumber: string, carrier: TrackingRecord['carrier'] = 'kuaidi100'): Promise<TrackingRecord> {
  const record: TrackingRecord = {
    trackingNumber, carrier, orderId: `ord-${trackingNumber}`, shipmentId: `shp-${trackingNumber}`, status: 'LABEL_CREATED',
    statusAt: '2026-11-28T01:00:00.000Z', checkpoints: [], createdAt: '2026-11-28T01:00:00.000Z', updatedAt: '2026-11-28T01:00:00.000Z', version: 1,
  };
  await table.doc.send(new PutCommand({ TableName: table.tableName, Item: { ...keys.tracking(trackingNumber), type: ENTITY.tracking, ...record }, ConditionExpression: 'attribute_not_exists(pk)' }));
  return record;
}
const stored = async (trackingNumber: string) => (await table.doc.send(new GetCommand({ TableName: table.tableName, Key: keys.tracking(trackingNumber), ConsistentRead: true }))).Item;
const outbox = async (trackingNumber: string) =>
  ((await table.doc.send(new QueryCommand({
    TableName: table.tableName, KeyConditionExpression: 'pk = :pk AND begins_with(sk, :o)',
    ExpressionAttributeValues: { ':pk': keys.tracking(trackingNumber).pk, ':o': keys.outboxPrefix },
  }))).Items ?? []).map((i) => ({ detailType: i.detailType as string, data: (JSON.parse(i.detail as string) as { data: Record<string, unknown> }).data }));

/** Kuaidi100 snapshots of one parcel: each carries the history so far (newest first). */
const HISTORY = [
  { ftime: '2026-11-28 10:00:00', context: '【深圳市】顺丰速运 已收取快件', status: '揽收', state: '1' },
  { ftime: '2026-11-28 20:00:00', context: '快件已发车', status: '在途', state: '0' },
  { ftime: '2026-11-29 08:30:00', context: '【广州市】快件交给小王，正在派送途中', status: '派件', state: '5' },
  { ftime: '2026-11-29 14:05:00', context: '【广州市】已签收，签收人：本人', status: '签收', state: '3' },
];
const snapshot = (nu: string, upTo: number) =>
  kuaidi100Callback(kuaidi100Param(nu, HISTORY[upTo]!.state, HISTORY.slice(0, upTo + 1).reverse().map(({ state: _s, ...d }) => d)));

describe('carrier webhooks', () => {
  it('records the same Kuaidi100 push (form body base64-encoded by the gateway) delivered ten times at once once, queues it once, answers each with Kuaidi100\'s success JSON', async () => {
    const cb = snapshot('SF-TEN', 1);
    const replies = await Promise.all(Array.from({ length: 10 }, (_, i) => post('kuaidi100', cb, i % 2 === 0)));
    expect(replies.map((r) => r.statusCode)).toEqual(Array(10).fill(200));
    expect(new Set(replies.map((r) => r.body))).toEqual(new Set(['{"result":true,"returnCode":"200","message":"成功"}']));
    expect(await inboxCount('kuaidi100', 'SF-TEN|2026-11-28 20:00:00|0|2')).toBe(1);
    const messages = await drain();
    expect(messages.map((m) => m.message.inbox)).toEqual([{ provider: 'kuaidi100', eventKey: 'SF-TEN|2026-11-28 20:00:00|0|2' }]);
    const item = (await table.doc.send(new GetCommand({ TableName: table.tableName, Key: keys.carrierInbox('kuaidi100', 'SF-TEN|2026-11-28 20:00:00|0|2'), ConsistentRead: true }))).Item;
    expect(item).toMatchObject({ type: 'CARRIERINBOX', enqueuedAt: expect.any(String) });
    expect(Number(item!.expiresAt) - Date.now() / 1000).toBeGreaterThan(INBOX_TTL_SECONDS - 60);
  });

  it('refuses forged and tampered callbacks of every provider with a 4xx and writes nothing', async () => {
    const before = (await tableItems()).length;
    const forged: [TrackingProvider, SignedCallback][] = [
      ['aftership', aftershipCallback(aftershipPayload('evt-forged', 'AS-F', 'Delivered', []), 'not-the-secret')],
      ['easypost', easypostCallback(easypostPayload('evt_forged', 'EZ-F', 'delivered', []), 'not-the-secret')],
      ['kuaidi100', kuaidi100Callback(kuaidi100Param('SF-F', '3', [{ ftime: '2026-11-29 14:05:00', context: '已签收' }]), 'notTheSalt')],
      ['17track', seventeentrackCallback(seventeentrackPayload('LX-F', 'Delivered', [{ timeUtc: '2026-11-29T06:05:00Z', description: 'Delivered' }]), 'not-the-key')],
    ];
    const good = snapshot('SF-T', 3);
    const tampered: SignedCallback = { ...good, body: good.body.replace('SF-T', 'SF-X') };
    for (const [provider, cb] of [...forged, ['kuaidi100', tampered] as [TrackingProvider, SignedCallback]]) {
      const reply = await post(provider, cb);
      expect(reply.statusCode, provider).toBeGreaterThanOrEqual(400);
      expect(reply.statusCode, provider).toBeLessThan(500);
    }
    expect(JSON.parse((await post('kuaidi100', tampered)).body as string)).toMatchObject({ result: false, returnCode: '500' });
    expect((await tableItems()).length).toBe(before);
    expect(await drain()).toEqual([]);
    expect((await post('dhl', good)).statusCode).toBe(404);
  });

  it('answers a queue failure with a failure and queues the report on the carrier\'s next delivery', async () => {
    const cb = aftershipCallback(aftershipPayload('evt-retry', 'AS-R', 'InTransit', [{ time: '2026-11-29T08:00:00Z', tag: 'InTransit', message: 'Departed' }]));
    failSends = 1;
    expect((await post('aftership', cb)).statusCode).toBe(500);
    expect(await drain()).toEqual([]);
    expect((await post('aftership', cb)).statusCode).toBe(200);
    expect((await post('aftership', cb)).statusCode).toBe(200);
    expect((await drain()).map((m) => m.message.inbox.eventKey)).toEqual(['evt-retry']);
  });
});

describe('carrier reports applied to a parcel', () => {
  it('converge whatever the order and repetition: duplicated and out-of-order snapshots end DELIVERED with every checkpoint once and one event per move', async () => {
    await shipped('SF-ORDER');
    // delivered first, then the older snapshots, one twice, then delivered again
    for (const i of [3, 1, 0, 2, 1, 3]) expect((await post('kuaidi100', snapshot('SF-ORDER', i))).statusCode).toBe(200);
    const queued = await drain();
    expect(queued).toHaveLength(4); // the repeated pushes were already in the inbox
    // applied one at a time in the order they arrived (delivered first), one redelivered
    for (const q of [...queued, queued[1]!]) expect(await work([q.body])).toEqual([]);
    const item = await stored('SF-ORDER');
    expect(item).toMatchObject({ status: 'DELIVERED', statusAt: '2026-11-29T14:05:00+08:00' });
    expect(item!.checkpoints).toEqual([
      { at: '2026-11-28T10:00:00+08:00', status: 'PICKED_UP', description: '【深圳市】顺丰速运 已收取快件' },
      { at: '2026-11-28T20:00:00+08:00', status: 'IN_TRANSIT', description: '快件已发车' },
      { at: '2026-11-29T08:30:00+08:00', status: 'OUT_FOR_DELIVERY', description: '【广州市】快件交给小王，正在派送途中' },
      { at: '2026-11-29T14:05:00+08:00', status: 'DELIVERED', description: '【广州市】已签收，签收人：本人' },
    ]);
    // the first report moved it LABEL_CREATED -> DELIVERED; the older ones only added checkpoints
    expect(await outbox('SF-ORDER')).toEqual([{ detailType: 'ShipmentStatusChanged', data: {
      orderId: 'ord-SF-ORDER', shipmentId: 'shp-SF-ORDER', trackingNumber: 'SF-ORDER', carrier: 'kuaidi100',
      previousStatus: 'LABEL_CREATED', status: 'DELIVERED', at: '2026-11-29T14:05:00+08:00',
    } }]);
  });

  it('the same reports in time order end the same, publishing each move', async () => {
    await shipped('SF-INORDER');
    for (const i of [0, 1, 2, 3]) await post('kuaidi100', snapshot('SF-INORDER', i));
    // one message at a time, in time order (a batch's records are applied concurrently)
    for (const q of await drain()) expect(await work([q.body])).toEqual([]);
    const [a, b] = [await stored('SF-INORDER'), await stored('SF-ORDER')];
    expect(a!.status).toBe(b!.status);
    expect(a!.checkpoints).toEqual(b!.checkpoints);
    expect((await outbox('SF-INORDER')).map((e) => `${e.data.previousStatus}>${e.data.status}`).sort())
      .toEqual(['IN_TRANSIT>OUT_FOR_DELIVERY', 'LABEL_CREATED>PICKED_UP', 'OUT_FOR_DELIVERY>DELIVERED', 'PICKED_UP>IN_TRANSIT']);
  });

  it('a failed delivery (EasyPost) is published for customer service too; reports of the three JSON providers move the record', async () => {
    await shipped('EZ-FAIL', 'easypost');
    await post('easypost', easypostCallback(easypostPayload('evt_ofd', 'EZ-FAIL', 'out_for_delivery', [{ at: '2026-11-30T08:00:00Z', status: 'out_for_delivery', message: 'Out for delivery' }])));
    await post('easypost', easypostCallback(easypostPayload('evt_fail', 'EZ-FAIL', 'failure', [
      { at: '2026-11-30T08:00:00Z', status: 'out_for_delivery', message: 'Out for delivery' },
      { at: '2026-11-30T15:00:00Z', status: 'failure', message: 'Delivery attempted, no access' },
    ])));
    for (const q of await drain()) expect(await work([q.body])).toEqual([]);
    expect(await stored('EZ-FAIL')).toMatchObject({ status: 'DELIVERY_FAILED', providerRef: 'trk_0123', estimatedDelivery: '2026-12-03' });
    expect((await outbox('EZ-FAIL')).map((e) => `${e.detailType}:${e.data.status}`).sort())
      .toEqual(['ShipmentExceptionReported:DELIVERY_FAILED', 'ShipmentStatusChanged:DELIVERY_FAILED', 'ShipmentStatusChanged:OUT_FOR_DELIVERY']);

    await shipped('AS-1', 'aftership');
    await shipped('LX-1', '17track');
    await post('aftership', aftershipCallback(aftershipPayload('evt-as-1', 'AS-1', 'InTransit', [{ time: '2026-11-29T08:00:00Z', tag: 'InTransit', message: 'Departed' }])));
    await post('17track', seventeentrackCallback(seventeentrackPayload('LX-1', 'Delivered', [{ timeUtc: '2026-11-30T06:00:00Z', description: 'Delivered', stage: 'Delivered' }])));
    expect(await work((await drain()).map((q) => q.body))).toEqual([]);
    expect(await stored('AS-1')).toMatchObject({ status: 'IN_TRANSIT' });
    expect(await stored('LX-1')).toMatchObject({ status: 'DELIVERED', estimatedDelivery: '2026-12-04' });
  });

  it('reports of one parcel applied at the same time all land (conditional writes on the version, read and decided again)', async () => {
    await shipped('SF-RACE');
    for (const i of [0, 1, 2, 3]) await post('kuaidi100', snapshot('SF-RACE', i));
    const sink = shipmentTracking({ doc: table.doc, tableName: table.tableName });
    const reports = (await drain()).map((q) => q.message.notification);
    const outcomes = await Promise.all([...reports, ...reports].map((n, i) => sink.apply(n, { now: new Date(), causationId: `race-${i}` })));
    expect(outcomes.filter((o) => o.outcome === 'status-changed').length).toBeGreaterThanOrEqual(1);
    const [race, reference] = [await stored('SF-RACE'), await stored('SF-INORDER')];
    expect(race).toMatchObject({ status: 'DELIVERED', checkpoints: reference!.checkpoints });
    // one event per status move, whichever report won each round
    const moves = (await outbox('SF-RACE')).map((e) => e.data);
    expect(moves.length).toBe(outcomes.filter((o) => o.outcome === 'status-changed').length);
    // the moves chain from LABEL_CREATED to DELIVERED, each starting where the one before ended
    const next = new Map(moves.map((m) => [m.previousStatus, m.status]));
    const path = ['LABEL_CREATED'];
    while (next.has(path.at(-1))) path.push(next.get(path.at(-1)) as string);
    expect(path.length).toBe(moves.length + 1);
    expect(path.at(-1)).toBe('DELIVERED');
  });

  it('acknowledges a report for an unknown tracking number without retrying it', async () => {
    await post('kuaidi100', snapshot('SF-NOBODY', 1));
    const sink = shipmentTracking({ doc: table.doc, tableName: table.tableName });
    const [q] = await drain();
    expect(await sink.apply(q!.message.notification, { now: new Date(), causationId: 'test' })).toEqual({ outcome: 'unknown-tracking' });
    expect(await work([q!.body])).toEqual([]);
    expect(await stored('SF-NOBODY')).toBeUndefined();
  });
});

describe('public tracking', () => {
  it('answers the parcel\'s progress and nothing about the order or the people (asserted on the bytes)', async () => {
    const orderId = 'ord-SF-ORDER';
    // the order the parcel belongs to, with everything that must not leak
    await table.doc.send(new PutCommand({ TableName: table.tableName, Item: {
      ...keys.order(orderId), type: ENTITY.order, orderId, orderNumber: 'W20261128-0007',
      customer: { customerId: 'cus-1', name: '王小明', email: 'xiaoming@example.com', phone: '+86 138 0013 8000' },
      shippingAddress: { line1: '南山区科技园 1 号', city: '深圳', postalCode: '518057', country: 'CN' },
      totals: { total: { amount: 98765, currency: 'CNY' } },
    } }));
    const route = trackingRoute({ tracking: { get: (n) => shipmentTracking({ doc: table.doc, tableName: table.tableName }).get(n) } });
    const res = await route(apiEvent({ routeKey: 'GET /tracking/{trackingNumber}', pathParameters: { trackingNumber: 'SF-ORDER' } }), {} as Context);
    expect(res.statusCode).toBe(200);
    const bytes = String(res.body);
    expect(JSON.parse(bytes)).toEqual({
      trackingNumber: 'SF-ORDER', carrier: 'kuaidi100', status: 'DELIVERED', checkpoints: expect.arrayContaining([expect.objectContaining({ status: 'DELIVERED' })]),
    });
    expect(Object.keys(JSON.parse(bytes))).toEqual(['trackingNumber', 'carrier', 'status', 'checkpoints']);
    for (const secret of [orderId, 'shp-SF-ORDER', 'W20261128-0007', 'cus-1', '王小明', 'xiaoming@example.com', '138 0013', '南山区', '518057', '98765', 'basis', 'version']) {
      expect(bytes, secret).not.toContain(secret);
    }
    const missing = await route(apiEvent({ routeKey: 'GET /tracking/{trackingNumber}', pathParameters: { trackingNumber: 'NO-SUCH-1' } }), {} as Context);
    expect(missing.statusCode).toBe(404);
    expect(missing.headers?.['content-type']).toMatch(/problem\+json/);
  });
});
