import { Template } from 'aws-cdk-lib/assertions';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stackIds } from '../../infra/build-app';
import { stageConfig } from '../../infra/config';
import { LOCAL_ENDPOINT_METADATA } from '../../infra/constructs/api-destinations';
import { resourcesOfType, synthStage, type Synthesized } from './synth';

// The dev stage's example ERP, as the Integrations stack declares it: a connection with an
// API key kept in Secrets Manager, an https API destination with its rate limit, a rule on
// the stage's bus for OrderPaid, ShipmentCreated and StockAdjusted whose target shapes the
// event, retries and dead-letters into an alarmed queue.

let dev: Synthesized;
let t: Template;
beforeAll(() => {
  dev = synthStage('dev');
  t = Template.fromJSON(dev.assembly.getStackArtifact(stackIds('dev').integrations).template);
});
afterAll(() => dev?.cleanup());

const erp = stageConfig('dev').apiDestinations!.find((d) => d.name === 'erp')!;
const only = <T>(o: Record<string, T>) => {
  const entries = Object.entries(o);
  expect(entries).toHaveLength(1);
  return entries[0]!;
};

describe('API destinations of the dev stage (template)', () => {
  it('a connection whose API key comes from a Secrets Manager secret, never from the config', () => {
    const [secretId, secret] = only(resourcesOfType(t, 'AWS::SecretsManager::Secret'));
    expect(secret.Properties).toMatchObject({ Name: 'oms/dev/api-destinations/erp', GenerateSecretString: { PasswordLength: 40 } });
    const [, connection] = only(resourcesOfType(t, 'AWS::Events::Connection'));
    expect(connection.Properties).toMatchObject({ Name: 'oms-dev-erp', AuthorizationType: 'API_KEY' });
    const key = (connection.Properties!.AuthParameters as { ApiKeyAuthParameters: { ApiKeyName: string; ApiKeyValue: unknown } }).ApiKeyAuthParameters;
    expect(key.ApiKeyName).toBe('x-api-key');
    // a dynamic reference to the secret, resolved by CloudFormation at deploy time
    const value = JSON.stringify(key.ApiKeyValue);
    expect(value).toContain('{{resolve:secretsmanager:');
    expect(value).toContain(secretId);
  });

  it('an https destination with its rate limit; the local endpoint only as metadata', () => {
    const [, destination] = only(resourcesOfType(t, 'AWS::Events::ApiDestination'));
    expect(destination.Properties).toMatchObject({
      Name: 'oms-dev-erp',
      InvocationEndpoint: 'https://erp.dev.oms.example.com/oms/events',
      HttpMethod: 'POST',
      InvocationRateLimitPerSecond: 10,
      ConnectionArn: { 'Fn::GetAtt': [expect.stringMatching(/Connection/), 'Arn'] },
    });
    expect((destination.Metadata as Record<string, string>)[LOCAL_ENDPOINT_METADATA]).toBe('http://localhost:4400/erp');
  });

  it('a rule on the stage bus for the three events, with the input transformer, retry policy and DLQ', () => {
    const rules = Object.values(resourcesOfType(t, 'AWS::Events::Rule')).filter((r) => r.Properties?.Name === 'oms-dev-erp');
    expect(rules).toHaveLength(1);
    const rule = rules[0]!.Properties!;
    expect(rule.EventPattern).toEqual({ source: [{ prefix: 'oms.' }], 'detail-type': ['OrderPaid', 'ShipmentCreated', 'StockAdjusted'] });
    expect(JSON.stringify(rule.EventBusName)).toMatch(/Oms-dev-Stateful:ExportsOutputRefBus/);
    const [target] = rule.Targets as Record<string, any>[];
    expect(target!.Arn).toEqual({ 'Fn::GetAtt': [expect.stringMatching(/Destination/), 'Arn'] });
    expect(target!.RoleArn).toBeDefined();
    expect(target!.InputTransformer).toEqual({
      InputPathsMap: {
        eventId: '$.detail.metadata.eventId',
        type: '$.detail-type',
        occurredAt: '$.detail.metadata.occurredAt',
        data: '$.detail.data',
      },
      InputTemplate: '{"eventId": <eventId>, "type": <type>, "occurredAt": <occurredAt>, "source": "oms", "data": <data>}',
    });
    expect(target!.RetryPolicy).toEqual({ MaximumEventAgeInSeconds: 3600, MaximumRetryAttempts: 24 });
    const dlqId = target!.DeadLetterConfig.Arn['Fn::GetAtt'][0] as string;
    expect(resourcesOfType(t, 'AWS::SQS::Queue')[dlqId]!.Properties).toMatchObject({ QueueName: 'oms-dev-erp-dlq' });

    // the role may invoke this destination (and nothing else)
    const policies = Object.values(resourcesOfType(t, 'AWS::IAM::Policy')).map((p) => JSON.stringify(p.Properties));
    expect(policies.some((p) => p.includes('events:InvokeApiDestination'))).toBe(true);

    // the DLQ's depth alarms the stage's topic
    const alarms = Object.values(resourcesOfType(t, 'AWS::CloudWatch::Alarm')).filter((a) =>
      JSON.stringify(a.Properties?.Dimensions ?? []).includes(dlqId),
    );
    expect(alarms).toHaveLength(1);
    expect(alarms[0]!.Properties).toMatchObject({ AlarmName: 'oms-dev-erp-dlq-not-empty', MetricName: 'ApproximateNumberOfMessagesVisible', Threshold: 1 });
    expect(alarms[0]!.Properties!.AlarmActions).toHaveLength(1);
  });

  it('the config declares the example ERP for dev only', () => {
    expect(erp.detailTypes).toEqual(['OrderPaid', 'ShipmentCreated', 'StockAdjusted']);
    expect(stageConfig('staging').apiDestinations ?? []).toEqual([]);
    expect(stageConfig('prod').apiDestinations ?? []).toEqual([]);
  });
});
