import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { AssetHashType, Aws, DockerImage, Duration, RemovalPolicy, Validations } from 'aws-cdk-lib';
import {
  AllowedMethods,
  CachePolicy,
  Distribution,
  Function as CfFunction,
  FunctionCode,
  FunctionEventType,
  FunctionRuntime,
  HeadersFrameOption,
  HeadersReferrerPolicy,
  HttpVersion,
  PriceClass,
  ResponseHeadersPolicy,
  ViewerProtocolPolicy,
} from 'aws-cdk-lib/aws-cloudfront';
import { S3BucketOrigin } from 'aws-cdk-lib/aws-cloudfront-origins';
import { BlockPublicAccess, Bucket, BucketEncryption, ObjectOwnership } from 'aws-cdk-lib/aws-s3';
import { BucketDeployment, CacheControl, Source, type ISource } from 'aws-cdk-lib/aws-s3-deployment';
import { Construct } from 'constructs';
import type { StageConfig } from '../config';

/** The path the console is served under (as on the local cloud). */
export const CONSOLE_PATH = '/console/';

/**
 * What the console reads from `console/config.json` (console/src/config.ts): one build
 * serves every stage, and `signIn: 'cognito'` makes it sign in through the hosted UI.
 */
export interface ConsoleRuntimeConfig {
  readonly stage: string;
  readonly region: string;
  /** The API's base URL (no trailing slash). */
  readonly apiUrl: string;
  readonly signIn: 'cognito';
  readonly cognito: {
    /** The user pool's hosted UI, e.g. `https://oms-dev-123.auth.eu-west-1.amazoncognito.com`. */
    readonly domain: string;
    /** The console's app client (authorization code with PKCE, no secret). */
    readonly clientId: string;
    readonly redirectUri: string;
  };
}

export interface ConsoleSiteProps {
  readonly config: StageConfig;
  /** Origins the console's scripts may call besides its own: the API, the hosted UI's token endpoint. */
  readonly connectOrigins: readonly string[];
}

// Viewer-request function (cloudfront-js-2.0): `/` and `/console` go to `/console/`, `/docs`
// to `/docs/` (the API reference); any path under /console/ whose last segment has no
// extension is a route of the single-page app and gets its index.html; other folders get
// theirs. Files that do not exist stay 404s.
export const SPA_ROUTING = `function handler(event) {
  var request = event.request;
  var uri = request.uri;
  if (uri === '/' || uri === '/console' || uri === '/docs') {
    var to = uri === '/docs' ? '/docs/' : '${CONSOLE_PATH}';
    return { statusCode: 302, statusDescription: 'Found', headers: { location: { value: to } } };
  }
  if (uri.indexOf('${CONSOLE_PATH}') === 0 && uri.split('/').pop().indexOf('.') === -1) {
    request.uri = '${CONSOLE_PATH}index.html';
  } else if (uri.charAt(uri.length - 1) === '/') {
    request.uri = uri + 'index.html';
  }
  return request;
}`;

/**
 * Where the console is served in AWS: a private bucket (no public access, SSE-S3, TLS
 * only) read by CloudFront through origin access control, with security headers on every
 * answer and the single-page app's routes falling back to index.html. The files arrive by
 * {@link ConsoleDeployment}.
 */
export class ConsoleSite extends Construct {
  readonly bucket: Bucket;
  readonly distribution: Distribution;
  /** `https://<distribution>.cloudfront.net`: the origin the API's CORS and the hosted UI's redirects allow. */
  readonly origin: string;
  /** The console's address (`<origin>/console/`). */
  readonly url: string;

