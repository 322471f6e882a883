import { CfnOutput, Duration, Lazy, Stack, Validations, type StackProps } from 'aws-cdk-lib';
import { Alarm, ComparisonOperator, TreatMissingData } from 'aws-cdk-lib/aws-cloudwatch';
import { SnsAction } from 'aws-cdk-lib/aws-cloudwatch-actions';
import type { Table } from 'aws-cdk-lib/aws-dynamodb';
import type { ISecret } from 'aws-cdk-lib/aws-secretsmanager';
import type { IEventBus } from 'aws-cdk-lib/aws-events';
import { PolicyStatement } from 'aws-cdk-lib/aws-iam';
import { FilterCriteria, StartingPosition } from 'aws-cdk-lib/aws-lambda';
import { DynamoEventSource, SqsDlq } from 'aws-cdk-lib/aws-lambda-event-sources';
import { Topic } from 'aws-cdk-lib/aws-sns';
import { EmailSubscription } from 'aws-cdk-lib/aws-sns-subscriptions';
import { Queue, QueueEncryption } from 'aws-cdk-lib/aws-sqs';
import type { Construct } from 'constructs';
import type { StageConfig } from '../config';
import { Auth } from '../constructs/auth';
import { apiOriginForCsp, ConsoleSite } from '../constructs/console-site';
import { queueDepthAlarm } from '../constructs/depth-alarm';
import { OmsHttpApi } from '../constructs/http-api';
import { OmsFunction, type OmsFunctionProps } from '../constructs/oms-function';
import { bindPaymentProviders, type ProviderSecrets } from '../constructs/payment-providers';
import { bindCarrierApis, bindCarrierProviders, type CarrierSecrets } from '../constructs/carrier-providers';
import { DepartmentTopics } from '../constructs/department-topics';
import { OpsAlarms } from '../constructs/ops-alarms';
import { OpsDashboard } from '../constructs/ops-dashboard';
import { CustomerMail } from '../constructs/customer-mail';
import { QueuedStep } from '../constructs/queued-step';
import { ScheduledStep } from '../constructs/scheduled-step';
import { QUEUED_STEPS } from '../queued-steps';
import { SCHEDULED_STEPS } from '../scheduled-steps';
import { HTTP_FUNCTIONS } from '../routes';
import { OUTBOX_STREAM_FILTER } from '../../shared/store/outbox';
import { TABLE_INDEXES } from './stateful-stack';

export interface ApiStackProps extends StackProps {
  readonly config: StageConfig;
  readonly table: Table;
  readonly bus: IEventBus;
  /** Signs list cursors; bound with the table to every function that reads it. */
  readonly cursorSecret: ISecret;
  /** Signs payment vouchers' verification codes; bound to the receipts function. */
  readonly receiptSecret: ISecret;
  /** Payment providers' credentials; functions that call providers get their ARNs and read access. */
  readonly providerSecrets?: ProviderSecrets;
  /** Carrier credentials; functions that verify carrier callbacks or book waybills get their ARNs and read access. */
  readonly carrierSecrets?: CarrierSecrets;
}

/** Functions that call payment providers (adapters, credentials): bound to the provider secrets when present. */
export const PAYMENT_PROVIDER_STEPS = ['payment-webhooks', 'payment-callbacks', 'payments', 'payment-refunds', 'reconcile-payments'] as const;

/** Functions that use carrier credentials (verify callbacks, book waybills): bound to the carrier secrets when present. */
export const CARRIER_PROVIDER_STEPS = ['carrier-webhooks', 'fulfilment', 'carrier-subscriptions'] as const;
/** Functions that call carriers' APIs (waybills, Kuaidi100 subscriptions) and tell them where to call back. */
export const CARRIER_API_STEPS = ['fulfilment', 'carrier-subscriptions'] as const;

/** The public tracking route, throttled on its own (HTTP APIs have no usage plans: stage route settings). */
export const PUBLIC_TRACKING_ROUTE = 'GET /tracking/{trackingNumber}';

/**
 * Everything stateless for one stage: the HTTP API with its Cognito authorizer,
 * the functions, and the event-driven steps (stream relay, queues, rules).
 */
