import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import { RetentionDays } from 'aws-cdk-lib/aws-logs';

// Typed per-stage settings. Everything that differs between dev, staging and prod
// lives here, so a stack never branches on the stage name itself.

export const STAGES = ['dev', 'staging', 'prod'] as const;
export type StageName = (typeof STAGES)[number];

export type LogLevel = 'DEBUG' | 'INFO' | 'WARN' | 'ERROR';

/**
 * The AWS account and region a stage deploys to. A pinned stage's stacks carry this `env`, so
 * the CDK CLI refuses credentials of another account, and `infra/app.ts` refuses them before
 * synthesis ({@link checkDeployAccount}). `profile`: the stage follows the caller's AWS profile
 * (CDK_DEFAULT_ACCOUNT / CDK_DEFAULT_REGION), for personal dev accounts and the local cloud.
 */
export type DeployTarget = { readonly account: string; readonly region: string } | 'profile';

export interface StageConfig {
  readonly stage: StageName;
  readonly deployTo: DeployTarget;
  /** What CloudFormation does with stateful resources when they leave the template. */
  readonly removalPolicy: RemovalPolicy;
  readonly table: {
    readonly pointInTimeRecovery: boolean;
    readonly deletionProtection: boolean;
  };
  readonly logRetention: RetentionDays;
  readonly logLevel: LogLevel;
  /** Default-stage throttling of the HTTP API (steady requests/second and burst bucket). */
  readonly apiThrottle: { readonly rateLimit: number; readonly burstLimit: number };
  /** Throttling of the public `GET /tracking/{trackingNumber}` (route settings of the stage). */
  readonly publicTrackingThrottle: { readonly rateLimit: number; readonly burstLimit: number };
  /** Origins browsers may call the API from. */
  readonly corsAllowOrigins: string[];
  readonly auth: {
    /** Cognito Plus tier with full threat protection (compromised credentials, adaptive auth). */
    readonly threatProtection: boolean;
  };
  readonly functionDefaults: { readonly memorySize: number; readonly timeout: Duration };
  /**
   * The queued steps off the order's path (infra/queued-steps.ts `offPath`, and webhook
   * deliveries): their event sources wait up to `windowSeconds` to fill batches of up to
   * `batchSize` messages, so each invocation (and its DynamoDB requests) carries more events.
   * The stage's function timeout still holds a full batch: its records are handled concurrently
   * (a webhook's POST gives up after 5 s) or written together (the reports' aggregation); the
   * queue's visibility timeout adds the window to six times the function's timeout.
   */
  readonly offPathBatching: { readonly windowSeconds: number; readonly batchSize: number };
  readonly alarms: {
    /** Messages visible in a dead-letter queue before its alarm fires. */
    readonly dlqDepthThreshold: number;
    /** Period over which the alarm metric is evaluated. */
    readonly period: Duration;
    /** Age of the oldest stream record the outbox relay has not processed: how late events are. */
    readonly outboxLagSeconds: number;
    /** HTTP 5xx responses per period before the API alarm fires. */
    readonly api5xxPerPeriod: number;
    /** Addresses subscribed to the stage's alarm topic (confirmation mail required). */
    readonly notificationEmails: string[];
    /** Errors of one function per period before its alarm fires (throttles: any). */
    readonly functionErrorsPerPeriod: number;
    /** Callbacks refused for their signature per period: a forging attempt, or a secret rotated on one side only. */
    readonly callbackSignatureFailuresPerPeriod: number;
    /** The API's p99 latency (ms) over a period before its alarm fires. */
    readonly apiP99LatencyMs: number;
  };
  readonly notifications: {
    /** Addresses subscribed to each department's topic (confirmation mail required). */
    readonly departmentEmails: Readonly<Record<string, string[]>>;
  };
  /**
   * The API's public base URL (a custom domain) that providers call back on; the
   * API Gateway endpoint when absent.
   */
  readonly publicApiUrl?: string;
  /** Payment providers' API base URLs (the local cloud points them at its sandbox). */
  readonly payments: {
    readonly stripeApiUrl: string;
    readonly alipayGatewayUrl: string;
    readonly wechatpayApiUrl: string;
  };
  /**
   * Carriers' API base URLs (EASYPOST_API_URL, KUAIDI100_API_URL). CARRIER_SANDBOX_URL is
   * set by no stage: the local cloud gives it (and points these two at its sandbox carrier).
   */
  readonly carriers: {
    readonly easypostApiUrl: string;
    readonly kuaidi100ApiUrl: string;
  };
  /**
   * Customer e-mail (functions/customer-messages): sent through SES v2 from `from`, an
   * address of `identity` (a domain, or the address itself), which the stack declares as a
   * verified SES identity (its DKIM records are published in the domain's DNS).
   */
  readonly customerMail: { readonly identity: string; readonly from: string };
  /** The event lake (infra/constructs/event-lake.ts): replay archive, Firehose to S3, Athena. */
  readonly lake: {
    /** How long the bus archive keeps events for replay (0 days = indefinitely). */
    readonly archiveRetention: Duration;
    /** Firehose buffering hints: an object is written when either is reached. */
    readonly bufferInterval: Duration;
    readonly bufferSizeMiB: number;
    /** Event objects move to Glacier Instant Retrieval (still read by Athena) after this long. */
    readonly archiveObjectsAfter?: Duration;
    /** Event objects are deleted after this long (absent: kept for good). */
    readonly expireObjectsAfter?: Duration;
    /** Athena query results are deleted after this long. */
    readonly queryResultsExpireAfter: Duration;
    /** Athena refuses a query that would scan more than this (a cost guard). */
    readonly bytesScannedCutoffPerQuery: number;
  };
  /** Outbound webhooks (shared/app/webhooks.ts): where they may point, when a failing partner is paused, secret rotation. */
  readonly webhooks: {
    /** AWS stages: https to public addresses only (no local hosts); the local cloud names localhost */
    readonly urlRules: { readonly localHosts: string[] };
    /** failed attempts in a row that pause a subscription (and notify the integrations department) */
    readonly pauseAfterFailures: number;
    /** how long a replaced signing secret keeps signing beside the new one */
    readonly secretOverlap: Duration;
  };
  /**
   * The rate-based WAF rules on the public routes (infra/constructs/waf.ts): requests one
   * client IP may make in any 5 minutes before WAF answers 429 for the rest of the window.
   * Tracking and receipt look-ups are people and scrapers; webhooks are providers, a few
   * IPs carrying every callback, so their limit is far higher.
   */
  readonly waf: { readonly publicReadsPer5Min: number; readonly webhooksPer5Min: number };
  /**
   * Static integrations (infra/constructs/api-destinations.ts): partners that get some of the
   * bus's events through EventBridge API destinations, declared per stage and deployed with it
   * (outbound webhooks are the admin's, at run time). Absent or empty: none.
   */
  readonly apiDestinations?: readonly ApiDestinationConfig[];
}

