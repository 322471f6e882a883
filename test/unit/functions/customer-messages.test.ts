import type { SQSEvent } from 'aws-lambda';
import { describe, expect, it } from 'vitest';
import { makeHandler, type CustomerMessagesDeps } from '../../../functions/customer-messages/customer-messages';
import type { CustomerMessage } from '../../../shared/domain/customer-messages';
import type { SentMessage } from '../../../shared/store/customer-message-repository';
import { lambdaContext } from '../../support/api-event';
import sqsSample from '../../../events/samples/order-placed.sqs.json';
import shipped from '../../../events/samples/shipment-created.eventbridge.json';
import refunded from '../../../events/samples/refund-issued.eventbridge.json';

const template = (sqsSample as unknown as SQSEvent).Records[0]!;
const batch = (...events: unknown[]): SQSEvent => ({ Records: events.map((e, i) => ({ ...template, messageId: `m-${i}`, body: JSON.stringify(e) })) });

function fakes(contact: { email?: string; name?: string } | undefined = { email: 'ana@example.com', name: 'Ana' }) {
  const markers = new Map<string, SentMessage>();
  const holds = new Map<string, { holder: string; until: number }>();
  const sent: CustomerMessage[] = [];
  const deps: CustomerMessagesDeps = {
    messages: {
      contact: async () => contact,
      wasSent: async (eventId) => markers.has(eventId),
      claimSend: async (eventId, holder, now, until) => {
        const held = holds.get(eventId);
        if (held && held.holder !== holder && held.until >= now.getTime()) return false;
        holds.set(eventId, { holder, until });
        return true;
      },
      releaseSend: async (eventId, holder) => void (holds.get(eventId)?.holder === holder && holds.delete(eventId)),
      markSent: async (m) => (markers.has(m.eventId) ? false : (markers.set(m.eventId, m), true)),
    },
    send: async (m) => (sent.push(m), `ses-${sent.length}`),
    trackingBaseUrl: 'https://api.example.com',
    now: () => new Date('2026-12-01T05:00:00.000Z'),
  };
  return { deps, sent, markers };
}

describe('customer-messages', () => {
  it('e-mails the customer the tracking number once, and marks the event sent', async () => {
    const { deps, sent, markers } = fakes();
    const handler = makeHandler(deps);
    expect(await handler(batch(shipped), lambdaContext)).toEqual({ batchItemFailures: [] });
    expect(sent).toHaveLength(1);
    expect(sent[0]!.to).toBe('ana@example.com');
    expect(sent[0]!.text).toContain(shipped.detail.data.trackingNumber);
    expect(sent[0]!.text).toContain(`https://api.example.com/tracking/${shipped.detail.data.trackingNumber}`);
    expect(markers.get(shipped.detail.metadata.eventId)).toMatchObject({ orderId: shipped.detail.data.orderId, detailType: 'ShipmentCreated', messageId: 'ses-1' });
  });

  it('a redelivered event sends nothing more', async () => {
    const { deps, sent } = fakes();
    const handler = makeHandler(deps);
    await handler(batch(shipped), lambdaContext);
    await handler(batch(shipped, shipped), lambdaContext);
    expect(sent).toHaveLength(1);
  });

  it('the same event twice in one batch, or in two batches at once, sends once', async () => {
    const { deps, sent } = fakes();
    // a send that takes a moment, as the mail service does: the copies are handled side by side
    const handler = makeHandler({ ...deps, send: async (m) => { await new Promise((r) => setTimeout(r, 20)); return deps.send(m); } });
    expect(await handler(batch(shipped, refunded, shipped), lambdaContext)).toEqual({ batchItemFailures: [] });
    expect(sent.map((m) => m.text.includes(shipped.detail.data.trackingNumber))).toEqual([true, false]);
    const again = { ...shipped, detail: { ...shipped.detail, metadata: { ...shipped.detail.metadata, eventId: `${shipped.detail.metadata.eventId}-2` } } };
    // two copies of one message have their own message ids
    const copy = batch(again);
    copy.Records[0]!.messageId = 'm-copy';
    await Promise.all([handler(batch(again), lambdaContext), handler(copy, lambdaContext)]);
    expect(sent).toHaveLength(3);
  });

  it('a copy whose twin failed to send sends it itself', async () => {
    const { deps, sent } = fakes();
    let calls = 0;
    const handler = makeHandler({ ...deps, send: async (m) => { await new Promise((r) => setTimeout(r, 10)); if (++calls === 1) throw new Error('Throttling'); return deps.send(m); } });
    expect(await handler(batch(shipped, shipped), lambdaContext)).toEqual({ batchItemFailures: [{ itemIdentifier: 'm-0' }] });
    expect(sent).toHaveLength(1);
  });

  it('an order without an e-mail address gets no message and no marker', async () => {
    const { deps, sent, markers } = fakes({ name: 'Ana' });
    expect(await makeHandler(deps)(batch(refunded), lambdaContext)).toEqual({ batchItemFailures: [] });
    expect(sent).toEqual([]);
    expect(markers.size).toBe(0);
  });

  it('a failed send is retried by the queue and leaves no marker', async () => {
    const { deps, markers } = fakes();
    const handler = makeHandler({ ...deps, send: async () => { throw new Error('Throttling'); } });
    expect(await handler(batch(shipped), lambdaContext)).toEqual({ batchItemFailures: [{ itemIdentifier: 'm-0' }] });
    expect(markers.size).toBe(0);
  });

  it('an unknown order is retried by the queue, nothing sent', async () => {
    const { deps, sent } = fakes();
    const handler = makeHandler({ ...deps, messages: { ...deps.messages, contact: async () => undefined } });
    expect(await handler(batch(shipped), lambdaContext)).toEqual({ batchItemFailures: [{ itemIdentifier: 'm-0' }] });
    expect(sent).toEqual([]);
  });
});
