import type { SQSEvent } from 'aws-lambda';
import { describe, expect, it } from 'vitest';
import { makeHandler } from '../../../functions/replacements/replacements';
import { lambdaContext } from '../../support/api-event';
import byStock from '../../../events/samples/order-rejected.stock.eventbridge.json';
import byReviewer from '../../../events/samples/order-rejected.reviewer.eventbridge.json';

const now = () => new Date('2026-12-01T08:00:00.000Z');

/** The sample as its queue delivers it, its order number replaced. */
function message(sample: typeof byStock | typeof byReviewer, orderNumber: string): SQSEvent {
  const body = JSON.stringify({ ...sample, detail: { ...sample.detail, data: { ...sample.detail.data, orderNumber } } });
  return { Records: [{ messageId: 'm-1', body } as SQSEvent['Records'][number]] };
}

function step() {
  const refused: [string, string][] = [];
  const handler = makeHandler({
    replacements: {
      refused: async (orderId, opts) => (refused.push([orderId, opts.causationId]), { outcome: 'unchanged' }),
      settle: async () => { throw new Error('not settled on a rejection'); },
      stockArrived: async () => { throw new Error('no stock arrived'); },
    },
    now,
  });
  return { handler, refused };
}

describe('replacements step: a rejected order', () => {
  it('a replacement order (X…) rejected for stock puts its return back to waiting, the event as causation', async () => {
    const { handler, refused } = step();
    expect(await handler(message(byStock, 'X20261127-0042'), lambdaContext)).toEqual({ batchItemFailures: [] });
    expect(refused).toEqual([[byStock.detail.data.orderId, byStock.detail.metadata.eventId]]);
  });

  it('any other order, or a replacement rejected by a reviewer (no shortages), is skipped without a read', async () => {
    const { handler, refused } = step();
    expect(await handler(message(byStock, 'W20261127-0042'), lambdaContext)).toEqual({ batchItemFailures: [] });
    expect(await handler(message(byReviewer, 'X20261127-0042'), lambdaContext)).toEqual({ batchItemFailures: [] });
    expect(refused).toEqual([]);
  });
});
