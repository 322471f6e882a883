import { Validations } from 'aws-cdk-lib';
import {
  AllowedMethods,
  CachePolicy,
  Distribution,
  OriginProtocolPolicy,
  OriginRequestPolicy,
  PriceClass,
  ViewerProtocolPolicy,
} from 'aws-cdk-lib/aws-cloudfront';
import { HttpOrigin } from 'aws-cdk-lib/aws-cloudfront-origins';
import { CfnWebACL } from 'aws-cdk-lib/aws-wafv2';
import { Construct } from 'constructs';
import type { StageConfig } from '../config';

// AWS WAF cannot be associated with an HTTP API (API Gateway v2): its protected resources
// are CloudFront distributions, REST APIs, ALBs, AppSync, Cognito user pools, App Runner,
// Amplify and Verified Access. So the web ACL sits on a CloudFront distribution in front of
// the HTTP API, the public edge that tracking pages, receipt checks and providers' webhooks
// are given. A CloudFront web ACL lives in us-east-1, so this goes in a stack of its own there.

/** Public routes by path prefix, and which limit of the stage config guards them. */
const PUBLIC_READS = ['/tracking/', '/receipts/'];
const WEBHOOKS = ['/webhooks/'];

/** WAF's own answer to a client over its limit: 429 with a problem document (WAF's JSON type is application/json). */
const TOO_MANY = 'too-many-requests';
const tooManyBody = JSON.stringify({
  type: 'about:blank', title: 'Too many requests', status: 429,
  detail: 'This address sent more requests than the public routes take in five minutes; try again later.',
});

export interface PublicEdgeProps {
  readonly config: StageConfig;
  /** The HTTP API's host name (`<api-id>.execute-api.<region>.amazonaws.com`, or its custom domain). */
  readonly apiDomain: string;
}

const startsWithAny = (prefixes: readonly string[]): CfnWebACL.StatementProperty => {
  const one = (prefix: string): CfnWebACL.StatementProperty => ({
    byteMatchStatement: {
      fieldToMatch: { uriPath: {} },
      positionalConstraint: 'STARTS_WITH',
      searchString: prefix,
      textTransformations: [{ priority: 0, type: 'NONE' }],
    },
  });
  return prefixes.length === 1 ? one(prefixes[0]!) : { orStatement: { statements: prefixes.map(one) } };
};

const visibility = (name: string): CfnWebACL.VisibilityConfigProperty => ({ metricName: name, cloudWatchMetricsEnabled: true, sampledRequestsEnabled: true });

/**
 * The public edge: a CloudFront distribution that passes every request to the HTTP API
 * (no caching: answers are per request), guarded by a web ACL with a rate-based rule per
 * kind of public route, counted per client IP over 5 minutes.
 */
export class PublicEdge extends Construct {
  readonly webAcl: CfnWebACL;
  readonly distribution: Distribution;

  constructor(scope: Construct, id: string, props: PublicEdgeProps) {
    super(scope, id);
    const { config } = props;
    const rateRule = (name: string, priority: number, limit: number, prefixes: readonly string[]): CfnWebACL.RuleProperty => ({
      name, priority,
      statement: { rateBasedStatement: { limit, aggregateKeyType: 'IP', evaluationWindowSec: 300, scopeDownStatement: startsWithAny(prefixes) } },
      action: { block: { customResponse: { responseCode: 429, customResponseBodyKey: TOO_MANY } } },
      visibilityConfig: visibility(`oms-${config.stage}-${name}`),
    });

    this.webAcl = new CfnWebACL(this, 'WebAcl', {
      name: `oms-${config.stage}-public`,
      description: `OMS (${config.stage}): rate limits per client IP on the public routes`,
      scope: 'CLOUDFRONT',
      defaultAction: { allow: {} },
      customResponseBodies: { [TOO_MANY]: { contentType: 'APPLICATION_JSON', content: tooManyBody } },
      rules: [
        rateRule('public-reads-rate', 0, config.waf.publicReadsPer5Min, PUBLIC_READS),
        rateRule('webhooks-rate', 1, config.waf.webhooksPer5Min, WEBHOOKS),
      ],
      visibilityConfig: visibility(`oms-${config.stage}-public`),
    });

    this.distribution = new Distribution(this, 'Distribution', {
      comment: `OMS (${config.stage}) public edge`,
      webAclId: this.webAcl.attrArn,
      priceClass: PriceClass.PRICE_CLASS_ALL,
      defaultBehavior: {
        origin: new HttpOrigin(props.apiDomain, { protocolPolicy: OriginProtocolPolicy.HTTPS_ONLY }),
        viewerProtocolPolicy: ViewerProtocolPolicy.HTTPS_ONLY,
        allowedMethods: AllowedMethods.ALLOW_ALL,
        cachePolicy: CachePolicy.CACHING_DISABLED,
        // the API's own host stays (API Gateway routes by it); everything else the viewer sent goes on
        originRequestPolicy: OriginRequestPolicy.ALL_VIEWER_EXCEPT_HOST_HEADER,
      },
    });
    Validations.of(this.distribution).acknowledge(
      { id: 'AwsSolutions-CFR1', reason: 'Customers track parcels and providers call back from every country: no geo restriction.' },
      { id: 'AwsSolutions-CFR3', reason: 'Every request that passes reaches the HTTP API, whose stage access log records it; WAF keeps sampled requests and metrics of the blocked ones.' },
      { id: 'AwsSolutions-CFR4', reason: 'The default *.cloudfront.net certificate until the stage has a custom domain; the origin connection is TLS 1.2 (HTTPS only).' },
    );
  }
}
