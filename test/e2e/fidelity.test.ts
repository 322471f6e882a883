import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { PublishCommand, SNSClient } from '@aws-sdk/client-sns';
import { GetQueueAttributesCommand, GetQueueUrlCommand, SQSClient } from '@aws-sdk/client-sqs';
import { describe, expect, inject, it } from 'vitest';
import type { LocalResources } from '../../infra/local/cloud';

// The local cloud must serve what the synthesized template declares, nothing hand-kept:
// the template is read here on its own (plain JSON) and compared with what the running
// cloud reports and answers.
interface Resource {
  Type: string;
  Properties?: Record<string, any>;
}

function templateResources(): [string, Resource][] {
  const dir = inject('assemblyDir');
  const manifest = JSON.parse(readFileSync(join(dir, 'manifest.json'), 'utf8'));
  const out: [string, Resource][] = [];
  for (const art of Object.values<any>(manifest.artifacts)) {
    if (art.type !== 'aws:cloudformation:stack') continue;
    const t = JSON.parse(readFileSync(join(dir, art.properties.templateFile), 'utf8'));
    out.push(...Object.entries<Resource>(t.Resources ?? {}));
  }
  return out;
}

const ofType = (type: string) => templateResources().filter(([, r]) => r.Type === type);
const apiUrl = () => inject('apiUrl');
const credentials = { accessKeyId: 'local', secretAccessKey: 'local' };

async function resources(): Promise<LocalResources> {
  const res = await fetch(`${apiUrl()}/_local/resources`);
  expect(res.status).toBe(200);
  return res.json() as Promise<LocalResources>;
}