/** How EventBridge authenticates to a partner. The secret itself is in Secrets Manager (`oms/<stage>/api-destinations/<name>`), never here. */
export type ApiDestinationAuth =
  /** the secret's value goes in this header (e.g. `x-api-key`) */
  | { readonly kind: 'apiKey'; readonly header: string }
  /** OAuth client credentials: EventBridge gets a token at `tokenUrl` with this client id and the secret as client secret */
  | { readonly kind: 'oauthClientCredentials'; readonly tokenUrl: string; readonly clientId: string; readonly scope?: string };

export interface ApiDestinationConfig {
  /** Short name: the connection, destination, rule and DLQ are `oms-<stage>-<name>…`. */
  readonly name: string;
  readonly description: string;
  /** What EventBridge calls: https only (AWS refuses anything else), to a public address. */
  readonly endpoint: string;
  /**
   * What the local cloud calls instead (http to localhost is fine there). It travels in the
   * destination's template metadata, which CloudFormation ignores.
   */
  readonly localEndpoint?: string;
  readonly method: 'POST' | 'PUT' | 'PATCH';
  readonly auth: ApiDestinationAuth;
  /** Invocations per second EventBridge makes at most (it holds the rest back). */
  readonly ratePerSecond: number;
  /** The bus's events it gets, by detail type (events/*.ts). */
  readonly detailTypes: readonly string[];
  /** The input transformer: JSONPath per placeholder (`$.detail.data.orderId`) and the body's template with `<placeholder>`s. */
  readonly transform: { readonly inputPaths: Readonly<Record<string, string>>; readonly template: string };
  /** EventBridge's retry policy (429, 5xx, timeouts), then the event goes to the destination's DLQ (alarmed). */
  readonly retry: { readonly maxEventAge: Duration; readonly maxAttempts: number };
}