  constructor(scope: Construct, id: string, props: ConsoleSiteProps) {
    super(scope, id);
    const { config } = props;
    const retain = config.removalPolicy === RemovalPolicy.RETAIN;

    // CloudFront's standard logs and the bucket's access logs; CloudFront writes with ACLs.
    const logs = new Bucket(this, 'Logs', {
      blockPublicAccess: BlockPublicAccess.BLOCK_ALL,
      encryption: BucketEncryption.S3_MANAGED,
      enforceSSL: true,
      objectOwnership: ObjectOwnership.BUCKET_OWNER_PREFERRED,
      lifecycleRules: [{ expiration: Duration.days(config.logRetention) }],
      removalPolicy: config.removalPolicy,
    });
    Validations.of(logs).acknowledge({
      id: 'AwsSolutions-S1',
      reason: 'This bucket holds the console site access logs themselves; logging its own reads would log the logs.',
    });

    this.bucket = new Bucket(this, 'Bucket', {
      bucketName: consoleBucketName(config),
      blockPublicAccess: BlockPublicAccess.BLOCK_ALL,
      encryption: BucketEncryption.S3_MANAGED,
      enforceSSL: true,
      objectOwnership: ObjectOwnership.BUCKET_OWNER_ENFORCED,
      serverAccessLogsBucket: logs,
      serverAccessLogsPrefix: 's3/',
      // the deployment removes its files when it is deleted (outside prod), so the bucket can go too
      removalPolicy: retain ? RemovalPolicy.RETAIN : RemovalPolicy.DESTROY,
    });

    const headers = new ResponseHeadersPolicy(this, 'SecurityHeaders', {
      comment: `OMS console (${config.stage}): security headers`,
      securityHeadersBehavior: {
        contentSecurityPolicy: { contentSecurityPolicy: contentSecurityPolicy(props.connectOrigins), override: true },
        strictTransportSecurity: { accessControlMaxAge: Duration.days(365), includeSubdomains: true, override: true },
        contentTypeOptions: { override: true },
        frameOptions: { frameOption: HeadersFrameOption.DENY, override: true },
        referrerPolicy: { referrerPolicy: HeadersReferrerPolicy.STRICT_ORIGIN_WHEN_CROSS_ORIGIN, override: true },
      },
    });

    const routing = new CfFunction(this, 'Routing', {
      comment: 'Console: / to /console/, app routes to index.html',
      runtime: FunctionRuntime.JS_2_0,
      code: FunctionCode.fromInline(SPA_ROUTING),
    });

    this.distribution = new Distribution(this, 'Distribution', {
      comment: `OMS console (${config.stage})`,
      defaultBehavior: {
        origin: S3BucketOrigin.withOriginAccessControl(this.bucket),
        viewerProtocolPolicy: ViewerProtocolPolicy.REDIRECT_TO_HTTPS,
        allowedMethods: AllowedMethods.ALLOW_GET_HEAD,
        cachePolicy: CachePolicy.CACHING_OPTIMIZED,
        responseHeadersPolicy: headers,
        functionAssociations: [{ function: routing, eventType: FunctionEventType.VIEWER_REQUEST }],
        compress: true,
      },
      httpVersion: HttpVersion.HTTP2_AND_3,
      priceClass: PriceClass.PRICE_CLASS_100,
      enableLogging: true,
      logBucket: logs,
      logFilePrefix: 'cloudfront/',
    });
    Validations.of(this.distribution).acknowledge(
      {
        id: 'AwsSolutions-CFR4',
        reason: 'The distribution uses the default cloudfront.net certificate, for which CloudFront fixes the TLS policy; a custom domain with its own certificate would set TLSv1.2_2021.',
      },
      {
        id: 'AwsSolutions-CFR1',
        reason: 'Staff sign in from wherever they work; every API call needs a Cognito token with MFA, so the static files carry no data worth fencing by country.',
      },
      {
        id: 'AwsSolutions-CFR2',
        reason: 'The distribution serves only the static console files (no data, no forms posted to it); the API it calls is protected on its own side.',
      },
    );

    this.origin = `https://${this.distribution.distributionDomainName}`;
    this.url = `${this.origin}${CONSOLE_PATH}`;
  }
}