describe('the local cloud serves the synthesized template', () => {
  it('serves every HTTP route of the template', async () => {
    const inv = await resources();
    const routes = ofType('AWS::ApiGatewayV2::Route');
    expect(routes.length).toBeGreaterThan(0);
    expect(inv.routes.map((r) => r.routeKey).sort()).toEqual(routes.map(([, r]) => r.Properties!.RouteKey).sort());
    for (const [id, r] of routes) {
      const served = inv.routes.find((x) => x.logicalId === id);
      expect(served, id).toBeDefined();
      expect(served!.auth).toBe(r.Properties!.AuthorizationType ?? 'NONE');
    }
  });

  it('runs every function, table, queue, rule, event source mapping and schedule', async () => {
    const inv = await resources();
    const ids = (type: string) => ofType(type).map(([id]) => id).sort();
    // every Node.js function (CDK's own bucket-deployment function is Python: it runs in AWS only)
    const nodeFunctions = ofType('AWS::Lambda::Function').filter(([, f]) => String(f.Properties?.Runtime ?? '').startsWith('nodejs')).map(([id]) => id).sort();
    expect(inv.functions.map((f) => f.logicalId).sort()).toEqual(nodeFunctions);
    expect(inv.tables.map((t) => t.logicalId).sort()).toEqual(ids('AWS::DynamoDB::Table'));
    expect(inv.queues.map((q) => q.logicalId).sort()).toEqual(ids('AWS::SQS::Queue'));
    expect(inv.rules.map((r) => r.logicalId).sort()).toEqual(ids('AWS::Events::Rule'));
    expect(inv.eventSourceMappings.map((m) => m.logicalId).sort()).toEqual(ids('AWS::Lambda::EventSourceMapping'));
    const scheduled = ofType('AWS::Events::Rule').filter(([, r]) => r.Properties?.ScheduleExpression);
    expect(inv.schedules.map((s) => s.logicalId).sort()).toEqual(scheduled.map(([id]) => id).sort());

    for (const [id, q] of ofType('AWS::SQS::Queue')) {
      const served = inv.queues.find((x) => x.logicalId === id)!;
      if (q.Properties?.QueueName) expect(served.name).toBe(q.Properties.QueueName);
      if (q.Properties?.RedrivePolicy) expect(served.maxReceiveCount).toBe(q.Properties.RedrivePolicy.maxReceiveCount);
    }
    for (const [id, m] of ofType('AWS::Lambda::EventSourceMapping')) {
      const served = inv.eventSourceMappings.find((x) => x.logicalId === id)!;
      if (m.Properties?.BatchSize) expect(served.batchSize).toBe(m.Properties.BatchSize);
    }
    for (const [id, r] of ofType('AWS::Events::Rule')) {
      const served = inv.rules.find((x) => x.logicalId === id)!;
      expect(served.targets.map((t) => t.id).sort()).toEqual((r.Properties?.Targets ?? []).map((t: { Id: string }) => t.Id).sort());
      expect(served.targets.every((t) => t.kind !== 'other')).toBe(true);
      if (r.Properties?.EventPattern) expect(served.pattern).toEqual(r.Properties.EventPattern);
    }
    const streams = ofType('AWS::KinesisFirehose::DeliveryStream');
    expect(inv.deliveryStreams.map((d) => d.logicalId).sort()).toEqual(streams.map(([id]) => id).sort());
    for (const [id, d] of streams) {
      const served = inv.deliveryStreams.find((x) => x.logicalId === id)!;
      const s3 = d.Properties!.ExtendedS3DestinationConfiguration;
      expect(served).toMatchObject({
        name: d.Properties!.DeliveryStreamName,
        prefix: s3.Prefix,
        bufferIntervalSeconds: s3.BufferingHints.IntervalInSeconds,
        bufferSizeMb: s3.BufferingHints.SizeInMBs,
        compression: s3.CompressionFormat,
      });
    }
  });

  it('answers SQS and EventBridge calls from the AWS SDK for every queue', async () => {
    const inv = await resources();
    const sqs = new SQSClient({ endpoint: inject('awsUrl'), region: 'us-east-1', credentials });
    for (const q of inv.queues) {
      const { QueueUrl } = await sqs.send(new GetQueueUrlCommand({ QueueName: q.name }));
      expect(QueueUrl).toBe(q.url);
      const { Attributes } = await sqs.send(new GetQueueAttributesCommand({ QueueUrl, AttributeNames: ['All'] }));
      expect(Attributes?.QueueArn).toMatch(new RegExp(`:${q.name}$`));
    }
    const events = new EventBridgeClient({ endpoint: inject('awsUrl'), region: 'us-east-1', credentials });
    const bus = inv.rules.find((r) => r.pattern)?.bus ?? 'default';
    const put = await events.send(
      new PutEventsCommand({
        Entries: [
          { EventBusName: bus, Source: 'oms.fidelity-test', DetailType: 'Nothing', Detail: '{"a":1}' },
          { EventBusName: 'no-such-bus', Source: 'oms.fidelity-test', DetailType: 'Nothing', Detail: '{}' },
        ],
      }),
    );
    expect(put.FailedEntryCount).toBe(1);
    expect(put.Entries?.[0]?.EventId).toMatch(/^[0-9a-f-]{36}$/);
    expect(put.Entries?.[1]?.ErrorCode).toBeDefined();
    sqs.destroy();
    events.destroy();
  });

  it('publishes to every SNS topic of the template from the SDK, and the notify function is given each topic', async () => {
    const topics = ofType('AWS::SNS::Topic').filter(([, t]) => String(t.Properties?.TopicName ?? '').includes('-notify-'));
    expect(topics.length).toBeGreaterThanOrEqual(4);
    const notify = ofType('AWS::Lambda::Function').find(([, f]) => f.Properties?.Environment?.Variables?.DEPARTMENT_TOPICS);
    const wiring = JSON.stringify(notify?.[1].Properties?.Environment?.Variables?.DEPARTMENT_TOPICS);
    const sns = new SNSClient({ endpoint: inject('awsUrl'), region: 'us-east-1', credentials });
    for (const [id, t] of topics) {
      expect(wiring).toContain(`"Ref":"${id}"`);
      const out = await sns.send(new PublishCommand({ TopicArn: `arn:aws:sns:us-east-1:000000000000:${t.Properties!.TopicName}`, Subject: 'fidelity', Message: 'test' }));
      expect(out.MessageId).toMatch(/^[0-9a-f-]{36}$/);
    }
    sns.destroy();
  });

  it("answers /health without a token, refuses a protected route without one as API Gateway's authorizer does, and 404s unknown routes as problem+json", async () => {
    const health = await fetch(`${apiUrl()}/health`);
    expect(health.status).toBe(200);
    const noToken = await fetch(`${apiUrl()}/orders`, { method: 'POST', body: '{}', headers: { 'content-type': 'application/json' } });
    expect(noToken.status).toBe(401);
    expect(noToken.headers.get('content-type')).toBe('application/json');
    expect(noToken.headers.get('www-authenticate')).toBe('Bearer');
    expect(await noToken.json()).toEqual({ message: 'Unauthorized' });
    const badToken = await fetch(`${apiUrl()}/orders/x`, { headers: { authorization: 'Bearer abc.def.ghi' } });
    expect(badToken.status).toBe(401);
    expect(await badToken.json()).toEqual({ message: 'Unauthorized' });
    const unknown = await fetch(`${apiUrl()}/no/such/route`);
    expect(unknown.status).toBe(404);
    expect(unknown.headers.get('content-type')).toBe('application/problem+json');
    // the API's $default route sends it to a function (health), whose router answers it
    expect(await unknown.json()).toMatchObject({ status: 404, title: 'Not found', detail: 'No route for GET /no/such/route' });
  });
});
