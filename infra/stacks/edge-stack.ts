import { CfnCondition, CfnOutput, CfnParameter, Fn, Stack, type CfnResource, type StackProps } from 'aws-cdk-lib';
import type { Construct } from 'constructs';
import type { StageConfig } from '../config';
import { PublicEdge } from '../constructs/waf';

export interface EdgeStackProps extends StackProps {
  readonly config: StageConfig;
}

/**
 * The stage's public edge (CloudFront + WAF, infra/constructs/waf.ts) in us-east-1, where
 * CloudFront web ACLs must live. The HTTP API is in the stage's own region, and CloudFormation
 * cannot reference across regions, so its host name comes in as a parameter at deploy time:
 * `cdk deploy Oms-<stage>-Edge --parameters ApiDomain=<api-id>.execute-api.<region>.amazonaws.com`
 * (the `ApiUrl` output of the API stack without `https://`). Until it is given (a first
 * `npm run deploy`, which deploys every stack), the stack holds nothing; later deploys keep
 * the value given once.
 */
export class EdgeStack extends Stack {
  constructor(scope: Construct, id: string, props: EdgeStackProps) {
    super(scope, id, { ...props, env: { ...props.env, region: 'us-east-1' } });
    const apiDomain = new CfnParameter(this, 'ApiDomain', {
      type: 'String',
      description: "The HTTP API's host name: the API stack's ApiUrl without https://",
      allowedPattern: '^[a-z0-9.-]*$',
      default: '',
    });
    const hasApi = new CfnCondition(this, 'HasApiDomain', { expression: Fn.conditionNot(Fn.conditionEquals(apiDomain.valueAsString, '')) });
    const edge = new PublicEdge(this, 'PublicEdge', { config: props.config, apiDomain: apiDomain.valueAsString });
    for (const resource of [edge.webAcl, edge.distribution.node.defaultChild as CfnResource]) resource.cfnOptions.condition = hasApi;
    const output = new CfnOutput(this, 'PublicUrl', {
      value: `https://${edge.distribution.distributionDomainName}`,
      description: 'Give this URL for tracking, receipt checks and provider webhooks (publicApiUrl in the stage config)',
    });
    output.condition = hasApi;
  }
}
