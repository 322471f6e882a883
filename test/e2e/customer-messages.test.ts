import { randomUUID } from 'node:crypto';
import { SendEmailCommand, SESv2Client } from '@aws-sdk/client-sesv2';
import { GetQueueAttributesCommand, GetQueueUrlCommand, SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { apiUrl, call, createProduct, eventually, getOrder, placeOrder, uniqueSku } from './client';
import sample from '../../events/samples/shipment-created.eventbridge.json';

// The customer told by e-mail through the local cloud: an order shipped over HTTP leaves a
// message with its tracking number in the local mailbox (SES v2 SendEmail kept, not
// delivered); the same event delivered again sends nothing more.

interface Mail { messageId: string; from: string; to: string[]; subject: string; text?: string }

const credentials = { accessKeyId: 'local', secretAccessKey: 'local' };
const sqs = new SQSClient({ endpoint: inject('awsUrl'), region: 'us-east-1', credentials });
afterAll(() => sqs.destroy());

const mailTo = async (email: string): Promise<Mail[]> => {
  const res = await fetch(`${apiUrl()}/_local/mail?to=${encodeURIComponent(email)}`);
  expect(res.status).toBe(200);
  return ((await res.json()) as { messages: Mail[] }).messages;
};

let sku: string;
beforeAll(async () => {
  sku = uniqueSku('MAIL-TEA');
  await createProduct(sku, 10, 1200);
});

/** A paid order for one unit, shipped with kuaidi100 under a new tracking number. */
async function shippedOrder(email: string) {
  const placed = await placeOrder([{ sku, quantity: 1 }], randomUUID(), { customer: { email, name: 'Mei Chen' } });
  expect(placed.status).toBe(202);
  const orderId = placed.body.orderId as string;
  await eventually(() => getOrder(orderId), (r) => r.body?.status === 'AWAITING_PAYMENT');
  const started = await call('POST', `/orders/${orderId}/payments`, { as: 'storefront', body: { method: 'bank_transfer' } });
  expect((await call('POST', `/orders/${orderId}/payments/${started.body.paymentId}/confirm`, { as: 'finance', body: { reference: `CMB-${orderId}` } })).status).toBe(200);
  const f = await call('POST', `/orders/${orderId}/fulfillments`, { as: 'ops', body: {} });
  expect(f.status, JSON.stringify(f.body)).toBe(201);
  expect((await call('POST', `/fulfillments/${f.body.fulfillmentId}/packed`, { as: 'ops' })).status).toBe(200);
  const trackingNumber = `SF${randomUUID().replace(/-/g, '').slice(0, 12)}`;
  const shipment = await call('POST', `/orders/${orderId}/shipments`, { as: 'ops', body: { carrier: 'kuaidi100', trackingNumber } });
  expect(shipment.status, JSON.stringify(shipment.body)).toBe(201);
  const order = (await getOrder(orderId)).body;
  return { orderId, orderNumber: order.orderNumber as string, shipmentId: shipment.body.shipmentId as string, trackingNumber };
}

describe('customer e-mail through the local cloud', () => {
  it('tells the customer of the shipment with its tracking number, from the stage sender', async () => {
    const email = `mei-${randomUUID().slice(0, 8)}@example.com`;
    const { orderNumber, trackingNumber } = await shippedOrder(email);
    const [mail, ...more] = await eventually(() => mailTo(email), (m) => m.length > 0);
    expect(more).toEqual([]);
    expect(mail!.to).toEqual([email]);
    expect(mail!.from).toMatch(/^orders@/);
    expect(mail!.subject).toContain(`Your order ${orderNumber} has shipped`);
    expect(mail!.text).toContain(`tracking number ${trackingNumber}`);
    expect(mail!.text).toContain(`/tracking/${trackingNumber}`);
    // the link answers: the public tracking route knows the parcel
    const link = /(http\S+\/tracking\/\S+)/.exec(mail!.text!)![1]!;
    expect((await fetch(link)).status).toBe(200);
  });

  it('a redelivered event sends once', async () => {
    const email = `mei-${randomUUID().slice(0, 8)}@example.com`;
    const shipped = await shippedOrder(email);
    await eventually(() => mailTo(email), (m) => m.length === 1);

    // the same ShipmentCreated (one event id) reaches the worker's queue twice
    const resources = (await (await fetch(`${apiUrl()}/_local/resources`)).json()) as { queues: { name: string }[] };
    const QueueName = resources.queues.find((q) => q.name.endsWith('-customer-messages'))!.name;
    const { QueueUrl } = await sqs.send(new GetQueueUrlCommand({ QueueName }));
    const eventId = `01KBMAIL${randomUUID().replace(/-/g, '').slice(0, 18).toUpperCase()}`;
    const event = {
      ...sample,
      id: randomUUID(),
      detail: {
        metadata: { ...sample.detail.metadata, eventId, occurredAt: new Date().toISOString() },
        data: { ...sample.detail.data, ...shipped, trackingNumber: `${shipped.trackingNumber}-B` },
      },
    };
    for (let i = 0; i < 2; i++) await sqs.send(new SendMessageCommand({ QueueUrl, MessageBody: JSON.stringify(event) }));
    await eventually(
      () => sqs.send(new GetQueueAttributesCommand({ QueueUrl, AttributeNames: ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible'] })),
      (r) => r.Attributes?.ApproximateNumberOfMessages === '0' && r.Attributes?.ApproximateNumberOfMessagesNotVisible === '0',
    );
    const mails = await mailTo(email);
    expect(mails.filter((m) => m.text?.includes(`${shipped.trackingNumber}-B`))).toHaveLength(1);
    expect(mails).toHaveLength(2);
  });

  it('serves SES v2 SendEmail to the SDK and refuses a message without a recipient', async () => {
    const ses = new SESv2Client({ endpoint: inject('awsUrl'), region: 'us-east-1', credentials });
    const to = `sdk-${randomUUID().slice(0, 8)}@example.com`;
    const sent = await ses.send(
      new SendEmailCommand({ FromEmailAddress: 'orders@example.com', Destination: { ToAddresses: [to] }, Content: { Simple: { Subject: { Data: '測試' }, Body: { Text: { Data: 'hi' } } } } }),
    );
    expect(sent.MessageId).toBeTruthy();
    expect(await mailTo(to.toUpperCase())).toMatchObject([{ messageId: sent.MessageId, subject: '測試', text: 'hi', to: [to] }]);
    await expect(
      ses.send(new SendEmailCommand({ FromEmailAddress: 'orders@example.com', Destination: {}, Content: { Simple: { Subject: { Data: 's' }, Body: { Text: { Data: 'x' } } } } })),
    ).rejects.toMatchObject({ name: 'BadRequestException' });
    ses.destroy();
  });
});
