import { describe, expect, it } from 'vitest';
import { backoffMs, LocalApiDestinations, retryable, type ApiDestinationSpec } from '../../../infra/local/api-destinations';
import type { EventBridgeEvent } from '../../../infra/local/bus';
import type { MessageAttributeValue } from '../../../infra/local/queues';
import type { RuleSpec, TargetSpec } from '../../../infra/local/template';

// The local cloud's API destinations: auth header, retries on what EventBridge retries,
// then the dead-letter queue with EventBridge's attributes.

const spec: ApiDestinationSpec = {
  logicalId: 'Dest',
  name: 'oms-dev-erp',
  arn: 'arn:aws:events:us-east-1:0:api-destination/oms-dev-erp',
  endpoint: 'https://erp.example.com/oms/events',
  localEndpoint: 'http://127.0.0.1:9/erp',
  method: 'POST',
  ratePerSecond: 10,
  connection: 'oms-dev-erp',
  auth: { kind: 'apiKey', header: 'x-api-key', value: 'k-123' },
};
const rule = { name: 'oms-dev-erp', logicalId: 'Rule' } as RuleSpec;
const target: TargetSpec = { id: 'T', arn: spec.arn, kind: 'api-destination', deadLetterArn: 'arn:aws:sqs:us-east-1:0:oms-dev-erp-dlq', retryPolicy: { MaximumRetryAttempts: 3, MaximumEventAgeInSeconds: 86_400 } };
const event = { id: 'ev-1', 'detail-type': 'OrderPaid' } as EventBridgeEvent;

function harness(answers: (number | Error)[]) {
  const calls: { url: string; headers: Record<string, string>; body: string }[] = [];
  const dead: { arn: string; body: string; attributes: Record<string, MessageAttributeValue> }[] = [];
  const fetch = (async (url: URL, init: RequestInit) => {
    calls.push({ url: String(url), headers: init.headers as Record<string, string>, body: String(init.body) });
    const a = answers[Math.min(calls.length - 1, answers.length - 1)]!;
    if (a instanceof Error) throw a;
    return new Response(null, { status: a });
  }) as unknown as typeof globalThis.fetch;
  const dests = new LocalApiDestinations({
    destinations: [spec],
    sendToQueue: async (arn, body, attributes) => (dead.push({ arn, body, attributes }), 'oms-dev-erp-dlq'),
    log: () => undefined,
    timeScale: 0.0001,
    fetch,
  });
  return { calls, dead, dests };
}
const until = async (ok: () => boolean) => {
  for (let i = 0; i < 200 && !ok(); i++) await new Promise((r) => setTimeout(r, 5));
};

describe('local API destinations', () => {
  it('EventBridge retries 401, 407, 409, 429, 5xx and network errors, and not other answers', () => {
    expect([401, 407, 409, 429, 500, 503, undefined].every(retryable)).toBe(true);
    expect([400, 403, 404, 413, 301].some(retryable)).toBe(false);
    expect(backoffMs(1, () => 1)).toBe(1000);
    expect(backoffMs(4, () => 0)).toBe(4000);
    expect(backoffMs(30, () => 1)).toBe(300_000);
  });

  it('sends the transformed body to the local endpoint with the API key header', async () => {
    const { calls, dests, dead } = harness([204]);
    expect(dests.deliver({ rule, ruleArn: 'arn:rule', target, event, body: '{"a":1}' })).toBe('api destination oms-dev-erp');
    await until(() => calls.length === 1);
    expect(calls[0]).toMatchObject({ url: 'http://127.0.0.1:9/erp', body: '{"a":1}', headers: { 'x-api-key': 'k-123' } });
    expect(dests.views()[0]!.counts).toMatchObject({ delivered: 1, retried: 0 });
    expect(dead).toEqual([]);
  });

  it('a failing partner is retried up to the policy, then the event is dead-lettered with the error attributes', async () => {
    const { calls, dests, dead } = harness([503, new Error('ECONNREFUSED'), 503]);
    dests.deliver({ rule, ruleArn: 'arn:rule', target, event, body: '{}' });
    await until(() => dead.length === 1);
    expect(calls).toHaveLength(4);
    expect(dead[0]!.arn).toBe(target.deadLetterArn);
    expect(JSON.parse(dead[0]!.body)).toEqual(event);
    const attr = Object.fromEntries(Object.entries(dead[0]!.attributes).map(([k, v]) => [k, v.StringValue]));
    expect(attr).toEqual({
      ERROR_CODE: 'HTTP_503',
      ERROR_MESSAGE: 'The endpoint answered HTTP 503',
      EXHAUSTED_RETRY_CONDITION: 'MaximumRetryAttempts',
      RETRY_ATTEMPTS: '3',
      RULE_ARN: 'arn:rule',
      TARGET_ARN: spec.arn,
    });
  });

  it('an answer EventBridge does not retry goes to the dead-letter queue at once', async () => {
    const { calls, dests, dead } = harness([400]);
    dests.deliver({ rule, ruleArn: 'arn:rule', target, event, body: '{}' });
    await until(() => dead.length === 1);
    expect(calls).toHaveLength(1);
    expect(dead[0]!.attributes.EXHAUSTED_RETRY_CONDITION).toBeUndefined();
    expect(dead[0]!.attributes.RETRY_ATTEMPTS!.StringValue).toBe('0');
  });
});