/** Every stage: a second's window, batches of up to 100 messages. */
const OFF_PATH_BATCHING = { windowSeconds: 1, batchSize: 100 };

/** Every AWS stage: webhooks over https to public addresses, paused after 10 failures in a row, a day to switch secrets. */
const WEBHOOKS = { urlRules: { localHosts: [] }, pauseAfterFailures: 10, secretOverlap: Duration.hours(24) };

/**
 * An example ERP that gets paid orders, shipments and stock adjustments, one envelope for all
 * three: the OMS event id (the ERP's dedupe key), its type and time, and the event's data.
 * Dev is a deployable stage (a personal account) as well as the local cloud's: the endpoint is
 * https, a placeholder host to replace with the ERP's (or remove the entry); the local cloud
 * calls `npm run partner`'s ERP path on localhost instead.
 */
const EXAMPLE_ERP: ApiDestinationConfig = {
  name: 'erp',
  description: 'Example ERP: paid orders, shipments and stock adjustments',
  endpoint: 'https://erp.dev.oms.example.com/oms/events',
  localEndpoint: 'http://localhost:4400/erp',
  method: 'POST',
  auth: { kind: 'apiKey', header: 'x-api-key' },
  ratePerSecond: 10,
  detailTypes: ['OrderPaid', 'ShipmentCreated', 'StockAdjusted'],
  transform: {
    inputPaths: {
      eventId: '$.detail.metadata.eventId',
      type: '$.detail-type',
      occurredAt: '$.detail.metadata.occurredAt',
      data: '$.detail.data',
    },
    template: '{"eventId": <eventId>, "type": <type>, "occurredAt": <occurredAt>, "source": "oms", "data": <data>}',
  },
  // an hour of retries (about 20 with EventBridge's backoff), then the alarmed DLQ: redrive once the ERP is back
  retry: { maxEventAge: Duration.hours(1), maxAttempts: 24 },
};

/** The providers' production APIs (Stripe's test mode is the same host, chosen by the key). */
const PROVIDER_APIS = {
  stripeApiUrl: 'https://api.stripe.com',
  alipayGatewayUrl: 'https://openapi.alipay.com/gateway.do',
  wechatpayApiUrl: 'https://api.mch.weixin.qq.com',
} as const;

/** The carriers' APIs (EasyPost's test mode is the same host, chosen by the key). */
const CARRIER_APIS = {
  easypostApiUrl: 'https://api.easypost.com',
  kuaidi100ApiUrl: 'https://poll.kuaidi100.com',
} as const;

/**
 * PLACEHOLDER account ids: replace them with your own staging and prod accounts before the first
 * deploy (README: Deploying a stage). Until then a deploy of those stages stops at the account check.
 */
export const PLACEHOLDER_ACCOUNTS: Readonly<Partial<Record<StageName, string>>> = {
  staging: '111111111111',
  prod: '222222222222',
};