export class ApiStack extends Stack {
  readonly httpApi: OmsHttpApi;
  readonly auth: Auth;
  readonly consoleSite: ConsoleSite;
  readonly alarmTopic: Topic;
  readonly functions = new Map<string, OmsFunction>();

  constructor(scope: Construct, id: string, props: ApiStackProps) {
    super(scope, id, props);
    const { config, table, bus, cursorSecret } = props;
    const data = { table, indexNames: TABLE_INDEXES, cursorSecret };

    this.alarmTopic = new Topic(this, 'AlarmTopic', { topicName: `oms-${config.stage}-alarms`, enforceSSL: true });
    for (const email of config.alarms.notificationEmails) {
      this.alarmTopic.addSubscription(new EmailSubscription(email));
    }

    const fnProps: OmsFunctionProps = { config, tableName: table.tableName, eventBusName: bus.eventBusName };
    const addFunction = (step: string, overrides: Partial<OmsFunctionProps> = {}) => {
      const fn = new OmsFunction(this, step, { ...fnProps, ...overrides });
      this.functions.set(step, fn);
      return fn;
    };

    // --- HTTP API ---------------------------------------------------------------
    // The staff console (its files arrive by the console stack): the CSP lets it call the
    // API and the hosted UI's token endpoint; the API's CORS and the hosted UI admit its origin.
    this.consoleSite = new ConsoleSite(this, 'Console', {
      config,
      connectOrigins: [apiOriginForCsp(config), Lazy.string({ produce: () => this.auth.domain.baseUrl() })],
    });
    this.auth = new Auth(this, 'Auth', { config, consoleUrl: this.consoleSite.url });
    this.httpApi = new OmsHttpApi(this, 'Http', {
      config,
      authorizer: this.auth.authorizer,
      alarmTopic: this.alarmTopic,
      extraOrigins: [this.consoleSite.origin],
    });
    for (const [step, spec] of Object.entries(HTTP_FUNCTIONS)) {
      const fn = addFunction(step, spec.assets ? { assets: spec.assets } : {});
      if (spec.table) fn.bindTable(data, spec.table);
      if (spec.receiptSecret) fn.bindSecretValue('RECEIPT_SECRET', props.receiptSecret);
      this.httpApi.addFunctionRoutes(fn, spec.routes);
    }

    // --- Outbox relay: table stream -> bus -----------------------------------------
    const relay = addFunction('outbox-relay', { timeout: Duration.seconds(30) });
    relay.bindBus(bus);
    // clears each published item's "unpublished" mark (what the outbox sweeper re-drives):
    // each accepted batch's items rewritten without it (BatchWriteItem), nothing else on the table
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
      topic: this.alarmTopic,
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
    }).addAlarmAction(new SnsAction(this.alarmTopic));

    // --- Queued steps: bus rule -> queue -> function -----------------------------
    for (const [step, spec] of Object.entries(QUEUED_STEPS)) {
      const fn = addFunction(step);
      if (spec.table) fn.bindTable(data, spec.table);
      if (spec.bus) fn.bindBus(bus);
      new QueuedStep(this, `${fn.node.id}Queue`, {
        config,
        bus,
        queueName: spec.queue,
        pattern: spec.pattern,
        fn,
        alarmTopic: this.alarmTopic,
      });
    }
    // Department notifications: one topic per department, published by the notify step.
    new DepartmentTopics(this, 'DepartmentTopics', { config, publisher: this.functions.get('notify')! });
    // Customer e-mail: the stage's SES identity, the worker allowed to send from it.
    new CustomerMail(this, 'CustomerMail', {
      config,
      sender: this.functions.get('customer-messages')!,
      trackingBaseUrl: config.publicApiUrl ?? this.httpApi.api.apiEndpoint,
    });

    // --- Payment callbacks: webhook receiver -> queue (+ DLQ) -> worker -----------
    // The receiver sends each verified, recorded provider notification to the queue
    // itself (no bus rule); the worker applies them through the payment use cases.
    const callbacksWorker = addFunction('payment-callbacks');
    callbacksWorker.bindTable(data, 'readwrite');
    const callbacks = new QueuedStep(this, `${callbacksWorker.node.id}Queue`, {
      config,
      queueName: 'payment-callbacks',
      fn: callbacksWorker,
      alarmTopic: this.alarmTopic,
    });
    const receiver = this.functions.get('payment-webhooks');
    if (receiver) {
      receiver.fn.addEnvironment('PAYMENT_CALLBACKS_QUEUE_URL', callbacks.queue.queueUrl);
      callbacks.queue.grantSendMessages(receiver.role);
    }

    // --- Carrier callbacks: webhook receiver -> queue (+ DLQ) -> worker -----------
    // As the payment callbacks: the receiver sends each verified, recorded tracking report
    // to the queue itself; the worker applies them to the parcels' tracking records.
    const carrierWorker = addFunction('carrier-callbacks');
    carrierWorker.bindTable(data, 'readwrite');
    const carrierCallbacks = new QueuedStep(this, `${carrierWorker.node.id}Queue`, {
      config,
      queueName: 'carrier-callbacks',
      fn: carrierWorker,
      alarmTopic: this.alarmTopic,
    });
    const carrierReceiver = this.functions.get('carrier-webhooks');
    if (carrierReceiver) {
      carrierReceiver.fn.addEnvironment('CARRIER_CALLBACKS_QUEUE_URL', carrierCallbacks.queue.queueUrl);
      carrierCallbacks.queue.grantSendMessages(carrierReceiver.role);
    }
    if (props.carrierSecrets) {
      for (const step of CARRIER_PROVIDER_STEPS) {
        const fn = this.functions.get(step);
        if (fn) bindCarrierProviders(fn, props.carrierSecrets);
      }
    }
    for (const step of CARRIER_API_STEPS) {
      const fn = this.functions.get(step);
      if (fn) bindCarrierApis(fn, config, config.publicApiUrl ?? this.httpApi.api.apiEndpoint);
    }
    // Anyone with a tracking number may ask: a tighter limit than the stage default.
    this.httpApi.throttleRoute(PUBLIC_TRACKING_ROUTE, config.publicTrackingThrottle);

    // --- Scheduled steps: schedule rule -> function, failed runs to a DLQ ---------
    for (const [step, spec] of Object.entries(SCHEDULED_STEPS)) {
      const fn = addFunction(step);
      if (spec.table) fn.bindTable(data, spec.table);
      if (spec.bus) fn.bindBus(bus);
      new ScheduledStep(this, `${fn.node.id}Schedule`, { config, fn, schedule: spec.schedule, description: spec.description, alarmTopic: this.alarmTopic });
    }

    if (props.providerSecrets) {
      for (const step of PAYMENT_PROVIDER_STEPS) {
        const fn = this.functions.get(step);
        if (fn) bindPaymentProviders(fn, props.providerSecrets, config, config.publicApiUrl ?? this.httpApi.api.apiEndpoint);
      }
    }

    // --- Alarms and the dashboard (every function above exists by now) -----------
    new OpsAlarms(this, 'OpsAlarms', { config, topic: this.alarmTopic, functions: [...this.functions.values()], api: this.httpApi });
    const alarms = this.node.findAll().filter((c): c is Alarm => c instanceof Alarm);
    new OpsDashboard(this, 'OpsDashboard', { config, api: this.httpApi, alarms });

    new CfnOutput(this, 'ApiUrl', { value: this.httpApi.stage.url });
    new CfnOutput(this, 'UserPoolId', { value: this.auth.userPool.userPoolId });
    new CfnOutput(this, 'StorefrontClientId', { value: this.auth.storefrontClient.userPoolClientId });
    new CfnOutput(this, 'TokenUrl', { value: `${this.auth.domain.baseUrl()}/oauth2/token` });
    new CfnOutput(this, 'StaffClientId', { value: this.auth.staffClient.userPoolClientId });
    new CfnOutput(this, 'ConsoleUrl', { value: this.consoleSite.url, description: 'The staff console (sign in through the Cognito hosted UI)' });
  }
}
