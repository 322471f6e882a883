import { describe, expect, it } from 'vitest';
import { scaleBatchingWindows } from '../../../infra/local/cloud';
import type { CloudModel, MappingSpec } from '../../../infra/local/template';

const mapping = (logicalId: string, maxBatchingWindowSeconds: number): MappingSpec => ({
  logicalId, functionName: 'fn', sourceArn: 'arn:aws:sqs:us-east-1:000000000000:q', kind: 'sqs', batchSize: 100, reportBatchItemFailures: true,
  filters: [], maxRetryAttempts: -1, bisectOnError: false, maxBatchingWindowSeconds, enabled: true,
});
const model = { mappings: [mapping('OffPath', 1), mapping('OnPath', 0)] } as unknown as CloudModel;

describe('batchingWindowScale', () => {
  it("shortens every mapping's batching window, and leaves the template's as they are at 1", () => {
    expect(scaleBatchingWindows(model, 0.1).mappings.map((m) => [m.logicalId, m.maxBatchingWindowSeconds])).toEqual([['OffPath', 0.1], ['OnPath', 0]]);
    expect(scaleBatchingWindows(model, 1)).toBe(model);
    expect(model.mappings[0]!.maxBatchingWindowSeconds).toBe(1);
  });

  it('refuses a scale that is not a number at least 0', () => {
    expect(() => scaleBatchingWindows(model, -1)).toThrow(/batchingWindowScale/);
    expect(() => scaleBatchingWindows(model, Number('fast'))).toThrow(/batchingWindowScale/);
  });
});