const CONFIGS: Record<StageName, StageConfig> = {
  dev: {
    stage: 'dev',
    deployTo: 'profile',
    removalPolicy: RemovalPolicy.DESTROY,
    table: { pointInTimeRecovery: false, deletionProtection: false },
    logRetention: RetentionDays.ONE_WEEK,
    logLevel: 'DEBUG',
    apiThrottle: { rateLimit: 50, burstLimit: 100 },
    publicTrackingThrottle: { rateLimit: 5, burstLimit: 10 },
    waf: { publicReadsPer5Min: 300, webhooksPer5Min: 2000 },
    corsAllowOrigins: ['http://localhost:3000', 'http://localhost:5173'],
    auth: { threatProtection: false },
    functionDefaults: { memorySize: 512, timeout: Duration.seconds(10) },
    offPathBatching: OFF_PATH_BATCHING,
    alarms: {
      dlqDepthThreshold: 1,
      period: Duration.minutes(5),
      outboxLagSeconds: 600,
      api5xxPerPeriod: 20,
      notificationEmails: [],
      functionErrorsPerPeriod: 5,
      callbackSignatureFailuresPerPeriod: 20,
      apiP99LatencyMs: 3000,
    },
    notifications: { departmentEmails: {} },
    // Alipay's developer sandbox; Stripe and WeChat Pay choose test mode by credentials
    payments: { ...PROVIDER_APIS, alipayGatewayUrl: 'https://openapi-sandbox.dl.alipaydev.com/gateway.do' },
    carriers: CARRIER_APIS,
    customerMail: { identity: 'dev.oms.example.com', from: 'orders@dev.oms.example.com' },
    lake: {
      archiveRetention: Duration.days(7),
      bufferInterval: Duration.seconds(60),
      bufferSizeMiB: 5,
      expireObjectsAfter: Duration.days(30),
      queryResultsExpireAfter: Duration.days(7),
      bytesScannedCutoffPerQuery: 10 * 1024 ** 3,
    },
    webhooks: WEBHOOKS,
    apiDestinations: [EXAMPLE_ERP],
  },
  staging: {
    stage: 'staging',
    deployTo: { account: PLACEHOLDER_ACCOUNTS.staging!, region: 'ap-southeast-1' },
    // Staging holds realistic data worth keeping across a mistaken stack delete.
    removalPolicy: RemovalPolicy.RETAIN,
    table: { pointInTimeRecovery: true, deletionProtection: false },
    logRetention: RetentionDays.ONE_MONTH,
    logLevel: 'INFO',
    apiThrottle: { rateLimit: 100, burstLimit: 200 },
    publicTrackingThrottle: { rateLimit: 10, burstLimit: 20 },
    waf: { publicReadsPer5Min: 600, webhooksPer5Min: 5000 },
    corsAllowOrigins: ['https://staging.oms.example.com'],
    auth: { threatProtection: false },
    functionDefaults: { memorySize: 1024, timeout: Duration.seconds(10) },
    offPathBatching: OFF_PATH_BATCHING,
    alarms: {
      dlqDepthThreshold: 1,
      period: Duration.minutes(5),
      outboxLagSeconds: 300,
      api5xxPerPeriod: 10,
      notificationEmails: ['oncall-staging@oms.example.com'],
      functionErrorsPerPeriod: 3,
      callbackSignatureFailuresPerPeriod: 10,
      apiP99LatencyMs: 2000,
    },
    notifications: { departmentEmails: {} },
    payments: PROVIDER_APIS,
    carriers: CARRIER_APIS,
    customerMail: { identity: 'staging.oms.example.com', from: 'orders@staging.oms.example.com' },
    lake: {
      archiveRetention: Duration.days(30),
      bufferInterval: Duration.seconds(300),
      bufferSizeMiB: 64,
      expireObjectsAfter: Duration.days(365),
      queryResultsExpireAfter: Duration.days(30),
      bytesScannedCutoffPerQuery: 100 * 1024 ** 3,
    },
    webhooks: WEBHOOKS,
  },
  prod: {
    stage: 'prod',
    deployTo: { account: PLACEHOLDER_ACCOUNTS.prod!, region: 'ap-southeast-1' },
    removalPolicy: RemovalPolicy.RETAIN,
    table: { pointInTimeRecovery: true, deletionProtection: true },
    logRetention: RetentionDays.SIX_MONTHS,
    logLevel: 'INFO',
    apiThrottle: { rateLimit: 500, burstLimit: 1000 },
    publicTrackingThrottle: { rateLimit: 50, burstLimit: 100 },
    waf: { publicReadsPer5Min: 1000, webhooksPer5Min: 20000 },
    corsAllowOrigins: ['https://oms.example.com'],
    auth: { threatProtection: true },
    functionDefaults: { memorySize: 1024, timeout: Duration.seconds(10) },
    offPathBatching: OFF_PATH_BATCHING,
    alarms: {
      dlqDepthThreshold: 1,
      period: Duration.minutes(1),
      outboxLagSeconds: 120,
      api5xxPerPeriod: 5,
      notificationEmails: ['oncall@oms.example.com'],
      functionErrorsPerPeriod: 1,
      callbackSignatureFailuresPerPeriod: 10,
      apiP99LatencyMs: 1500,
    },
    notifications: { departmentEmails: {} },
    payments: PROVIDER_APIS,
    carriers: CARRIER_APIS,
    // Every event kept for good: the archive for replays, the lake for questions not asked yet.
    customerMail: { identity: 'oms.example.com', from: 'orders@oms.example.com' },
    lake: {
      archiveRetention: Duration.days(0),
      bufferInterval: Duration.seconds(300),
      bufferSizeMiB: 128,
      archiveObjectsAfter: Duration.days(180),
      queryResultsExpireAfter: Duration.days(30),
      bytesScannedCutoffPerQuery: 1024 ** 4,
    },
    webhooks: WEBHOOKS,
  },
};

