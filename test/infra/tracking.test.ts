import { Match } from 'aws-cdk-lib/assertions';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stageConfig } from '../../infra/config';
import { TRACKING_PROVIDERS } from '../../shared/shipping/port';
import { actionsOf, functionIdOf, resourcesOfType, statementsOfRole, synthStage, type CfnResource, type Synthesized } from './synth';

// The carrier callback path and public tracking in the templates: the public webhook
// and tracking routes, the carrier-callbacks queue with its DLQ and alarm, the worker,
// the carriers' secrets (by ARN, readable by the receiver only), and the tracking
// route's own throttle.

let s: Synthesized;
beforeAll(() => {
  s = synthStage('prod');
});
afterAll(() => s?.cleanup());

const config = stageConfig('prod');
const fnOf = (step: string) => resourcesOfType(s.api, 'AWS::Lambda::Function')[functionIdOf(s.api, step)]!;
const envOf = (fn: CfnResource) => (fn.Properties!.Environment as { Variables: Record<string, unknown> }).Variables;
const roleOf = (fn: CfnResource) => (fn.Properties!.Role as { 'Fn::GetAtt': [string, string] })['Fn::GetAtt'][0];

describe('carrier callbacks and public tracking infrastructure', () => {
  it('routes the carrier webhooks and the tracking lookup without an authorizer', () => {
    s.api.hasResourceProperties('AWS::ApiGatewayV2::Route', { RouteKey: 'POST /webhooks/carriers/{provider}', AuthorizationType: 'NONE' });
    s.api.hasResourceProperties('AWS::ApiGatewayV2::Route', { RouteKey: 'GET /tracking/{trackingNumber}', AuthorizationType: 'NONE' });
  });

  it('throttles the public tracking route on its own, below the stage default, once the route exists', () => {
    const [stageId, stage] = Object.entries(resourcesOfType(s.api, 'AWS::ApiGatewayV2::Stage'))[0]!;
    expect(stage.Properties!.RouteSettings).toEqual({
      'GET /tracking/{trackingNumber}': { ThrottlingRateLimit: config.publicTrackingThrottle.rateLimit, ThrottlingBurstLimit: config.publicTrackingThrottle.burstLimit },
    });
    expect(config.publicTrackingThrottle.rateLimit).toBeLessThan(config.apiThrottle.rateLimit);
    const [routeId] = Object.entries(resourcesOfType(s.api, 'AWS::ApiGatewayV2::Route')).find(([, r]) => r.Properties?.RouteKey === 'GET /tracking/{trackingNumber}')!;
    expect(stage.DependsOn, stageId).toContain(routeId);
  });

  it('has one carrier secret per provider, tagged with it, with empty JSON fields, readable by the receiver only', () => {
    const secrets = Object.entries(resourcesOfType(s.stateful, 'AWS::SecretsManager::Secret'))
      .filter(([, r]) => String(r.Properties?.Name ?? '').startsWith('oms/prod/carriers/'));
    expect(secrets.map(([, r]) => r.Properties!.Name).sort()).toEqual(TRACKING_PROVIDERS.map((p) => `oms/prod/carriers/${p}`).sort());
    for (const [, r] of secrets) {
      const provider = String(r.Properties!.Name).split('/').at(-1);
      expect(r.Properties!.Tags).toContainEqual({ Key: 'oms:provider', Value: provider });
      expect(r.DeletionPolicy).toBe('Retain');
    }
    const kuaidi = secrets.find(([, r]) => r.Properties!.Name === 'oms/prod/carriers/kuaidi100')![1];
    expect(JSON.parse((kuaidi.Properties!.GenerateSecretString as { SecretStringTemplate: string }).SecretStringTemplate)).toEqual({ key: '', customer: '', salt: '' });

    const env = envOf(fnOf('carrier-webhooks'));
    for (const name of ['AFTERSHIP_SECRET_ARN', 'EASYPOST_SECRET_ARN', 'KUAIDI100_SECRET_ARN', 'SEVENTEENTRACK_SECRET_ARN']) {
      expect(JSON.stringify(env[name]), name).toMatch(/Fn::ImportValue.*CarrierCredentials/);
    }
    const reads = statementsOfRole(s.api, roleOf(fnOf('carrier-webhooks'))).filter((st) => actionsOf(st).includes('secretsmanager:GetSecretValue'));
    expect(reads.map((st) => JSON.stringify(st.Resource)).join(' ')).toMatch(/AftershipCarrierCredentials[\s\S]*EasypostCarrierCredentials[\s\S]*Kuaidi100CarrierCredentials[\s\S]*SeventeentrackCarrierCredentials/);
    for (const step of ['tracking', 'carrier-callbacks', 'place-order']) expect(envOf(fnOf(step)).KUAIDI100_SECRET_ARN, step).toBeUndefined();
  });

  it('the receiver sends to the carrier-callbacks queue, which the worker drains with partial batch failures into an alarmed DLQ', () => {
    const queues = resourcesOfType(s.api, 'AWS::SQS::Queue');
    const [queueId, queue] = Object.entries(queues).find(([, q]) => q.Properties?.QueueName === 'oms-prod-carrier-callbacks')!;
    const [dlqId] = Object.entries(queues).find(([, q]) => q.Properties?.QueueName === 'oms-prod-carrier-callbacks-dlq')!;
    expect(queue.Properties!.RedrivePolicy).toMatchObject({ deadLetterTargetArn: { 'Fn::GetAtt': [dlqId, 'Arn'] }, maxReceiveCount: 5 });
    expect(envOf(fnOf('carrier-webhooks')).CARRIER_CALLBACKS_QUEUE_URL).toEqual({ Ref: queueId });
    const sends = statementsOfRole(s.api, roleOf(fnOf('carrier-webhooks'))).filter((st) => actionsOf(st).includes('sqs:SendMessage'));
    expect(sends.map((st) => st.Resource)).toEqual([{ 'Fn::GetAtt': [queueId, 'Arn'] }]);
    s.api.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
      FunctionName: { Ref: functionIdOf(s.api, 'carrier-callbacks') },
      EventSourceArn: { 'Fn::GetAtt': [queueId, 'Arn'] },
      FunctionResponseTypes: ['ReportBatchItemFailures'],
    });
    s.api.hasResourceProperties('AWS::CloudWatch::Alarm', {
      AlarmName: 'oms-prod-carrier-callbacks-dlq-not-empty',
      AlarmActions: [Match.anyValue()],
    });
  });

  it('the public tracking function only reads the table', () => {
    const actions = statementsOfRole(s.api, roleOf(fnOf('tracking'))).flatMap(actionsOf);
    expect(actions.filter((a) => a.startsWith('dynamodb:'))).not.toContain('dynamodb:PutItem');
    expect(actions.filter((a) => a.startsWith('dynamodb:'))).toContain('dynamodb:GetItem');
    expect(actions.some((a) => a.startsWith('secretsmanager:GetSecretValue') || a.startsWith('sqs:'))).toBe(false);
  });
});
