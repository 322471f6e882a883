import Stripe from 'stripe';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stripeAdapter } from '../../../shared/payments/providers/stripe';
import type { RawCallback } from '../../../shared/payments/port';
import { fakeProvider, stripeCredentials } from '../../support/providers';

// Callbacks are signed by the official stripe package, independently of the adapter.
const stripe = new Stripe('sk_test_unused');
const secret = stripeCredentials.webhookSecret;
const now = new Date('2026-11-30T10:00:00Z');
const nowSeconds = Math.floor(now.getTime() / 1000);

const event = (type: string, object: Record<string, unknown>) => JSON.stringify({
  id: 'evt_1Q2w3E', object: 'event', api_version: '2025-01-27', created: nowSeconds - 5, livemode: false, type, data: { object },
});
const succeeded = event('payment_intent.succeeded', {
  id: 'pi_123', object: 'payment_intent', amount: 12_345, amount_received: 12_345, currency: 'cny', status: 'succeeded',
  metadata: { paymentId: 'pay-1', orderId: 'ord-1' },
});

function callback(payload: string, header: string | undefined, receivedAt = now): RawCallback {
  return { headers: header === undefined ? {} : { 'stripe-signature': header }, body: Buffer.from(payload), receivedAt };
}
const signed = (payload: string, opts: { secret?: string; timestamp?: number } = {}) =>
  stripe.webhooks.generateTestHeaderString({ payload, secret: opts.secret ?? secret, timestamp: opts.timestamp ?? nowSeconds - 5 });

describe('stripe callbacks', () => {
  const adapter = stripeAdapter({ baseUrl: 'http://127.0.0.1:9', credentials: stripeCredentials });

  it('accepts an event signed with the webhook secret and normalizes a succeeded PaymentIntent', async () => {
    const verified = await adapter.verifyCallback(callback(succeeded, signed(succeeded)));
    expect(verified.ok).toBe(true);
    if (!verified.ok) return;
    expect(adapter.normalize(verified.payload)).toEqual([{
      provider: 'stripe', eventKey: 'evt_1Q2w3E', kind: 'payment', paymentId: 'pay-1', status: 'SUCCEEDED',
      amount: { amount: 12_345, currency: 'CNY' }, providerRef: 'pi_123',
      occurredAt: new Date((nowSeconds - 5) * 1000).toISOString(), providerEventType: 'payment_intent.succeeded',
    }]);
  });

  it('accepts any v1 signature during a secret rotation', async () => {
    const oldSig = signed(succeeded, { secret: 'whsec_old' });
    const newSig = signed(succeeded).split(',').find((p) => p.startsWith('v1='))!;
    expect((await adapter.verifyCallback(callback(succeeded, `${oldSig},${newSig}`))).ok).toBe(true);
  });

  it('refuses a forged, tampered, stale or unsigned event', async () => {
    expect(await adapter.verifyCallback(callback(succeeded, signed(succeeded, { secret: 'whsec_forged' })))).toMatchObject({ ok: false, reason: 'bad-signature' });
    const tampered = succeeded.replace('12345', '1');
    expect(await adapter.verifyCallback(callback(tampered, signed(succeeded)))).toMatchObject({ ok: false, reason: 'bad-signature' });
    const stale = signed(succeeded, { timestamp: nowSeconds - 301 });
    expect(await adapter.verifyCallback(callback(succeeded, stale))).toMatchObject({ ok: false, reason: 'stale' });
    expect(await adapter.verifyCallback(callback(succeeded, signed(succeeded, { timestamp: nowSeconds - 300 })))).toMatchObject({ ok: true });
    expect(await adapter.verifyCallback(callback(succeeded, undefined))).toMatchObject({ ok: false, reason: 'malformed' });
    expect(await adapter.verifyCallback(callback(succeeded, 't=1,v0=abc'))).toMatchObject({ ok: false, reason: 'malformed' });
  });

  it('normalizes failures, cancellations and refunds; ignores what we do not act on', () => {
    const pi = { id: 'pi_1', object: 'payment_intent', amount: 500, currency: 'usd', status: 'requires_payment_method', metadata: { paymentId: 'pay-2' } };
    expect(adapter.normalize(JSON.parse(event('payment_intent.payment_failed', pi)))).toMatchObject([{ kind: 'payment', status: 'FAILED', paymentId: 'pay-2' }]);
    expect(adapter.normalize(JSON.parse(event('payment_intent.canceled', { ...pi, status: 'canceled' })))).toMatchObject([{ status: 'CANCELLED' }]);
    const refund = { id: 're_1', object: 'refund', amount: 200, currency: 'usd', status: 'succeeded', metadata: { paymentId: 'pay-2', refundId: 'ref-1' } };
    expect(adapter.normalize(JSON.parse(event('refund.updated', refund)))).toEqual([expect.objectContaining({
      kind: 'refund', refundId: 'ref-1', paymentId: 'pay-2', status: 'SUCCEEDED', amount: { amount: 200, currency: 'USD' }, providerRef: 're_1',
    })]);
    expect(adapter.normalize(JSON.parse(event('refund.failed', { ...refund, status: 'failed' })))).toMatchObject([{ status: 'FAILED' }]);
    expect(adapter.normalize(JSON.parse(event('charge.refunded', { id: 'ch_1', metadata: { paymentId: 'pay-2' } })))).toEqual([]);
    expect(adapter.normalize(JSON.parse(event('payment_intent.succeeded', { ...pi, metadata: {} })))).toEqual([]);
    expect(() => adapter.normalize({ hello: 'world' })).toThrow(/not a Stripe event/);
  });

  it('replies as Stripe expects', () => {
    expect(adapter.reply('accepted')).toMatchObject({ statusCode: 200 });
    expect(adapter.reply('rejected', 'bad signature')).toMatchObject({ statusCode: 400, body: JSON.stringify({ error: 'bad signature' }) });
  });
});