/** The CloudWatch namespace of a stage's business metrics (EMF, shared/observability/metrics.ts). */
export const metricsNamespace = (stage: StageName): string => `OMS/${stage}`;

export function isStageName(name: unknown): name is StageName {
  return typeof name === 'string' && (STAGES as readonly string[]).includes(name);
}

/** Settings of one stage; an unknown stage fails fast instead of deploying something half-configured. */
export function stageConfig(name: unknown): StageConfig {
  if (!isStageName(name)) {
    throw new Error(
      `Unknown stage ${JSON.stringify(name)}: expected one of ${STAGES.join(', ')} (e.g. cdk synth -c stage=prod)`,
    );
  }
  return CONFIGS[name];
}

/** The `env` of a stage's stacks: the pinned account and region, or the caller's profile (the CDK CLI sets CDK_DEFAULT_*). */
export function stackEnv(config: StageConfig, env: NodeJS.ProcessEnv = process.env): { account?: string; region?: string } {
  if (config.deployTo !== 'profile') return { account: config.deployTo.account, region: config.deployTo.region };
  return {
    ...(env.CDK_DEFAULT_ACCOUNT ? { account: env.CDK_DEFAULT_ACCOUNT } : {}),
    ...(env.CDK_DEFAULT_REGION ? { region: env.CDK_DEFAULT_REGION } : {}),
  };
}

/**
 * Refuses to synthesize a pinned stage for another account's credentials (the CDK CLI puts the
 * caller's account in CDK_DEFAULT_ACCOUNT): deploying prod from the staging profile stops here,
 * before anything changes. Without credentials (an offline `cdk synth`) there is nothing to check.
 */
export function checkDeployAccount(config: StageConfig, env: NodeJS.ProcessEnv = process.env): void {
  const current = env.CDK_DEFAULT_ACCOUNT;
  if (config.deployTo === 'profile' || !current || current === config.deployTo.account) return;
  const { account, region } = config.deployTo;
  const placeholder =
    PLACEHOLDER_ACCOUNTS[config.stage] === account
      ? ` ${account} is a placeholder: put the ${config.stage} account id in infra/config.ts (deployTo) first.`
      : ` Use the ${config.stage} profile (e.g. --profile oms-${config.stage}).`;
  throw new Error(
    `Stage ${config.stage} deploys to account ${account} (${region}), but the current AWS credentials are for account ${current}: nothing was deployed.${placeholder}`,
  );
}
