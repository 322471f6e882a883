import { Stack, type Duration, type StackProps } from 'aws-cdk-lib';
import type { Table } from 'aws-cdk-lib/aws-dynamodb';
import { Match, type IEventBus } from 'aws-cdk-lib/aws-events';
import type { ISecret } from 'aws-cdk-lib/aws-secretsmanager';
import { Topic } from 'aws-cdk-lib/aws-sns';
import type { Construct } from 'constructs';
import type { StageConfig } from '../config';
import { ApiDestinations } from '../constructs/api-destinations';
import { OmsFunction, type OmsFunctionProps } from '../constructs/oms-function';
import { OpsAlarms } from '../constructs/ops-alarms';
import { QueuedStep } from '../constructs/queued-step';
import { ScheduledStep } from '../constructs/scheduled-step';
import { WEBHOOK_RETRIES_TIMEOUT, Webhooks } from '../constructs/webhooks';
import { TABLE_INDEXES } from './stateful-stack';

export interface IntegrationsStackProps extends StackProps {
  readonly config: StageConfig;
  readonly table: Table;
  readonly bus: IEventBus;
  readonly cursorSecret: ISecret;
  /** seals subscriptions' signing secrets at rest */
  readonly webhookSecretKey: ISecret;
}

/**
 * Integrations with other systems, in a stack of their own (the API stack is at
 * CloudFormation's 500 resources): the `integrations` function (its routes are added to
 * the HTTP API by the API stack, which depends on this one), and the outbound webhook
 * workers — `webhook-deliveries` (every domain event: rule → queue + DLQ → function) and
 * `webhook-retries` (every minute), and the stage's API destinations (config
 * `apiDestinations`: connection, destination, rule, DLQ). Alarms go to the stage's alarm topic by its name, so
 * this stack needs nothing from the API stack.
 */
export class IntegrationsStack extends Stack {
  readonly functions = new Map<string, OmsFunction>();

  constructor(scope: Construct, id: string, props: IntegrationsStackProps) {
    super(scope, id, props);
    const { config, table, bus } = props;
    const data = { table, indexNames: TABLE_INDEXES, cursorSecret: props.cursorSecret };
    const alarmTopic = Topic.fromTopicArn(this, 'AlarmTopic', this.formatArn({ service: 'sns', resource: `oms-${config.stage}-alarms` }));
    const fnProps: OmsFunctionProps = { config, tableName: table.tableName, eventBusName: bus.eventBusName };
    const add = (step: string, timeout?: Duration) => {
      const fn = new OmsFunction(this, step, { ...fnProps, ...(timeout ? { timeout } : {}) }).bindTable(data, 'readwrite');
      this.functions.set(step, fn);
      return fn;
    };

    // the admin's routes (PUT/GET webhooks, deliveries, redeliver); the pause's event leaves through the outbox
    add('integrations');
    // Every domain event is matched against the subscriptions (their patterns are data, not rules).
    // Off the order's path (a partner gets its events a second later): the queue batches.
    new QueuedStep(this, 'WebhookDeliveriesQueue', {
      config, bus, queueName: 'webhook-deliveries', pattern: { source: Match.prefix('oms.') }, fn: add('webhook-deliveries'), alarmTopic,
      batching: config.offPathBatching,
    });
    // Deliveries whose backoff has passed (a sparse due index, no scan); a minute is the first retry's grain.
    new ScheduledStep(this, 'WebhookRetriesSchedule', {
      // a run attempts deliveries only while it has longer left than a delivery's claim (15 s):
      // the stage's default 10 s would leave it none; under a minute, so runs do not pile up
      config, fn: add('webhook-retries', WEBHOOK_RETRIES_TIMEOUT), schedule: 'rate(1 minute)', alarmTopic,
      description: 'Retries webhook deliveries whose backoff has passed (exponential with jitter, for 24 hours), then marks them FAILED',
    });
    new Webhooks(this, 'Webhooks', { config, functions: this.functions, secretKey: props.webhookSecretKey, alarmTopic });
    // the stage's static integrations: EventBridge API destinations declared in its config
    new ApiDestinations(this, 'ApiDestinations', { config, bus, alarmTopic });

    // each function's errors and throttles, as the other stacks alarm theirs
    new OpsAlarms(this, 'OpsAlarms', { config, topic: alarmTopic, functions: [...this.functions.values()] });
  }
}
