import { ArnFormat, Duration, Stack, Validations, type StackProps } from 'aws-cdk-lib';
import { Alarm, ComparisonOperator, TreatMissingData, type IAlarm } from 'aws-cdk-lib/aws-cloudwatch';
import { SnsAction } from 'aws-cdk-lib/aws-cloudwatch-actions';
import type { Table } from 'aws-cdk-lib/aws-dynamodb';
import type { IEventBus } from 'aws-cdk-lib/aws-events';
import { PolicyStatement } from 'aws-cdk-lib/aws-iam';
import { FilterCriteria, StartingPosition } from 'aws-cdk-lib/aws-lambda';
import { DynamoEventSource, SqsDlq } from 'aws-cdk-lib/aws-lambda-event-sources';
import type { ISecret } from 'aws-cdk-lib/aws-secretsmanager';
import type { ITopic } from 'aws-cdk-lib/aws-sns';
import { Queue, QueueEncryption } from 'aws-cdk-lib/aws-sqs';
import type { Construct } from 'constructs';
import type { StageConfig } from '../config';
import type { CarrierSecrets } from '../constructs/carrier-providers';
import { CustomerMail } from '../constructs/customer-mail';
import { DepartmentTopics } from '../constructs/department-topics';
import { queueDepthAlarm } from '../constructs/depth-alarm';
import type { OmsHttpApi } from '../constructs/http-api';
import { OmsFunction, type OmsFunctionProps } from '../constructs/oms-function';
import { OpsAlarms } from '../constructs/ops-alarms';
import { OpsDashboard } from '../constructs/ops-dashboard';
import type { ProviderSecrets } from '../constructs/payment-providers';
import { QueuedStep } from '../constructs/queued-step';
import { ScheduledStep } from '../constructs/scheduled-step';
import { QUEUED_STEPS } from '../queued-steps';
import { SCHEDULED_STEPS } from '../scheduled-steps';
import { OUTBOX_STREAM_FILTER } from '../../shared/store/outbox';
import { bindProviders } from './api-stack';
import { TABLE_INDEXES } from './stateful-stack';

export interface WorkersStackProps extends StackProps {
  readonly config: StageConfig;
  readonly table: Table;
  readonly bus: IEventBus;
  readonly cursorSecret: ISecret;
  readonly providerSecrets?: ProviderSecrets;
  readonly carrierSecrets?: CarrierSecrets;
  /** the API stack's: alarm topic, HTTP API (dashboard metrics), public address (callback and tracking links) */
  readonly alarmTopic: ITopic;
  readonly httpApi: OmsHttpApi;
  readonly publicUrl: string;
  /** the other stacks' alarms by name, for the stage's one dashboard */
  readonly otherAlarmNames: readonly string[];
}

/**
 * The stage's event-driven steps: the outbox relay (table stream -> bus), every queued
 * step (bus rule -> queue + DLQ -> function), the department topics and customer mail
 * they publish to, every scheduled step, their alarms, and the stage's dashboard.
 */
export class WorkersStack extends Stack {
  readonly functions = new Map<string, OmsFunction>();