/** The site bucket's name: named, so the deployment's permissions name it too. */
export const consoleBucketName = (config: StageConfig): string => `oms-${config.stage}-console-${Aws.ACCOUNT_ID}-${Aws.REGION}`;

/**
 * Scripts, styles, images and fonts from the console's own origin only; calls to the
 * console's origin and `connectOrigins`; never framed. Inline styles are allowed because
 * the chart library positions its tooltips with style attributes (no inline scripts).
 */
export function contentSecurityPolicy(connectOrigins: readonly string[]): string {
  return [
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self' 'unsafe-inline'",
    "img-src 'self' data:",
    "font-src 'self'",
    `connect-src 'self' ${connectOrigins.join(' ')}`,
    "object-src 'none'",
    "base-uri 'self'",
    "form-action 'self'",
    "frame-ancestors 'none'",
  ].join('; ');
}

/**
 * The API's origin for the console's CSP. With a custom API domain it is that origin; else
 * it can only be the region's API Gateway hosts: the API's own generated hostname cannot
 * appear here because the API's CORS names the distribution's generated hostname, and
 * CloudFormation cannot resolve two resources that name each other.
 */
export function apiOriginForCsp(config: StageConfig): string {
  return config.publicApiUrl ? new URL(config.publicApiUrl).origin : `https://*.execute-api.${Aws.REGION}.amazonaws.com`;
}

export interface ConsoleDeploymentProps {
  readonly config: StageConfig;
  /** The API stack's console site: its bucket is reached by name. */
  readonly site: ConsoleSite;
  /** The built site: `console/` (index.html and its files) and `docs/` (the API reference). */
  readonly build: ISource;
  /** Written as `console/config.json` beside index.html, from the stage's values. */
  readonly runtimeConfig: ConsoleRuntimeConfig;
}

/**
 * Copies the built site (`console/`, `docs/`) and the console's `config.json` to the site
 * bucket and invalidates CloudFront's copies. Outside prod, deleting it removes the files (and lets the
 * bucket be deleted).
 */
export class ConsoleDeployment extends Construct {
  readonly deployment: BucketDeployment;

  constructor(scope: Construct, id: string, props: ConsoleDeploymentProps) {
    super(scope, id);
    const { config, site } = props;
    const name = consoleBucketName(config);
    const bucket = Bucket.fromBucketAttributes(this, 'Bucket', { bucketName: name, bucketArn: `arn:${Aws.PARTITION}:s3:::${name}` });
    this.deployment = new BucketDeployment(this, 'Files', {
      destinationBucket: bucket,
      sources: [props.build, Source.jsonData(`${CONSOLE_PATH.slice(1)}config.json`, props.runtimeConfig)],
      // a deploy is seen at once: CloudFront and browsers revalidate (the files are small)
      cacheControl: [CacheControl.noCache()],
      distribution: site.distribution,
      distributionPaths: ['/*'],
      prune: true,
      retainOnDelete: config.removalPolicy === RemovalPolicy.RETAIN,
      memoryLimit: 512,
    });
  }
}

/**
 * The site as `scripts/build-console.ts` builds it, run during synthesis (bundling stacks
 * only; templates-only syntheses hash the sources instead).
 */
export function consoleBuild(root: string): ISource {
  return Source.asset(join(root, 'console'), {
    assetHashType: AssetHashType.OUTPUT,
    bundling: {
      // The build needs the whole repository (routes, settings), so it only runs locally.
      image: DockerImage.fromRegistry('public.ecr.aws/docker/library/node:22-slim'),
      local: {
        tryBundle(outputDir: string): boolean {
          execFileSync(process.execPath, ['--import', 'tsx', join(root, 'scripts', 'build-console.ts'), '--out', outputDir], {
            cwd: root,
            stdio: ['ignore', 'ignore', 'inherit'],
          });
          return true;
        },
      },
    },
  });
}
