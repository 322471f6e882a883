import { Match, Template } from 'aws-cdk-lib/assertions';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stackIds } from '../../infra/build-app';
import { SPA_ROUTING } from '../../infra/constructs/console-site';
import { resourcesOfType, synthStage, type Synthesized } from './synth';

// The staff console in AWS: a private bucket behind CloudFront (origin access control,
// security headers, app routes to index.html), signed in through the Cognito hosted UI
// (code grant with PKCE, no secret), allowed by the API's CORS, and its files plus a
// config.json from the stage's values copied in by the console stack.

const synthesized: Partial<Record<'dev' | 'prod', Synthesized>> = {};
beforeAll(() => {
  for (const stage of ['dev', 'prod'] as const) synthesized[stage] = synthStage(stage);
});
afterAll(() => Object.values(synthesized).forEach((s) => s.cleanup()));

const idOf = (t: Template, type: string, match: (p: Record<string, unknown>) => boolean = () => true) => {
  const ids = Object.entries(resourcesOfType(t, type)).filter(([, r]) => match(r.Properties ?? {})).map(([id]) => id);
  expect(ids, type).toHaveLength(1);
  return ids[0]!;
};
const distributionDomain = (t: Template) => ({ 'Fn::GetAtt': [idOf(t, 'AWS::CloudFront::Distribution'), 'DomainName'] });
const siteBucketId = (t: Template) => idOf(t, 'AWS::S3::Bucket', (p) => JSON.stringify(p.BucketName ?? '').includes('-console-'));