describe('stripe API calls', () => {
  let server: Awaited<ReturnType<typeof fakeProvider>>;
  beforeAll(async () => {
    server = await fakeProvider((req) => {
      if (req.method === 'POST' && req.url === '/v1/payment_intents') {
        return { body: JSON.stringify({ id: 'pi_9', object: 'payment_intent', amount: 1000, currency: 'usd', status: 'requires_payment_method', client_secret: 'pi_9_secret_x', next_action: { type: 'redirect_to_url', redirect_to_url: { url: 'http://sandbox/pay/pi_9' } } }) };
      }
      if (req.method === 'GET' && req.url === '/v1/payment_intents/pi_9') {
        return { body: JSON.stringify({ id: 'pi_9', object: 'payment_intent', amount: 1000, amount_received: 1000, currency: 'usd', status: 'succeeded' }) };
      }
      if (req.method === 'POST' && req.url === '/v1/refunds') {
        return { body: JSON.stringify({ id: 're_9', object: 'refund', amount: 300, currency: 'usd', status: 'pending' }) };
      }
      return { status: 404, body: JSON.stringify({ error: { message: 'no such route' } }) };
    });
  });
  afterAll(() => server.close());
  const adapter = () => stripeAdapter({ baseUrl: server.url, credentials: async () => stripeCredentials });

  it('creates a PaymentIntent with the amount, metadata and idempotency key', async () => {
    const result = await adapter().create({
      paymentId: 'pay-9', orderId: 'ord-9', orderNumber: 'W-1', amount: { amount: 1000, currency: 'USD' },
      description: 'Order W-1', idempotencyKey: 'pay-9-create', notifyUrl: 'http://x/webhooks/payments/stripe',
    });
    expect(result).toEqual({ providerRef: 'pi_9', nextAction: { type: 'card', clientSecret: 'pi_9_secret_x', url: 'http://sandbox/pay/pi_9' } });
    const req = server.requests.find((r) => r.url === '/v1/payment_intents')!;
    expect(req.headers.authorization).toBe('Bearer sk_test_providers');
    expect(req.headers['idempotency-key']).toBe('pay-9-create');
    const form = new URLSearchParams(req.body);
    expect(form.get('amount')).toBe('1000');
    expect(form.get('currency')).toBe('usd');
    expect(form.get('metadata[paymentId]')).toBe('pay-9');
    expect(form.get('metadata[orderId]')).toBe('ord-9');
    expect(form.get('automatic_payment_methods[enabled]')).toBe('true');
  });

  it('refunds against the PaymentIntent and retrieves its status', async () => {
    const refund = await adapter().refund({
      refundId: 'ref-9', paymentId: 'pay-9', providerRef: 'pi_9', amount: { amount: 300, currency: 'USD' }, captured: { amount: 1000, currency: 'USD' },
      reason: 'damaged', idempotencyKey: 'ref-9', notifyUrl: 'http://x',
    });
    expect(refund).toEqual({ providerRefundRef: 're_9', status: 'PENDING' });
    const req = server.requests.find((r) => r.url === '/v1/refunds')!;
    expect(Object.fromEntries(new URLSearchParams(req.body))).toMatchObject({ payment_intent: 'pi_9', amount: '300', 'metadata[refundId]': 'ref-9', 'metadata[paymentId]': 'pay-9' });
    expect(req.headers['idempotency-key']).toBe('ref-9');
    expect(await adapter().retrieve({ paymentId: 'pay-9', providerRef: 'pi_9' })).toEqual({ status: 'SUCCEEDED', providerRef: 'pi_9', amount: { amount: 1000, currency: 'USD' } });
  });

  it('reports a refused call without leaking the key', async () => {
    const err = await adapter().retrieve({ paymentId: 'pay-x', providerRef: 'pi_missing' }).catch((e: Error) => e);
    expect(err).toBeInstanceOf(Error);
    expect(String((err as Error).message)).toMatch(/answered 404/);
    expect(String((err as Error).message)).not.toContain('sk_test');
  });
});

