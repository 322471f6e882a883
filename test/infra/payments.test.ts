import { Match } from 'aws-cdk-lib/assertions';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stageConfig } from '../../infra/config';
import { CALLBACK_PROVIDERS } from '../../shared/payments/port';
import { actionsOf, functionIdOf, resourcesOfType, statementsOfRole, synthStage, type CfnResource, type Synthesized } from './synth';

// The payment callback path in the templates: the public webhook route, the
// callbacks queue with its DLQ and alarm, the worker, and the providers' secrets,
// referenced by ARN and readable only by the functions that call providers.

let s: Synthesized;
beforeAll(() => {
  s = synthStage('prod');
});
afterAll(() => s?.cleanup());

const config = stageConfig('prod');
const fnOf = (step: string) => resourcesOfType(s.api, 'AWS::Lambda::Function')[functionIdOf(s.api, step)]!;
const envOf = (fn: CfnResource) => (fn.Properties!.Environment as { Variables: Record<string, unknown> }).Variables;
const roleOf = (fn: CfnResource) => (fn.Properties!.Role as { 'Fn::GetAtt': [string, string] })['Fn::GetAtt'][0];

describe('payment callbacks infrastructure', () => {
  it('routes POST /webhooks/payments/{provider} to payment-webhooks without an authorizer', () => {
    s.api.hasResourceProperties('AWS::ApiGatewayV2::Route', { RouteKey: 'POST /webhooks/payments/{provider}', AuthorizationType: 'NONE' });
  });

  it('has one secret per provider, tagged with it, with empty JSON fields to fill in, and no value in any template', () => {
    const secrets = Object.values(resourcesOfType(s.stateful, 'AWS::SecretsManager::Secret'))
      .filter((r) => JSON.stringify(r.Properties?.Tags ?? []).includes('oms:provider') && String(r.Properties?.Name).startsWith('oms/prod/payments/'));
    expect(secrets.map((r) => r.Properties!.Name).sort()).toEqual(CALLBACK_PROVIDERS.map((p) => `oms/prod/payments/${p}`).sort());
    const stripe = secrets.find((r) => r.Properties!.Name === 'oms/prod/payments/stripe')!;
    expect(JSON.parse((stripe.Properties!.GenerateSecretString as { SecretStringTemplate: string }).SecretStringTemplate)).toEqual({ secretKey: '', webhookSecret: '' });
    expect(stripe.DeletionPolicy).toBe('Retain');
  });

  it('gives the provider-calling functions base URLs and secret ARNs (never values) and read access to those secrets only', () => {
    for (const step of ['payment-webhooks', 'payment-callbacks']) {
      const env = envOf(fnOf(step));
      expect(env, step).toMatchObject({
        STRIPE_API_URL: config.payments.stripeApiUrl,
        ALIPAY_GATEWAY_URL: config.payments.alipayGatewayUrl,
        WECHATPAY_API_URL: config.payments.wechatpayApiUrl,
      });
      for (const name of ['STRIPE_SECRET_ARN', 'ALIPAY_SECRET_ARN', 'WECHATPAY_SECRET_ARN']) {
        expect(JSON.stringify(env[name]), `${step} ${name}`).toMatch(/Fn::ImportValue.*Credentials/);
      }
      const reads = statementsOfRole(s.api, roleOf(fnOf(step))).filter((st) => actionsOf(st).includes('secretsmanager:GetSecretValue'));
      expect(reads.map((st) => JSON.stringify(st.Resource)).join(' '), step).toMatch(/StripeCredentials[\s\S]*AlipayCredentials[\s\S]*WechatpayCredentials/);
    }
    expect(envOf(fnOf('place-order')).STRIPE_SECRET_ARN).toBeUndefined();
  });

  it('the receiver sends to the payment-callbacks queue, which the worker drains with partial batch failures into an alarmed DLQ', () => {
    const queues = resourcesOfType(s.api, 'AWS::SQS::Queue');
    const [queueId, queue] = Object.entries(queues).find(([, q]) => q.Properties?.QueueName === 'oms-prod-payment-callbacks')!;
    const [dlqId] = Object.entries(queues).find(([, q]) => q.Properties?.QueueName === 'oms-prod-payment-callbacks-dlq')!;
    expect(queue.Properties!.RedrivePolicy).toMatchObject({ deadLetterTargetArn: { 'Fn::GetAtt': [dlqId, 'Arn'] }, maxReceiveCount: 5 });
    expect(envOf(fnOf('payment-webhooks')).PAYMENT_CALLBACKS_QUEUE_URL).toEqual({ Ref: queueId });
    const sends = statementsOfRole(s.api, roleOf(fnOf('payment-webhooks'))).filter((st) => actionsOf(st).includes('sqs:SendMessage'));
    expect(sends.map((st) => st.Resource)).toEqual([{ 'Fn::GetAtt': [queueId, 'Arn'] }]);
    s.api.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
      FunctionName: { Ref: functionIdOf(s.api, 'payment-callbacks') },
      EventSourceArn: { 'Fn::GetAtt': [queueId, 'Arn'] },
      FunctionResponseTypes: ['ReportBatchItemFailures'],
    });
    s.api.hasResourceProperties('AWS::CloudWatch::Alarm', {
      AlarmName: 'oms-prod-payment-callbacks-dlq-not-empty',
      Dimensions: [{ Name: 'QueueName', Value: { 'Fn::GetAtt': [dlqId, 'QueueName'] } }],
      AlarmActions: [Match.anyValue()],
    });
    // fed by the receiver, not by a bus rule
    const rules = Object.values(resourcesOfType(s.api, 'AWS::Events::Rule'));
    expect(rules.filter((r) => JSON.stringify(r.Properties?.Targets ?? []).includes(queueId))).toEqual([]);
  });
});
