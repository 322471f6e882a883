import { Template } from 'aws-cdk-lib/assertions';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stackIds } from '../../infra/build-app';
import { stageConfig } from '../../infra/config';
import { resourcesOfType, synthStage, type Synthesized } from './synth';

// The public edge in the prod assembly: AWS WAF cannot be associated with an HTTP API, so
// a CloudFront distribution in front of it carries a web ACL (in us-east-1, where CloudFront
// ACLs live) with a rate-based rule per kind of public route, at the stage config's limits.
// And unknown routes reach a function (the $default route), which answers a 404 problem.

let s: Synthesized;
let edge: Template;
beforeAll(() => {
  s = synthStage('prod');
  edge = Template.fromJSON(s.assembly.getStackArtifact(stackIds('prod').edge).template as Record<string, unknown>);
});
afterAll(() => s?.cleanup());

const config = stageConfig('prod');

interface Rule {
  Name: string;
  Statement: { RateBasedStatement: { Limit: number; AggregateKeyType: string; EvaluationWindowSec: number; ScopeDownStatement: unknown } };
  Action: { Block: { CustomResponse: { ResponseCode: number; CustomResponseBodyKey: string } } };
}

describe('public edge (WAF) in the prod template', () => {
  it('lives in us-east-1, takes the API host name as a parameter, and holds nothing until it is given', () => {
    expect(s.assembly.getStackArtifact(stackIds('prod').edge).environment.region).toBe('us-east-1');
    expect(edge.toJSON().Parameters.ApiDomain).toMatchObject({ Type: 'String', Default: '' });
    const conditioned = [...Object.values(resourcesOfType(edge, 'AWS::WAFv2::WebACL')), ...Object.values(resourcesOfType(edge, 'AWS::CloudFront::Distribution'))];
    expect(conditioned.map((r) => r.Condition)).toEqual(['HasApiDomain', 'HasApiDomain']);
  });

  it('limits each client IP on the public routes with the stage config limits, answering 429 with a problem document', () => {
    const acls = Object.values(resourcesOfType(edge, 'AWS::WAFv2::WebACL'));
    expect(acls).toHaveLength(1);
    const acl = acls[0]!.Properties!;
    expect(acl).toMatchObject({ Scope: 'CLOUDFRONT', DefaultAction: { Allow: {} } });
    const rules = acl.Rules as Rule[];
    const byName = Object.fromEntries(rules.map((r) => [r.Name, r]));
    expect(byName['public-reads-rate']!.Statement.RateBasedStatement).toMatchObject({ Limit: config.waf.publicReadsPer5Min, AggregateKeyType: 'IP', EvaluationWindowSec: 300 });
    expect(byName['webhooks-rate']!.Statement.RateBasedStatement).toMatchObject({ Limit: config.waf.webhooksPer5Min, AggregateKeyType: 'IP', EvaluationWindowSec: 300 });
    const scoped = JSON.stringify(rules.map((r) => r.Statement.RateBasedStatement.ScopeDownStatement));
    for (const prefix of ['/tracking/', '/receipts/', '/webhooks/']) expect(scoped).toContain(`"SearchString":"${prefix}"`);
    for (const rule of rules) expect(rule.Action.Block.CustomResponse.ResponseCode).toBe(429);
    const body = (acl.CustomResponseBodies as Record<string, { ContentType: string; Content: string }>)[rules[0]!.Action.Block.CustomResponse.CustomResponseBodyKey]!;
    expect(JSON.parse(body.Content)).toMatchObject({ status: 429, title: 'Too many requests' });
  });

  it('puts the web ACL on a distribution whose origin is the HTTP API, uncached', () => {
    const [aclId] = Object.keys(resourcesOfType(edge, 'AWS::WAFv2::WebACL'));
    const dist = Object.values(resourcesOfType(edge, 'AWS::CloudFront::Distribution'))[0]!.Properties!.DistributionConfig as Record<string, unknown>;
    expect(dist.WebACLId).toEqual({ 'Fn::GetAtt': [aclId, 'Arn'] });
    expect(JSON.stringify(dist.Origins)).toContain('"Ref":"ApiDomain"');
    expect(dist.DefaultCacheBehavior).toMatchObject({ ViewerProtocolPolicy: 'https-only', AllowedMethods: expect.arrayContaining(['POST']) });
  });

  it('sends unknown routes to the health function without an authorizer', () => {
    s.api.hasResourceProperties('AWS::ApiGatewayV2::Route', { RouteKey: '$default', AuthorizationType: 'NONE' });
  });
});
