import { ReceiveMessageCommand, SQSClient, type Message } from '@aws-sdk/client-sqs';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { startPartner, type Partner } from '../../scripts/partner';
import { apiUrl, call, createProduct, eventually, paidOrder, uniqueSku } from './client';

// The dev stage's example ERP (an EventBridge API destination of the template) as the local
// cloud serves it: a paid order reaches the receiver as the input transformer's envelope with
// the connection's API key; a failing receiver is retried, then the event is in the
// destination's dead-letter queue with EventBridge's error attributes. (The e2e cloud runs
// API destinations' waits 1000 times faster: test/setup/local-cloud.ts.)

interface DestinationView {
  name: string;
  endpoint: string;
  localEndpoint?: string;
  templateEndpoint: string;
  auth: { kind: string; header?: string; value?: string };
  counts: { delivered: number; retried: number; deadLettered: number };
}

const local = (path: string, init?: RequestInit) => fetch(`${apiUrl()}${path}`, init);
const pointErpAt = (endpoint: string | null) =>
  local('/_local/api-destinations/erp', { method: 'PUT', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ endpoint }) });

let partner: Partner;
let erp: DestinationView;

beforeAll(async () => {
  const listed = (await (await local('/_local/api-destinations')).json()) as { items: DestinationView[] };
  erp = listed.items.find((d) => d.name === 'oms-dev-erp')!;
  partner = await startPartner({ secrets: [], erpKey: erp.auth.value, log: () => undefined });
  expect((await pointErpAt(`${partner.url}/erp`)).status).toBe(200);
});
afterAll(async () => {
  await pointErpAt(null);
  await partner?.stop();
});

const erpFeedFor = (orderId: string) =>
  partner.received.filter((r) => r.path === '/erp' && (r.body as { data?: { orderId?: string } }).data?.orderId === orderId);

describe('API destinations on the local cloud (the dev ERP)', () => {
  it('serves the template: the https endpoint in AWS, the partner locally, an API key from the local secrets store', () => {
    expect(erp).toMatchObject({ templateEndpoint: 'https://erp.dev.oms.example.com/oms/events', localEndpoint: 'http://localhost:4400/erp', auth: { kind: 'apiKey', header: 'x-api-key' } });
    expect(erp.auth.value).toMatch(/^\S{16,}$/);
  });

  it('a paid order reaches the ERP as the transformed envelope, with the API key; without the key the ERP answers 401', async () => {
    const sku = uniqueSku('ERP');
    await createProduct(sku, 5);
    const orderId = await paidOrder([{ sku, quantity: 1 }]);
    const [paid] = await eventually(() => Promise.resolve(erpFeedFor(orderId)), (r) => r.length >= 1);
    expect(paid).toMatchObject({ eventType: 'OrderPaid', verified: true, answered: 204 });
    expect(paid!.body).toEqual({
      eventId: expect.stringMatching(/^[0-9A-Z]{26}$/),
      type: 'OrderPaid',
      occurredAt: expect.any(String),
      source: 'oms',
      data: expect.objectContaining({ orderId, status: 'PAID', previousStatus: 'AWAITING_PAYMENT' }),
    });
    // the stock received for the product went too (StockAdjusted)
    const stock = await eventually(
      () => Promise.resolve(partner.received.filter((r) => (r.body as { data?: { sku?: string } }).data?.sku === sku)),
      (r) => r.length >= 1,
    );
    expect(stock[0]).toMatchObject({ eventType: 'StockAdjusted', verified: true, body: { data: { sku, delta: 5, reason: 'RECEIVED' } } });

    const anonymous = await fetch(`${partner.url}/erp`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(paid!.body) });
    expect(anonymous.status).toBe(401);
  });

  it('a failing ERP is retried, then the event waits in the dead-letter queue with why', async () => {
    const sku = uniqueSku('ERPF');
    await createProduct(sku, 5);
    const sqs = new SQSClient({ endpoint: inject('awsUrl'), region: 'us-east-1', credentials: { accessKeyId: 'e2e', secretAccessKey: 'e2e' } });
    const QueueUrl = `${inject('awsUrl')}/000000000000/oms-dev-erp-dlq`;
    // failing until the event is given up on (a retry after the ERP recovered would deliver it)
    partner.mode.fail = 503;
    let orderId: string;
    let found: Message | undefined;
    try {
      orderId = await paidOrder([{ sku, quantity: 1 }]);
      found = await eventually(
        async () => {
          // the queue also holds what other tests' orders sent to the ERP with nothing listening:
          // each look hides what it read for a minute, so the next one reads further along
          const { Messages = [] } = await sqs.send(new ReceiveMessageCommand({ QueueUrl, MaxNumberOfMessages: 10, MessageAttributeNames: ['All'], VisibilityTimeout: 60 }));
          return Messages.find((m) => JSON.parse(m.Body!).detail?.data?.orderId === orderId);
        },
        (m) => m !== undefined,
      );
    } finally {
      partner.mode.fail = null;
    }
    expect(erpFeedFor(orderId).length).toBeGreaterThanOrEqual(3);
    expect(erpFeedFor(orderId).every((r) => r.answered === 503 && r.verified)).toBe(true);
    const event = JSON.parse(found!.Body!);
    expect(event).toMatchObject({ 'detail-type': 'OrderPaid', source: 'oms.orders', detail: { data: { orderId } } });
    const attr = Object.fromEntries(Object.entries(found!.MessageAttributes ?? {}).map(([k, v]) => [k, v.StringValue]));
    expect(attr).toMatchObject({
      ERROR_CODE: 'HTTP_503',
      ERROR_MESSAGE: 'The endpoint answered HTTP 503',
      RULE_ARN: expect.stringMatching(/:rule\/oms-dev-erp$/),
      TARGET_ARN: expect.stringMatching(/:api-destination\/oms-dev-erp\//),
    });
    expect(['MaximumEventAgeInSeconds', 'MaximumRetryAttempts']).toContain(attr.EXHAUSTED_RETRY_CONDITION);
    expect(Number(attr.RETRY_ATTEMPTS)).toBe(erpFeedFor(orderId).length - 1);
    expect((await call('GET', '/health')).status).toBe(200);
  });
});
