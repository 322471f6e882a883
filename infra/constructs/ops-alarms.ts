import { Alarm, ComparisonOperator, Metric, TreatMissingData, type IMetric } from 'aws-cdk-lib/aws-cloudwatch';
import { SnsAction } from 'aws-cdk-lib/aws-cloudwatch-actions';
import type { ITopic } from 'aws-cdk-lib/aws-sns';
import { Construct } from 'constructs';
import { metricsNamespace, type StageConfig } from '../config';
import { COUNTS, METRIC_SERVICE, type CountName } from '../../shared/observability/metric-names';
import type { OmsHttpApi } from './http-api';
import type { OmsFunction } from './oms-function';

export interface OpsAlarmsProps {
  readonly config: StageConfig;
  readonly topic: ITopic;
  readonly functions: readonly OmsFunction[];
  /** the stage's HTTP API: given to the stack that holds it, which also gets the stage-wide alarms */
  readonly api?: OmsHttpApi;
}

/** A business metric of the stage (EMF from the functions), summed per alarm period. */
export function businessMetric(config: StageConfig, name: CountName): Metric {
  return new Metric({
    namespace: metricsNamespace(config.stage),
    metricName: name,
    dimensionsMap: { service: METRIC_SERVICE },
    statistic: 'Sum',
    period: config.alarms.period,
  });
}

/**
 * The stage's alarms beside those of its queues (dead letters, outbox lag, API 5xx):
 * each function's errors and throttles, callbacks refused for their signature, stock
 * and payment drift found by the reconciliation jobs, and the API's p99 latency. Every
 * alarm notifies the stage's alarm topic (e-mail subscribers from the stage config).
 */
export class OpsAlarms extends Construct {
  readonly alarms: Alarm[] = [];

  constructor(scope: Construct, id: string, props: OpsAlarmsProps) {
    super(scope, id);
    const { config } = props;
    const prefix = `oms-${config.stage}`;
    const period = config.alarms.period;

    for (const f of props.functions) {
      this.add(`${f.node.id}Errors`, {
        name: `${prefix}-${f.step}-errors`,
        description: `${f.step} failed invocations (its log group has the errors, by correlation id).`,
        metric: f.fn.metricErrors({ period, statistic: 'Sum' }),
        threshold: config.alarms.functionErrorsPerPeriod,
      });
      this.add(`${f.node.id}Throttles`, {
        name: `${prefix}-${f.step}-throttles`,
        description: `${f.step} was throttled: the account's or its reserved concurrency is exhausted.`,
        metric: f.fn.metricThrottles({ period, statistic: 'Sum' }),
        threshold: 1,
      });
    }
    if (props.api) {
      this.add('CallbackSignatureFailures', {
        name: `${prefix}-callback-signature-failures`,
        description: 'Payment or carrier callbacks refused for their signature: forged callbacks, or a secret rotated on one side only.',
        metric: businessMetric(config, COUNTS.callbacksRejectedBySignature),
        threshold: config.alarms.callbackSignatureFailuresPerPeriod,
      });
      this.add('StockDrift', {
        name: `${prefix}-stock-drift`,
        description: 'reconcile-stock found reserved stock that differs from the live reservations (StockDriftDetected): see its log.',
        metric: businessMetric(config, COUNTS.stockDrifts),
        threshold: 1,
      });
      this.add('PaymentDrift', {
        name: `${prefix}-payment-drift`,
        description: 'reconcile-payments found payments their provider reports otherwise (PaymentDriftDetected): see its log.',
        metric: businessMetric(config, COUNTS.paymentDrifts),
        threshold: 1,
      });
      this.add('ApiLatencyP99', {
        name: `${prefix}-api-latency-p99`,
        description: `The HTTP API's p99 latency stays above ${config.alarms.apiP99LatencyMs} ms.`,
        metric: props.api.stage.metricLatency({ period, statistic: 'p99' }),
        threshold: config.alarms.apiP99LatencyMs,
        // two periods of three: one slow burst (a cold start wave) is no page
        evaluationPeriods: 3,
        datapointsToAlarm: 2,
      });
    }
    for (const alarm of this.alarms) alarm.addAlarmAction(new SnsAction(props.topic));
  }

  private add(id: string, a: { name: string; description: string; metric: IMetric; threshold: number; evaluationPeriods?: number; datapointsToAlarm?: number }) {
    this.alarms.push(new Alarm(this, id, {
      alarmName: a.name,
      alarmDescription: a.description,
      metric: a.metric,
      threshold: a.threshold,
      comparisonOperator: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      evaluationPeriods: a.evaluationPeriods ?? 1,
      ...(a.datapointsToAlarm ? { datapointsToAlarm: a.datapointsToAlarm } : {}),
      treatMissingData: TreatMissingData.NOT_BREACHING,
    }));
  }
}