describe.each(['dev', 'prod'] as const)('stage %s', (stage) => {
  const s = () => synthesized[stage]!;
  const consoleStack = () => Template.fromJSON(s().assembly.getStackArtifact(stackIds(stage).console).template as Record<string, unknown>);

  it('keeps the files in a private, encrypted, TLS-only bucket, retained in prod', () => {
    const id = siteBucketId(s().api);
    const bucket = resourcesOfType(s().api, 'AWS::S3::Bucket')[id]!;
    expect(bucket.Properties).toMatchObject({
      PublicAccessBlockConfiguration: { BlockPublicAcls: true, BlockPublicPolicy: true, IgnorePublicAcls: true, RestrictPublicBuckets: true },
      BucketEncryption: { ServerSideEncryptionConfiguration: [{ ServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' } }] },
      LoggingConfiguration: { LogFilePrefix: 's3/' },
    });
    expect(bucket.DeletionPolicy).toBe(stage === 'prod' ? 'Retain' : 'Delete');
    const policy = Object.values(resourcesOfType(s().api, 'AWS::S3::BucketPolicy')).find((p) => JSON.stringify(p.Properties!.Bucket).includes(id))!;
    const statements = (policy.Properties as any).PolicyDocument.Statement as any[];
    expect(statements).toContainEqual(expect.objectContaining({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }));
    // the only reader: CloudFront, for this distribution
    const allows = statements.filter((st) => st.Effect === 'Allow');
    expect(allows).toHaveLength(1);
    expect(allows[0]).toMatchObject({ Action: 's3:GetObject', Principal: { Service: 'cloudfront.amazonaws.com' } });
    expect(JSON.stringify(allows[0].Condition.StringEquals['AWS:SourceArn'])).toContain(idOf(s().api, 'AWS::CloudFront::Distribution'));
  });

  it('serves it through CloudFront with origin access control, HTTPS only, app routes to index.html', () => {
    s().api.hasResourceProperties('AWS::CloudFront::OriginAccessControl', {
      OriginAccessControlConfig: { OriginAccessControlOriginType: 's3', SigningBehavior: 'always', SigningProtocol: 'sigv4' },
    });
    s().api.hasResourceProperties('AWS::CloudFront::Distribution', {
      DistributionConfig: Match.objectLike({
        Origins: [Match.objectLike({ OriginAccessControlId: Match.anyValue(), S3OriginConfig: { OriginAccessIdentity: '' } })],
        DefaultCacheBehavior: Match.objectLike({
          ViewerProtocolPolicy: 'redirect-to-https',
          AllowedMethods: ['GET', 'HEAD'],
          FunctionAssociations: [Match.objectLike({ EventType: 'viewer-request' })],
          ResponseHeadersPolicyId: Match.anyValue(),
        }),
        Logging: Match.objectLike({ Prefix: 'cloudfront/' }),
      }),
    });
    s().api.hasResourceProperties('AWS::CloudFront::Function', { FunctionCode: SPA_ROUTING, FunctionConfig: Match.objectLike({ Runtime: 'cloudfront-js-2.0' }) });
  });

  it('sends HSTS, nosniff, no framing, a referrer policy and a CSP of self, the API and the hosted UI', () => {
    const policy = Object.values(resourcesOfType(s().api, 'AWS::CloudFront::ResponseHeadersPolicy'))[0]!;
    const headers = (policy.Properties as any).ResponseHeadersPolicyConfig.SecurityHeadersConfig;
    expect(headers).toMatchObject({
      StrictTransportSecurity: { AccessControlMaxAgeSec: 31536000, IncludeSubdomains: true, Override: true },
      ContentTypeOptions: { Override: true },
      FrameOptions: { FrameOption: 'DENY', Override: true },
      ReferrerPolicy: { ReferrerPolicy: 'strict-origin-when-cross-origin', Override: true },
    });
    const csp = JSON.stringify(s().api.toJSON().Resources ? headers.ContentSecurityPolicy.ContentSecurityPolicy : '');
    expect(csp).toContain("default-src 'self'; script-src 'self'");
    expect(csp).toContain("frame-ancestors 'none'");
    expect(csp).toMatch(/connect-src 'self' https:\/\/\*\.execute-api\.",\{"Ref":"AWS::Region"\},"\.amazonaws\.com https:\/\/",\{"Ref":"AuthUserPoolDomain[0-9A-F]+"\},"\.auth\./);
    expect(csp).not.toContain("'unsafe-eval'");
    expect(csp).not.toMatch(/script-src[^;]*unsafe-inline/);
  });

  it('signs staff in through the hosted UI: code grant, no secret, back to the console', () => {
    const consoleUrl = { 'Fn::Join': ['', ['https://', distributionDomain(s().api), '/console/']] };
    s().api.hasResourceProperties('AWS::Cognito::UserPoolClient', {
      ClientName: 'console',
      GenerateSecret: false,
      AllowedOAuthFlowsUserPoolClient: true,
      AllowedOAuthFlows: ['code'],
      AllowedOAuthScopes: ['openid', 'email', 'profile'],
      CallbackURLs: [consoleUrl],
      LogoutURLs: [consoleUrl],
      SupportedIdentityProviders: ['COGNITO'],
    });
    s().api.resourceCountIs('AWS::Cognito::UserPoolDomain', 1);
    const clientId = idOf(s().api, 'AWS::Cognito::UserPoolClient', (p) => p.ClientName === 'console');
    // its tokens pass the API's authorizer
    s().api.hasResourceProperties('AWS::ApiGatewayV2::Authorizer', {
      JwtConfiguration: Match.objectLike({ Audience: Match.arrayWith([{ Ref: clientId }]) }),
    });
  });

  it("lets the console's origin call the API with If-Match and read the ETag", () => {
    s().api.hasResourceProperties('AWS::ApiGatewayV2::Api', {
      CorsConfiguration: Match.objectLike({
        AllowOrigins: Match.arrayWith([{ 'Fn::Join': ['', ['https://', distributionDomain(s().api)]] }]),
        AllowHeaders: Match.arrayWith(['authorization', 'if-match']),
        ExposeHeaders: Match.arrayWith(['etag']),
      }),
    });
  });

  it('outputs the console URL', () => {
    const outputs = s().api.toJSON().Outputs as Record<string, { Value: unknown }>;
    expect(outputs.ConsoleUrl!.Value).toEqual({ 'Fn::Join': ['', ['https://', distributionDomain(s().api), '/console/']] });
  });

  it("copies the built site and a config.json of the stage's values into the bucket, then invalidates", () => {
    const deployments = Object.values(resourcesOfType(consoleStack(), 'Custom::CDKBucketDeployment'));
    expect(deployments).toHaveLength(1);
    const p = deployments[0]!.Properties as any;
    expect(p).toMatchObject({ Prune: true, RetainOnDelete: stage === 'prod', DistributionPaths: ['/*'] });
    expect(JSON.stringify(p.DestinationBucketName)).toContain(`oms-${stage}-console-`);
    expect(JSON.stringify(p.DistributionId)).toMatch(/Fn::ImportValue.*ConsoleDistribution/);
    expect(p.SourceObjectKeys).toHaveLength(2);
    // config.json's deploy-time values: the API endpoint, the hosted UI's domain, the console client, the console URL
    const markers = JSON.stringify(p.SourceMarkers);
    for (const value of ['HttpApi[0-9A-F]+ApiEndpoint', 'UserPoolDomain', 'ConsoleClient', 'ConsoleDistribution[0-9A-F]+DomainName']) {
      expect(markers).toMatch(new RegExp(`Fn::ImportValue[^}]*${value}`));
    }
  });
});

describe('the hosted app routing (CloudFront function)', () => {
  // cloudfront-js-2.0 is plain ECMAScript: evaluate it as CloudFront would.
  const handler = new Function(`${SPA_ROUTING}; return handler;`)() as (e: unknown) => any;
  const route = (uri: string) => handler({ request: { uri } });

  it('sends / and /console to /console/, /docs to /docs/', () => {
    expect(route('/')).toMatchObject({ statusCode: 302, headers: { location: { value: '/console/' } } });
    expect(route('/console')).toMatchObject({ statusCode: 302, headers: { location: { value: '/console/' } } });
    expect(route('/docs')).toMatchObject({ statusCode: 302, headers: { location: { value: '/docs/' } } });
  });

  it("serves the app's index.html for its routes, files as they are", () => {
    expect(route('/console/').uri).toBe('/console/index.html');
    expect(route('/console/orders/01J0ABC').uri).toBe('/console/index.html');
    expect(route('/console/app-3F2A.js').uri).toBe('/console/app-3F2A.js');
    expect(route('/console/config.json').uri).toBe('/console/config.json');
    expect(route('/docs/').uri).toBe('/docs/index.html');
    expect(route('/docs/swagger-ui.css').uri).toBe('/docs/swagger-ui.css');
  });
});
