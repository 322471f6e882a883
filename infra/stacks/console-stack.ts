import { Stack, Token, Validations, type StackProps } from 'aws-cdk-lib';
import type { ISource } from 'aws-cdk-lib/aws-s3-deployment';
import type { Construct } from 'constructs';
import type { StageConfig } from '../config';
import { ConsoleDeployment } from '../constructs/console-site';
import type { ApiStack } from './api-stack';

/** The CDK assets bucket's account-region as the policy names it: concrete for a pinned stage. */
const assetsBucketSuffix = (stack: Stack) =>
  Token.isUnresolved(stack.account) || Token.isUnresolved(stack.region) ? '<AWS::AccountId>-<AWS::Region>' : `${stack.account}-${stack.region}`;

export interface ConsoleStackProps extends StackProps {
  readonly config: StageConfig;
  readonly api: ApiStack;
  /** The built site (consoleBuild). */
  readonly build: ISource;
}

/**
 * The staff console's files and their `config.json` (the API URL, the hosted UI and the
 * console's client, from the API stack), copied into the API stack's console bucket. A
 * stack of its own because the copy runs as CDK's deployment function, which is not one of
 * ours (functions/) and which the local cloud does not run.
 */
export class ConsoleStack extends Stack {
  constructor(scope: Construct, id: string, props: ConsoleStackProps) {
    super(scope, id, props);
    const { config, api } = props;
    const { auth, consoleSite } = api;
    if (!auth.consoleClient) throw new Error('The API stack has no console client');

    new ConsoleDeployment(this, 'Console', {
      config,
      site: consoleSite,
      build: props.build,
      runtimeConfig: {
        stage: config.stage,
        region: api.region,
        apiUrl: api.httpApi.api.apiEndpoint,
        signIn: 'cognito',
        cognito: { domain: auth.domain.baseUrl(), clientId: auth.consoleClient.userPoolClientId, redirectUri: consoleSite.url },
      },
    });

    // CDK's own deployment function (a Python handler with the AWS CLI layer), run during deploys only.
    const why = {
      logs: "CDK's bucket-deployment function logs through the AWSLambdaBasicExecutionRole managed policy.",
      copy: "CDK's bucket-deployment function copies the staged site from the CDK assets bucket into the console bucket and prunes old files there.",
      invalidate: "CDK's bucket-deployment function invalidates the console distribution; CloudFront invalidations take no resource-level permission.",
    };
    Validations.of(this).acknowledge(
      { id: 'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole]', reason: why.logs },
      { id: 'AwsSolutions-IAM5[Resource::*]', reason: why.invalidate },
      { id: 'AwsSolutions-L1', reason: "The runtime of CDK's bucket-deployment function is chosen by the CDK version, not by this project." },
      ...['GetObject*', 'GetBucket*', 'List*', 'DeleteObject*', 'Abort*'].map((action) => ({ id: `AwsSolutions-IAM5[Action::s3:${action}]`, reason: why.copy })),
      { id: `AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:s3:::cdk-hnb659fds-assets-${assetsBucketSuffix(this)}/*]`, reason: why.copy },
      { id: `AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:s3:::oms-${config.stage}-console-<AWS::AccountId>-<AWS::Region>/*]`, reason: why.copy },
    );
  }
}
