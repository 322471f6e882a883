import type { Context, SQSEvent, SQSRecord } from 'aws-lambda';
import { describe, expect, it } from 'vitest';
import { sqsBatchTogether } from '../../../shared/middleware/sqs-batch';

const record = (messageId: string): SQSRecord => ({ messageId, body: JSON.stringify({ detail: { data: { orderId: `o-${messageId}` } } }) } as SQSRecord);
const event = (...ids: string[]): SQSEvent => ({ Records: ids.map(record) });
const context = { functionName: 'test', awsRequestId: 'r-1' } as Context;

describe('a consumer that handles its batch as a whole', () => {
  it('returns for redelivery exactly the records whose outcome is an error', async () => {
    const seen: string[][] = [];
    const handler = sqsBatchTogether(async (records) => {
      seen.push(records.map((r) => r.messageId));
      return records.map((r) => (r.messageId === 'b' ? new Error('condition failed') : undefined));
    });
    expect(await handler(event('a', 'b', 'c'), context)).toEqual({ batchItemFailures: [{ itemIdentifier: 'b' }] });
    expect(seen).toEqual([['a', 'b', 'c']]);
  });

  it('redelivers the whole batch when the handler throws', async () => {
    const handler = sqsBatchTogether(async () => {
      throw new Error('table unavailable');
    });
    expect(await handler(event('a', 'b'), context)).toEqual({ batchItemFailures: [{ itemIdentifier: 'a' }, { itemIdentifier: 'b' }] });
  });
});
