import { CfnOutput, Lazy, Stack, type StackProps } from 'aws-cdk-lib';
import { Alarm, CfnAlarm } from 'aws-cdk-lib/aws-cloudwatch';
import type { Table } from 'aws-cdk-lib/aws-dynamodb';
import type { ISecret } from 'aws-cdk-lib/aws-secretsmanager';
import type { IEventBus } from 'aws-cdk-lib/aws-events';
import { Topic } from 'aws-cdk-lib/aws-sns';
import { EmailSubscription } from 'aws-cdk-lib/aws-sns-subscriptions';
import type { Construct } from 'constructs';
import type { StageConfig } from '../config';
import { Auth } from '../constructs/auth';
import { apiOriginForCsp, ConsoleSite } from '../constructs/console-site';
import { OmsHttpApi } from '../constructs/http-api';
import { OmsFunction, type OmsFunctionProps } from '../constructs/oms-function';
import { bindPaymentProviders, type ProviderSecrets } from '../constructs/payment-providers';
import { bindCarrierApis, bindCarrierProviders, type CarrierSecrets } from '../constructs/carrier-providers';
import { OpsAlarms } from '../constructs/ops-alarms';
import { QueuedStep } from '../constructs/queued-step';
import { HTTP_FUNCTIONS } from '../routes';
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
  /** HTTP functions another stack creates (integrations): their routes are added to this API. */
  readonly externalFunctions?: ReadonlyMap<string, OmsFunction>;
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
 * The stage's front door: the HTTP API with its Cognito authorizer, the functions behind
 * its routes, the provider callbacks' queues and workers, and the stage's alarm topic.
 * The event-driven steps (stream relay, bus rules, queues, schedules) are in the workers
 * stack: one stack holding both passed CloudFormation's 500 resources.
 */
export class ApiStack extends Stack {
  readonly httpApi: OmsHttpApi;
  readonly auth: Auth;
  readonly consoleSite: ConsoleSite;
  readonly alarmTopic: Topic;
  readonly functions = new Map<string, OmsFunction>();
  /** the stage's public API address (the configured one, or the HTTP API's own) */
  readonly publicUrl: string;
  /** names of this stack's alarms, for the stage's dashboard in the workers stack */
  readonly alarmNames: string[];

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
    this.publicUrl = config.publicApiUrl ?? this.httpApi.api.apiEndpoint;
    for (const [step, spec] of Object.entries(HTTP_FUNCTIONS)) {
      const external = props.externalFunctions?.get(step);
      if (external) {
        this.httpApi.addFunctionRoutes(external, spec.routes);
        continue;
      }
      const fn = addFunction(step, spec.assets ? { assets: spec.assets } : {});
      if (spec.table) fn.bindTable(data, spec.table);
      if (spec.receiptSecret) fn.bindSecretValue('RECEIPT_SECRET', props.receiptSecret);
      this.httpApi.addFunctionRoutes(fn, spec.routes);
      // unknown routes: the health function's router answers them as problem+json 404s
      if (step === 'health') this.httpApi.addFallbackRoute(fn);
    }

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
    // Anyone with a tracking number may ask: a tighter limit than the stage default.
    this.httpApi.throttleRoute(PUBLIC_TRACKING_ROUTE, config.publicTrackingThrottle);

    bindProviders(this.functions, { config, providerSecrets: props.providerSecrets, carrierSecrets: props.carrierSecrets, apiEndpoint: this.publicUrl });

    // --- Alarms (every function above exists by now); the workers stack draws the dashboard
    new OpsAlarms(this, 'OpsAlarms', { config, topic: this.alarmTopic, functions: [...this.functions.values()], api: this.httpApi });
    this.alarmNames = alarmNamesOf(this);

    new CfnOutput(this, 'ApiUrl', { value: this.httpApi.stage.url });
    new CfnOutput(this, 'UserPoolId', { value: this.auth.userPool.userPoolId });
    new CfnOutput(this, 'StorefrontClientId', { value: this.auth.storefrontClient.userPoolClientId });
    new CfnOutput(this, 'TokenUrl', { value: `${this.auth.domain.baseUrl()}/oauth2/token` });
    new CfnOutput(this, 'StaffClientId', { value: this.auth.staffClient.userPoolClientId });
    new CfnOutput(this, 'ConsoleUrl', { value: this.consoleSite.url, description: 'The staff console (sign in through the Cognito hosted UI)' });
  }
}

/** Binds provider and carrier credentials and callback addresses to the functions of a stack that use them. */
export function bindProviders(
  functions: ReadonlyMap<string, OmsFunction>,
  p: { config: StageConfig; providerSecrets?: ProviderSecrets; carrierSecrets?: CarrierSecrets; apiEndpoint: string },
): void {
  for (const step of PAYMENT_PROVIDER_STEPS) {
    const fn = functions.get(step);
    if (fn && p.providerSecrets) bindPaymentProviders(fn, p.providerSecrets, p.config, p.apiEndpoint);
  }
  for (const step of CARRIER_PROVIDER_STEPS) {
    const fn = functions.get(step);
    if (fn && p.carrierSecrets) bindCarrierProviders(fn, p.carrierSecrets);
  }
  for (const step of CARRIER_API_STEPS) {
    const fn = functions.get(step);
    if (fn) bindCarrierApis(fn, p.config, p.apiEndpoint);
  }
}

/** The names of a scope's alarms as given (plain strings, so another stack can name them without an export). */
export function alarmNamesOf(scope: Construct): string[] {
  return scope.node.findAll()
    .filter((c): c is Alarm => c instanceof Alarm)
    .map((a) => (a.node.defaultChild as CfnAlarm).alarmName)
    .filter((n): n is string => typeof n === 'string');
}
