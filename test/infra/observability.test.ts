import { Match } from 'aws-cdk-lib/assertions';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { metricsNamespace, stageConfig } from '../../infra/config';
import { SCHEDULED_STEPS } from '../../infra/scheduled-steps';
import { functionIdOf, resourcesOfType, stepOf, synthStage, type Synthesized } from './synth';

// What ops see and are told in prod: alarms on every failure path, all to the stage's
// alarm topic, one dashboard, traces, and the browser console allowed its headers.
const config = stageConfig('prod');
let s: Synthesized;
beforeAll(() => {
  s = synthStage('prod');
});
afterAll(() => s.cleanup());

const alarms = () => Object.values(resourcesOfType(s.api, 'AWS::CloudWatch::Alarm')).map((a) => a.Properties!);
const topicId = () => Object.keys(resourcesOfType(s.api, 'AWS::SNS::Topic')).find((id) => id.startsWith('AlarmTopic'))!;
const alarmNamed = (name: string) => {
  const found = alarms().find((a) => a.AlarmName === name);
  if (!found) throw new Error(`no alarm ${name}`);
  return found;
};

describe('prod alarms, dashboard and traces', () => {
  it('every alarm notifies the stage alarm topic, which mails the addresses of the stage config', () => {
    expect(alarms().length).toBeGreaterThan(0);
    // the integrations stack (deployed before the API stack) names the topic by its ARN
    const byName = (a: Record<string, unknown>) => JSON.stringify(a.AlarmActions).includes(':oms-prod-alarms"');
    for (const a of alarms()) {
      if (!byName(a)) expect(a.AlarmActions, String(a.AlarmName)).toEqual([{ Ref: topicId() }]);
    }
    expect(config.alarms.notificationEmails.length).toBeGreaterThan(0);
    for (const email of config.alarms.notificationEmails) {
      s.api.hasResourceProperties('AWS::SNS::Subscription', { Protocol: 'email', Endpoint: email, TopicArn: { Ref: topicId() } });
    }
  });

  it('every function alarms on its errors and on any throttle, and is traced with X-Ray', () => {
    const functions = resourcesOfType(s.api, 'AWS::Lambda::Function');
    for (const [id, fn] of Object.entries(functions)) {
      const step = stepOf(fn)!;
      const on = (metric: string) => alarms().find((a) => a.MetricName === metric && JSON.stringify(a.Dimensions) === JSON.stringify([{ Name: 'FunctionName', Value: { Ref: id } }]));
      expect(on('Errors'), `${step} errors`).toMatchObject({ AlarmName: `oms-prod-${step}-errors`, Threshold: config.alarms.functionErrorsPerPeriod, Statistic: 'Sum' });
      expect(on('Throttles'), `${step} throttles`).toMatchObject({ Threshold: 1 });
      expect(fn.Properties!.TracingConfig).toEqual({ Mode: 'Active' });
      expect((fn.Properties!.Environment as { Variables: Record<string, unknown> }).Variables.POWERTOOLS_METRICS_NAMESPACE).toBe('OMS/prod');
    }
  });

  it('each schedule target has a dead-letter queue, which also takes its function\'s failed runs, and whose depth alarms', () => {
    const rules = Object.values(resourcesOfType(s.workers, 'AWS::Events::Rule')).filter((r) => r.Properties!.ScheduleExpression);
    expect(rules).toHaveLength(Object.keys(SCHEDULED_STEPS).length);
    for (const step of Object.keys(SCHEDULED_STEPS)) {
      const fnId = functionIdOf(s.api, step);
      const rule = rules.find((r) => JSON.stringify(r.Properties!.Targets).includes(`"${fnId}"`))!;
      const [target] = rule.Properties!.Targets as { RetryPolicy: { MaximumRetryAttempts: number }; DeadLetterConfig: { Arn: { 'Fn::GetAtt': [string] } } }[];
      const dlq = target!.DeadLetterConfig.Arn['Fn::GetAtt'][0];
      s.api.hasResourceProperties('AWS::Lambda::EventInvokeConfig', {
        FunctionName: { Ref: fnId },
        DestinationConfig: { OnFailure: { Destination: { 'Fn::GetAtt': [dlq, 'Arn'] } } },
      });
      expect(alarmNamed(`oms-prod-${step}-runs-dlq-not-empty`)).toMatchObject({
        MetricName: 'ApproximateNumberOfMessagesVisible',
        Dimensions: [{ Name: 'QueueName', Value: { 'Fn::GetAtt': [dlq, 'QueueName'] } }],
      });
    }
  });

  it('alarms on callbacks refused for their signature, on stock and payment drift, from the stage namespace', () => {
    const business = (name: string) => ({ Namespace: metricsNamespace('prod'), MetricName: name, Dimensions: [{ Name: 'service', Value: 'oms' }], Statistic: 'Sum' });
    expect(alarmNamed('oms-prod-callback-signature-failures')).toMatchObject({ ...business('CallbacksRejectedBySignature'), Threshold: config.alarms.callbackSignatureFailuresPerPeriod });
    expect(alarmNamed('oms-prod-stock-drift')).toMatchObject({ ...business('StockDrifts'), Threshold: 1 });
    expect(alarmNamed('oms-prod-payment-drift')).toMatchObject({ ...business('PaymentDrifts'), Threshold: 1 });
  });

  it('alarms on API 5xx and on the API\'s p99 latency', () => {
    expect(alarmNamed('oms-prod-api-5xx')).toMatchObject({ MetricName: '5xx', Namespace: 'AWS/ApiGateway' });
    expect(alarmNamed('oms-prod-api-latency-p99')).toMatchObject({
      MetricName: 'Latency', Namespace: 'AWS/ApiGateway', ExtendedStatistic: 'p99', Threshold: config.alarms.apiP99LatencyMs, EvaluationPeriods: 3, DatapointsToAlarm: 2,
    });
  });

  it('has one dashboard with the business metrics, order latency and every alarm', () => {
    const dashboards = Object.values(resourcesOfType(s.api, 'AWS::CloudWatch::Dashboard'));
    expect(dashboards).toHaveLength(1);
    expect(dashboards[0]!.Properties!.DashboardName).toBe('oms-prod');
    const body = JSON.stringify(dashboards[0]!.Properties!.DashboardBody);
    for (const name of ['OrdersPlaced', 'OrdersRejectedForStock', 'OrdersApproved', 'OrdersExpired', 'PaymentsSucceeded', 'PaymentsFailed', 'CallbacksRejectedBySignature', 'Refunds', 'Shipments', 'Deliveries', 'Returns', 'PlacedToReserved', 'PlacedToPaid']) {
      expect(body, name).toContain(`\\"${name}\\"`);
    }
    // the workers stack's own alarms by reference, the other stacks' by their names
    for (const [id, alarm] of Object.entries(resourcesOfType(s.api, 'AWS::CloudWatch::Alarm'))) {
      const named = `:alarm:${String(alarm.Properties!.AlarmName)}\\"`;
      expect(body.includes(`"${id}"`) || body.includes(named), id).toBe(true);
    }
  });

  it('lets the staff console send If-Match and read ETag across origins', () => {
    s.api.hasResourceProperties('AWS::ApiGatewayV2::Api', {
      CorsConfiguration: Match.objectLike({
        // the stage's origins and the console's CloudFront origin
        AllowOrigins: [...config.corsAllowOrigins, Match.objectLike({ 'Fn::Join': Match.anyValue() })],
        AllowHeaders: Match.arrayWith(['if-match']),
        ExposeHeaders: Match.arrayWith(['etag']),
      }),
    });
  });
});
