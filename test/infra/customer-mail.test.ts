import { Match } from 'aws-cdk-lib/assertions';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stageConfig } from '../../infra/config';
import { actionsOf, functionIdOf, resourcesOfType, statementsOfRole, synthStage, type CfnResource, type Synthesized } from './synth';

// Customer e-mail in the prod template: the events that reach the worker's queue (with its
// DLQ and alarm), the stage's SES identity, and a send permission scoped to that identity
// and the stage's from-address.

let s: Synthesized;
beforeAll(() => {
  s = synthStage('prod');
});
afterAll(() => s?.cleanup());

const config = stageConfig('prod');
const fnOf = (step: string) => resourcesOfType(s.api, 'AWS::Lambda::Function')[functionIdOf(s.api, step)]!;
const envOf = (fn: CfnResource) => (fn.Properties!.Environment as { Variables: Record<string, unknown> }).Variables;
const roleOf = (fn: CfnResource) => (fn.Properties!.Role as { 'Fn::GetAtt': [string, string] })['Fn::GetAtt'][0];

describe('customer e-mail infrastructure', () => {
  it('feeds shipped, delivered and refunded events to the customer-messages queue, drained into an alarmed DLQ', () => {
    const queues = resourcesOfType(s.api, 'AWS::SQS::Queue');
    const [queueId, queue] = Object.entries(queues).find(([, q]) => q.Properties?.QueueName === 'oms-prod-customer-messages')!;
    const [dlqId] = Object.entries(queues).find(([, q]) => q.Properties?.QueueName === 'oms-prod-customer-messages-dlq')!;
    expect(queue.Properties!.RedrivePolicy).toMatchObject({ deadLetterTargetArn: { 'Fn::GetAtt': [dlqId, 'Arn'] } });
    s.api.hasResourceProperties('AWS::Events::Rule', {
      EventPattern: { source: ['oms.orders', 'oms.payments'], 'detail-type': ['ShipmentCreated', 'OrderDelivered', 'RefundIssued'] },
      Targets: [Match.objectLike({ Arn: { 'Fn::GetAtt': [queueId, 'Arn'] } })],
    });
    s.api.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
      FunctionName: { Ref: functionIdOf(s.api, 'customer-messages') },
      EventSourceArn: { 'Fn::GetAtt': [queueId, 'Arn'] },
      FunctionResponseTypes: ['ReportBatchItemFailures'],
    });
    s.api.hasResourceProperties('AWS::CloudWatch::Alarm', { AlarmName: 'oms-prod-customer-messages-dlq-not-empty' });
  });

  it("declares the stage's SES identity and lets only the worker send from the stage address through it", () => {
    const identities = Object.entries(resourcesOfType(s.api, 'AWS::SES::EmailIdentity'));
    expect(identities.map(([, r]) => r.Properties!.EmailIdentity)).toEqual([config.customerMail.identity]);
    const [identityId] = identities[0]!;
    const sends = statementsOfRole(s.api, roleOf(fnOf('customer-messages'))).filter((st) => actionsOf(st).some((a) => a.startsWith('ses:')));
    expect(sends).toHaveLength(1);
    expect(actionsOf(sends[0]!)).toEqual(['ses:SendEmail']);
    expect(JSON.stringify(sends[0]!.Resource)).toMatch(new RegExp(`:identity/",\\{"Ref":"${identityId}"\\}\\]\\]\\}$`));
    expect((sends[0] as unknown as { Condition: unknown }).Condition).toEqual({ StringEquals: { 'ses:FromAddress': config.customerMail.from } });
    const others = Object.entries(resourcesOfType(s.api, 'AWS::Lambda::Function'))
      .filter(([id]) => id !== functionIdOf(s.api, 'customer-messages'))
      .flatMap(([, fn]) => statementsOfRole(s.api, roleOf(fn)).flatMap(actionsOf))
      .filter((a) => a.startsWith('ses:'));
    expect(others).toEqual([]);
  });

  it('gives the worker its sender address and the public tracking base URL', () => {
    const env = envOf(fnOf('customer-messages'));
    expect(env.MAIL_FROM).toBe(config.customerMail.from);
    expect(env.PUBLIC_TRACKING_URL).toBeDefined();
    expect(config.customerMail.from.endsWith(`@${config.customerMail.identity}`)).toBe(true);
  });
});