describe('stripe cancelling an abandoned PaymentIntent', () => {
  let server: Awaited<ReturnType<typeof fakeProvider>>;
  beforeAll(async () => {
    server = await fakeProvider((req) => {
      if (req.method === 'POST' && req.url === '/v1/payment_intents/pi_open/cancel') {
        return { body: JSON.stringify({ id: 'pi_open', object: 'payment_intent', amount: 1000, currency: 'usd', status: 'canceled', cancellation_reason: 'abandoned' }) };
      }
      if (req.method === 'POST' && req.url === '/v1/payment_intents/pi_paid/cancel') {
        return {
          status: 400,
          body: JSON.stringify({ error: { code: 'payment_intent_unexpected_state', message: 'You cannot cancel this PaymentIntent because it has a status of succeeded.', type: 'invalid_request_error' } }),
        };
      }
      return { status: 500, body: JSON.stringify({ error: { type: 'api_error', message: 'try again' } }) };
    });
  });
  afterAll(() => server.close());
  const adapter = () => stripeAdapter({ baseUrl: server.url, credentials: async () => stripeCredentials });

  it('cancels the PaymentIntent as abandoned, with our key and the idempotency key', async () => {
    expect(await adapter().cancel({ paymentId: 'pay-1', providerRef: 'pi_open', idempotencyKey: 'close:pay-1' })).toEqual({ status: 'CANCELLED' });
    const req = server.requests.find((r) => r.url === '/v1/payment_intents/pi_open/cancel')!;
    expect(req.method).toBe('POST');
    expect(req.headers.authorization).toBe('Bearer sk_test_providers');
    expect(req.headers['idempotency-key']).toBe('close:pay-1');
    expect(req.headers['content-type']).toBe('application/x-www-form-urlencoded');
    expect(Object.fromEntries(new URLSearchParams(req.body))).toEqual({ cancellation_reason: 'abandoned' });
  });

  it('reads Stripe refusing a PaymentIntent that already succeeded as final, and throws on a server error', async () => {
    expect(await adapter().cancel({ paymentId: 'pay-2', providerRef: 'pi_paid', idempotencyKey: 'k' })).toEqual({ status: 'ALREADY_FINAL' });
    await expect(adapter().cancel({ paymentId: 'pay-3', providerRef: 'pi_down', idempotencyKey: 'k' })).rejects.toThrow(/answered 500/);
  });

  it('asks nothing about an attempt without a PaymentIntent', async () => {
    const before = server.requests.length;
    expect(await adapter().cancel({ paymentId: 'pay-4', idempotencyKey: 'k' })).toEqual({ status: 'UNKNOWN' });
    expect(server.requests.length).toBe(before);
  });
});
