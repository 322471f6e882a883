import { describe, expect, it } from 'vitest';
import { queueArn as arn, queueSpec as queue } from '../../support/queue-spec';
import { LocalBus } from '../../../infra/local/bus';
import { deadLetters, findQueueName, queueViews } from '../../../infra/local/flow';
import { LocalQueues } from '../../../infra/local/queues';
import type { CloudModel, FunctionSpec, MappingSpec, RuleSpec } from '../../../infra/local/template';
import { deadLetteredIn } from '../../support/dead-letter-alarms';

const fnArn = 'arn:aws:lambda:us-east-1:000000000000:function:S-ExpireUnpaid1234';

function model(): CloudModel {
  const queues = [
    queue('oms-dev-reservations', { redrive: { deadLetterTargetArn: arn('oms-dev-reservations-dlq'), maxReceiveCount: 5 } }),
    queue('oms-dev-reservations-dlq'),
    queue('oms-dev-relay-failures'),
    queue('oms-dev-expire-runs-dlq'),
  ];
  const mapping = { logicalId: 'M', functionName: 'S-Relay99', kind: 'stream', onFailureArn: arn('oms-dev-relay-failures') } as MappingSpec;
  const rules = [
    { logicalId: 'ExpireRule', schedule: 'rate(5 minutes)', targets: [{ id: 't', arn: fnArn, kind: 'lambda', deadLetterArn: arn('oms-dev-expire-runs-dlq') }] },
    { logicalId: 'ReserveRule', targets: [{ id: 't', arn: arn('oms-dev-reservations'), kind: 'sqs', deadLetterArn: arn('oms-dev-reservations-dlq') }] },
  ] as RuleSpec[];
  const functions = [
    { name: 'S-Relay99', label: 'outbox-relay' },
    { name: 'S-ExpireUnpaid1234', label: 'expire-unpaid', arn: fnArn },
  ] as FunctionSpec[];
  return { tables: [], functions, queues, routes: [], rules, mappings: [mapping], clients: [], buses: ['oms-dev'], deliveryStreams: [] };
}

describe('the flow views of the local cloud', () => {
  it('say which queue is whose dead-letter queue, and count messages by state', async () => {
    const m = model();
    const queues = new LocalQueues(m.queues);
    await queues.send('oms-dev-reservations', { body: '{"a":1}' });
    await queues.send('oms-dev-reservations', { body: '{"a":2}', delaySeconds: 60 });
    await queues.receiveNow('oms-dev-reservations', 1);
    const views = new Map(queueViews(m, queues).map((v) => [v.name, v]));
    expect(views.get('oms-dev-reservations')).toMatchObject({
      messages: { visible: 0, inFlight: 1, delayed: 1 },
      deadLetterQueue: 'oms-dev-reservations-dlq',
      maxReceiveCount: 5,
    });
    expect(views.get('oms-dev-reservations-dlq')!.deadLetterFor).toEqual(['queue oms-dev-reservations', 'rule ReserveRule -> queue oms-dev-reservations']);
    expect(views.get('oms-dev-relay-failures')!.deadLetterFor).toEqual(['stream mapping of outbox-relay']);
    expect(views.get('oms-dev-expire-runs-dlq')!.deadLetterFor).toEqual(['rule ExpireRule -> function expire-unpaid']);
    expect(views.get('oms-dev-reservations')!.deadLetterFor).toBeUndefined();
  });

  it('find a queue by its name or its unique ending', () => {
    const m = model();
    expect(findQueueName(m, 'oms-dev-reservations')).toBe('oms-dev-reservations');
    expect(findQueueName(m, 'reservations')).toBe('oms-dev-reservations');
    expect(findQueueName(m, "dlq")).toBeUndefined(); // two queues end so
    expect(findQueueName(m, 'nothing')).toBeUndefined();
  });

  it('list what a dead-letter queue holds, by the queue or the dead-letter queue, JSON bodies parsed', async () => {
    const m = model();
    const queues = new LocalQueues(m.queues);
    await queues.send('oms-dev-reservations-dlq', { body: '{"detail-type":"OrderPlaced"}' });
    await queues.send('oms-dev-reservations-dlq', { body: 'not json' });
    for (const name of ['reservations', 'oms-dev-reservations-dlq']) {
      const view = deadLetters(m, queues, name);
      expect(view).toMatchObject({ deadLetterQueue: 'oms-dev-reservations-dlq', messages: [{ body: { 'detail-type': 'OrderPlaced' }, receiveCount: 0 }, { body: 'not json' }] });
    }
    // nothing was received: both are still there
    expect(queues.depth('oms-dev-reservations-dlq')).toBe(2);
    expect(deadLetters(m, queues, 'nothing')).toEqual({ error: expect.stringContaining('There is no queue nothing') });
  });

  it('remember bus events newest first, filtered, with where each went', async () => {
    const m = model();
    const queues = new LocalQueues(m.queues);
    const rules = [{ stack: 'S', logicalId: 'R', name: 'R', busName: 'oms-dev', enabled: true, pattern: { 'detail-type': ['A'] }, targets: [{ id: 't', arn: arn('oms-dev-reservations'), kind: 'sqs' }] }] as RuleSpec[];
    const bus = new LocalBus({ rules, buses: ['oms-dev'], queues, invokeAsync: () => {}, functionOfArn: () => undefined, region: 'us-east-1', accountId: '0', log: () => {} });
    await bus.putEvents(['A', 'B', 'A'].map((t, i) => ({ Source: 'oms.test', DetailType: t, Detail: JSON.stringify({ i }), EventBusName: 'oms-dev' })));
    expect(bus.recent().map((r) => r.event.detail)).toEqual([{ i: 2 }, { i: 1 }, { i: 0 }]);
    expect(bus.recent({ detailType: 'A' }).map((r) => [r.event.detail, r.deliveredTo])).toEqual([
      [{ i: 2 }, ['queue oms-dev-reservations (rule R)']],
      [{ i: 0 }, ['queue oms-dev-reservations (rule R)']],
    ]);
    expect(bus.recent({ detailType: 'B' })[0]!.deliveredTo).toEqual([]);
    expect(bus.recent({ limit: 1 })).toHaveLength(1);
    expect(bus.recent({ source: 'other' })).toEqual([]);
  });

  it('read from the log which dead-letter queues messages reached', () => {
    const lines = [
      'queue oms-dev-reservations: message 1a received 5 times -> dead-letter queue oms-dev-reservations-dlq',
      'outbox-relay: retries exhausted, 3 record(s) 10..12 sent to arn:aws:sqs:us-east-1:000000000000:oms-dev-relay-failures',
      'HTTP POST /orders -> place-order 202 34ms',
    ];
    expect([...deadLetteredIn(lines)].sort()).toEqual(['oms-dev-relay-failures', 'oms-dev-reservations-dlq']);
  });
});