  constructor(scope: Construct, id: string, props: WorkersStackProps) {
    super(scope, id, props);
    const { config, table, bus, cursorSecret, alarmTopic } = props;
    const data = { table, indexNames: TABLE_INDEXES, cursorSecret };
    const fnProps: OmsFunctionProps = { config, tableName: table.tableName, eventBusName: bus.eventBusName };
    const addFunction = (step: string, overrides: Partial<OmsFunctionProps> = {}) => {
      const fn = new OmsFunction(this, step, { ...fnProps, ...overrides });
      this.functions.set(step, fn);
      return fn;
    };

    // --- Outbox relay: table stream -> bus -----------------------------------------
    const relay = addFunction('outbox-relay', { timeout: Duration.seconds(30) });
    relay.bindBus(bus);
    // deletes each published outbox item (what is left, the outbox sweeper re-drives):
    // each accepted batch's items in BatchWriteItem calls, nothing else on the table
    relay.role.addToPrincipalPolicy(new PolicyStatement({ actions: ['dynamodb:BatchWriteItem'], resources: [table.tableArn] }));
    // Holds the coordinates (shard, sequence range) of batches that exhausted their
    // retries; the outbox sweeper re-drives the items themselves.
    const relayFailures = new Queue(this, 'OutboxRelayFailures', {
      queueName: `oms-${config.stage}-outbox-relay-failures`,
      encryption: QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      retentionPeriod: Duration.days(14),
    });
    relay.fn.addEventSource(
      new DynamoEventSource(table, {
        startingPosition: StartingPosition.TRIM_HORIZON,
        batchSize: 100,
        bisectBatchOnError: true,
        retryAttempts: 10,
        reportBatchItemFailures: true,
        // the pattern is the outbox module's: new outbox items only
        filters: [FilterCriteria.filter(OUTBOX_STREAM_FILTER)],
        onFailure: new SqsDlq(relayFailures),
      }),
    );
    Validations.of(relayFailures).acknowledge({
      id: 'AwsSolutions-SQS3',
      reason: 'This queue is itself the failure destination of the outbox stream mapping; it is alarmed, not redriven.',
    });
    Validations.of(relay).acknowledge({
      id: 'AwsSolutions-IAM5[Resource::*]',
      reason: 'dynamodb:ListStreams has no resource-level permissions; stream reads themselves are scoped to the table stream ARN.',
    });
    queueDepthAlarm(this, 'OutboxRelayFailuresAlarm', {
      queue: relayFailures,
      name: `oms-${config.stage}-outbox-relay-failures`,
      description: 'Outbox relay batches exhausted their retries; the sweeper re-drives unpublished outbox items.',
      config,
      topic: alarmTopic,
    });

    // Events reach consumers late when the relay falls behind the stream.
    new Alarm(this, 'OutboxRelayLagAlarm', {
      alarmName: `oms-${config.stage}-outbox-relay-lag`,
      alarmDescription: 'The outbox relay is behind the table stream: events are published late.',
      metric: relay.fn.metric('IteratorAge', { period: config.alarms.period, statistic: 'Maximum' }),
      threshold: config.alarms.outboxLagSeconds * 1000,
      comparisonOperator: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      evaluationPeriods: 1,
      treatMissingData: TreatMissingData.NOT_BREACHING,
    }).addAlarmAction(new SnsAction(alarmTopic));

    // --- Queued steps: bus rule -> queue -> function -----------------------------
    for (const [step, spec] of Object.entries(QUEUED_STEPS)) {
      const fn = addFunction(step);
      if (spec.table) fn.bindTable(data, spec.table);
      if (spec.bus) fn.bindBus(bus);
      const queued = new QueuedStep(this, `${fn.node.id}Queue`, {
        config,
        bus,
        queueName: spec.queue,
        pattern: spec.pattern,
        fn,
        alarmTopic: alarmTopic,
        ...(spec.offPath ? { batching: config.offPathBatching } : {}),
      });
      // ChangeMessageVisibility is in what the event source already grants the function
      if (spec.retriesSooner) fn.fn.addEnvironment('QUEUE_URL', queued.queue.queueUrl);
    }
    // Department notifications: one topic per department, published by the notify step.
    new DepartmentTopics(this, 'DepartmentTopics', { config, publisher: this.functions.get('notify')! });
    // Customer e-mail: the stage's SES identity, the worker allowed to send from it.
    new CustomerMail(this, 'CustomerMail', {
      config,
      sender: this.functions.get('customer-messages')!,
      trackingBaseUrl: props.publicUrl,
    });

    // --- Scheduled steps: schedule rule -> function, failed runs to a DLQ ---------
    for (const [step, spec] of Object.entries(SCHEDULED_STEPS)) {
      const fn = addFunction(step);
      if (spec.table) fn.bindTable(data, spec.table);
      if (spec.bus) fn.bindBus(bus);
      new ScheduledStep(this, `${fn.node.id}Schedule`, { config, fn, schedule: spec.schedule, description: spec.description, alarmTopic: alarmTopic });
    }

    bindProviders(this.functions, { config, providerSecrets: props.providerSecrets, carrierSecrets: props.carrierSecrets, apiEndpoint: props.publicUrl });

    // --- Alarms and the stage's dashboard (this stack's alarms and the others', by name)
    new OpsAlarms(this, 'OpsAlarms', { config, topic: alarmTopic, functions: [...this.functions.values()] });
    const alarmArn = (name: string) => this.formatArn({ service: 'cloudwatch', resource: 'alarm', resourceName: name, arnFormat: ArnFormat.COLON_RESOURCE_NAME });
    const others: IAlarm[] = props.otherAlarmNames.map((name, i) => Alarm.fromAlarmArn(this, `Alarm${i}`, alarmArn(name)));
    const own = this.node.findAll().filter((c): c is Alarm => c instanceof Alarm);
    new OpsDashboard(this, 'OpsDashboard', { config, api: props.httpApi, alarms: [...others, ...own] });
  }
}
