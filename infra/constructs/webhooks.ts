import { Duration } from 'aws-cdk-lib';
import { Alarm, ComparisonOperator, TreatMissingData } from 'aws-cdk-lib/aws-cloudwatch';
import { SnsAction } from 'aws-cdk-lib/aws-cloudwatch-actions';
import type { ISecret } from 'aws-cdk-lib/aws-secretsmanager';
import type { ITopic } from 'aws-cdk-lib/aws-sns';
import { Construct } from 'constructs';
import { COUNTS } from '../../shared/observability/metric-names';
import type { StageConfig } from '../config';
import type { OmsFunction } from './oms-function';
import { businessMetric } from './ops-alarms';

/** The functions that manage or deliver outbound webhooks: each gets the stage's webhook settings and secret key. */
export const WEBHOOK_STEPS = ['integrations', 'webhook-deliveries', 'webhook-retries'] as const;

/**
 * The retry job's timeout: it attempts a delivery only while it has longer left than the
 * delivery's claim (twice the 5 s call timeout plus 5 s), and runs every minute.
 */
export const WEBHOOK_RETRIES_TIMEOUT = Duration.seconds(50);

export interface WebhooksProps {
  readonly config: StageConfig;
  readonly functions: ReadonlyMap<string, OmsFunction>;
  /** seals subscriptions' signing secrets at rest (a secret of the stateful stack) */
  readonly secretKey: ISecret;
  readonly alarmTopic: ITopic;
}

/**
 * Outbound webhooks' wiring: the stage's URL rules, pause threshold and secret rotation
 * period as environment of the functions that use them, the key sealing signing
 * secrets (resolved at deploy time, like the cursor key), and an alarm on deliveries
 * given up after their retry window.
 */
export class Webhooks extends Construct {
  readonly failedDeliveriesAlarm: Alarm;

  constructor(scope: Construct, id: string, props: WebhooksProps) {
    super(scope, id);
    const { config } = props;
    for (const step of WEBHOOK_STEPS) {
      const fn = props.functions.get(step);
      if (!fn) continue;
      fn.bindSecretValue('WEBHOOK_SECRET_KEY', props.secretKey);
      fn.fn.addEnvironment('WEBHOOK_URL_RULES', JSON.stringify(config.webhooks.urlRules));
      fn.fn.addEnvironment('WEBHOOK_PAUSE_AFTER_FAILURES', String(config.webhooks.pauseAfterFailures));
      fn.fn.addEnvironment('WEBHOOK_SECRET_OVERLAP_SECONDS', String(config.webhooks.secretOverlap.toSeconds()));
    }
    this.failedDeliveriesAlarm = new Alarm(this, 'FailedDeliveriesAlarm', {
      alarmName: `oms-${config.stage}-webhook-deliveries-failed`,
      alarmDescription: 'Webhook deliveries were given up after their 24-hour retry window (FAILED): GET /integrations/webhooks/{id}/deliveries shows them; POST .../redeliver sends one again.',
      metric: businessMetric(config, COUNTS.webhookDeliveriesFailed),
      threshold: 1,
      comparisonOperator: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      evaluationPeriods: 1,
      treatMissingData: TreatMissingData.NOT_BREACHING,
    });
    this.failedDeliveriesAlarm.addAlarmAction(new SnsAction(props.alarmTopic));
  }
}
