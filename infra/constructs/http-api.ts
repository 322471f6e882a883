import { Duration, Validations } from 'aws-cdk-lib';
import { AccessLogFormat } from 'aws-cdk-lib/aws-apigateway';
import {
  CorsHttpMethod,
  HttpApi,
  HttpMethod,
  HttpNoneAuthorizer,
  HttpStage,
  type CfnStage,
  HttpRoute,
  HttpRouteKey,
  LogGroupLogDestination,
  type IHttpRouteAuthorizer,
} from 'aws-cdk-lib/aws-apigatewayv2';
import { HttpLambdaIntegration } from 'aws-cdk-lib/aws-apigatewayv2-integrations';
import { Alarm, ComparisonOperator, TreatMissingData } from 'aws-cdk-lib/aws-cloudwatch';
import { SnsAction } from 'aws-cdk-lib/aws-cloudwatch-actions';
import { LogGroup } from 'aws-cdk-lib/aws-logs';
import type { ITopic } from 'aws-cdk-lib/aws-sns';
import { Construct } from 'constructs';
import type { StageConfig } from '../config';
import type { RouteSpec } from '../routes';
import type { OmsFunction } from './oms-function';

// One JSON line per request; $context.requestId is what support asks for.
const ACCESS_LOG_FORMAT = AccessLogFormat.custom(
  JSON.stringify({
    requestId: '$context.requestId',
    ip: '$context.identity.sourceIp',
    requestTime: '$context.requestTime',
    routeKey: '$context.routeKey',
    status: '$context.status',
    responseLength: '$context.responseLength',
    latencyMs: '$context.responseLatency',
    integrationError: '$context.integrationErrorMessage',
    authorizerError: '$context.authorizer.error',
  }),
);

export interface OmsHttpApiProps {
  readonly config: StageConfig;
  /** Applied to every route that is not public. */
  readonly authorizer: IHttpRouteAuthorizer;
  readonly alarmTopic: ITopic;
  /** Browser origins beside the stage's configured ones (the console's CloudFront origin). */
  readonly extraOrigins?: readonly string[];
}

/**
 * The HTTP API (payload 2.0): authenticated by default, CORS for the stage's
 * origins, the `$default` stage throttled and access-logged, an alarm on 5xx.
 */
export class OmsHttpApi extends Construct {
  readonly api: HttpApi;
  readonly stage: HttpStage;
  private readonly noAuth = new HttpNoneAuthorizer();
  /** every route added, by route key (`GET /tracking/{trackingNumber}`) */
  private readonly routes = new Map<string, HttpRoute>();

  constructor(scope: Construct, id: string, props: OmsHttpApiProps) {
    super(scope, id);
    const { config } = props;

    this.api = new HttpApi(this, 'HttpApi', {
      apiName: `oms-${config.stage}`,
      createDefaultStage: false,
      defaultAuthorizer: props.authorizer,
      corsPreflight: {
        allowOrigins: [...config.corsAllowOrigins, ...(props.extraOrigins ?? [])],
        allowMethods: [
          CorsHttpMethod.GET,
          CorsHttpMethod.POST,
          CorsHttpMethod.PUT,
          CorsHttpMethod.PATCH,
          CorsHttpMethod.DELETE,
        ],
        // If-Match carries the version a staff screen showed (a stale one answers 412);
        // ETag is how the screen reads that version, so a browser must be let to see it.
        allowHeaders: ['authorization', 'content-type', 'idempotency-key', 'if-match'],
        exposeHeaders: ['location', 'etag'],
        maxAge: Duration.hours(1),
      },
    });

    const accessLogs = new LogGroup(this, 'AccessLogs', {
      retention: config.logRetention,
      removalPolicy: config.removalPolicy,
    });
    this.stage = new HttpStage(this, 'DefaultStage', {
      httpApi: this.api,
      stageName: '$default',
      autoDeploy: true,
      throttle: config.apiThrottle,
      accessLogSettings: { destination: new LogGroupLogDestination(accessLogs), format: ACCESS_LOG_FORMAT },
    });

    new Alarm(this, 'ServerErrorAlarm', {
      alarmName: `oms-${config.stage}-api-5xx`,
      alarmDescription: 'The HTTP API answers with server errors.',
      metric: this.stage.metricServerError({ period: config.alarms.period, statistic: 'Sum' }),
      threshold: config.alarms.api5xxPerPeriod,
      comparisonOperator: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      evaluationPeriods: 1,
      treatMissingData: TreatMissingData.NOT_BREACHING,
    }).addAlarmAction(new SnsAction(props.alarmTopic));
  }

  /** Routes requests for `routes` to `fn`; public routes skip the authorizer. */
  addFunctionRoutes(fn: OmsFunction, routes: readonly RouteSpec[]): void {
    const integration = new HttpLambdaIntegration(`${fn.node.id}Integration`, fn.fn);
    for (const route of routes) {
      const isPublic = route.access === 'public';
      const [httpRoute] = this.api.addRoutes({
        path: route.path,
        methods: [HttpMethod[route.method]],
        integration,
        ...(isPublic ? { authorizer: this.noAuth } : {}),
      });
      this.routes.set(`${route.method} ${route.path}`, httpRoute!);
      if (isPublic) {
        Validations.of(httpRoute!).acknowledge({
          id: 'AwsSolutions-APIG4',
          reason: `${route.method} ${route.path} is public by contract (API.md): it serves no personal or business data.`,
        });
      }
    }
  }

  /**
   * Sends every request that no route matches to `fn`, without the authorizer. API
   * Gateway's own answer to an unknown route is a 404 `{"message":"Not Found"}` that an
   * HTTP API cannot reshape (it has no gateway responses); the function's router answers
   * it as a problem+json 404 instead, in AWS and in the local cloud alike.
   */
  addFallbackRoute(fn: OmsFunction): void {
    const route = new HttpRoute(this, 'FallbackRoute', {
      httpApi: this.api,
      routeKey: HttpRouteKey.DEFAULT,
      integration: new HttpLambdaIntegration(`${fn.node.id}FallbackIntegration`, fn.fn),
      authorizer: this.noAuth,
    });
    Validations.of(route).acknowledge({
      id: 'AwsSolutions-APIG4',
      reason: 'The $default route only answers 404 problem documents for paths no route serves; it reads nothing.',
    });
  }

  /**
   * Throttles one route below the stage default. HTTP APIs have no usage plans or API
   * keys; the stage's per-route settings (RouteSettings on the L1 stage) are their
   * route-level limit, counted per route across all callers.
   */
  throttleRoute(routeKey: string, limits: { readonly rateLimit: number; readonly burstLimit: number }): void {
    const route = this.routes.get(routeKey);
    if (!route) throw new Error(`No route ${routeKey} to throttle`);
    const stage = this.stage.node.defaultChild as CfnStage;
    stage.addPropertyOverride(`RouteSettings.${routeKey}`, { ThrottlingRateLimit: limits.rateLimit, ThrottlingBurstLimit: limits.burstLimit });
    // the stage names the route: it must exist first
    stage.node.addDependency(route);
  }
}
