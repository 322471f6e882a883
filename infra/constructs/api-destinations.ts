import { Duration, Validations } from 'aws-cdk-lib';
import type { Alarm } from 'aws-cdk-lib/aws-cloudwatch';
import {
  ApiDestination,
  Authorization,
  Connection,
  HttpMethod,
  HttpParameter,
  Match,
  Rule,
  RuleTargetInput,
  type CfnApiDestination,
  type IEventBus,
  type RuleTargetInputProperties,
} from 'aws-cdk-lib/aws-events';
import { ApiDestination as ApiDestinationTarget } from 'aws-cdk-lib/aws-events-targets';
import { Secret } from 'aws-cdk-lib/aws-secretsmanager';
import type { ITopic } from 'aws-cdk-lib/aws-sns';
import { Queue, QueueEncryption } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import type { ApiDestinationConfig, StageConfig } from '../config';
import { queueDepthAlarm } from './depth-alarm';

/** The template metadata key that carries a destination's local endpoint (the local cloud reads it; CloudFormation ignores it). */
export const LOCAL_ENDPOINT_METADATA = 'oms:localEndpoint';

/** The Secrets Manager name of a destination's API key or OAuth client secret. */
export const apiDestinationSecretName = (stage: string, name: string) => `oms/${stage}/api-destinations/${name}`;

export interface ApiDestinationsProps {
  readonly config: StageConfig;
  readonly bus: IEventBus;
  readonly alarmTopic: ITopic;
}

/** Refuses at synthesis what EventBridge would refuse at deploy time, with the entry's name. */
function checkDestination(d: ApiDestinationConfig): void {
  const where = `apiDestinations "${d.name}"`;
  if (!/^[a-z][a-z0-9-]{0,30}$/.test(d.name)) throw new Error(`${where}: the name must be lower-case letters, digits and dashes`);
  if (!d.endpoint.startsWith('https://')) throw new Error(`${where}: EventBridge calls https endpoints only (got ${d.endpoint}); put a local URL in localEndpoint`);
  if (d.detailTypes.length === 0) throw new Error(`${where}: no detail types`);
  if (d.ratePerSecond < 1 || d.ratePerSecond > 300) throw new Error(`${where}: ratePerSecond must be 1 to 300`);
  if (d.retry.maxAttempts < 0 || d.retry.maxAttempts > 185) throw new Error(`${where}: retry.maxAttempts must be 0 to 185`);
  const age = d.retry.maxEventAge.toSeconds();
  if (age < 60 || age > 86_400) throw new Error(`${where}: retry.maxEventAge must be 1 minute to 24 hours`);
  for (const placeholder of d.transform.template.matchAll(/<([A-Za-z0-9_.-]+)>/g)) {
    const name = placeholder[1]!;
    if (!(name in d.transform.inputPaths) && !name.startsWith('aws.events.')) throw new Error(`${where}: the template's <${name}> has no input path`);
  }
}

/**
 * The stage's static integrations: per partner a Connection (its API key or OAuth client
 * secret in a Secrets Manager secret this construct creates with a random value: put the
 * partner's in it, then deploy again, as the connection copies it at deploy time), an API
 * destination with the partner's rate limit, and a rule on the stage's bus for the partner's
 * detail types whose target shapes each event with an input transformer, retries per the
 * partner's policy and parks what it gave up on in a dead-letter queue with a depth alarm.
 */
export class ApiDestinations extends Construct {
  readonly dlqAlarms: Alarm[] = [];

  constructor(scope: Construct, id: string, props: ApiDestinationsProps) {
    super(scope, id);
    const { config } = props;
    for (const d of config.apiDestinations ?? []) {
      checkDestination(d);
      const name = `oms-${config.stage}-${d.name}`;
      const part = new Construct(this, d.name);

      const secret = new Secret(part, 'Secret', {
        secretName: apiDestinationSecretName(config.stage, d.name),
        description: `OMS (${config.stage}): ${d.auth.kind === 'apiKey' ? 'API key' : 'OAuth client secret'} of ${d.description}`,
        generateSecretString: { passwordLength: 40, excludePunctuation: true },
        removalPolicy: config.removalPolicy,
      });
      Validations.of(secret).acknowledge({
        id: 'AwsSolutions-SMG4',
        reason: `The partner issues this credential; it changes when the partner rotates it (put the new value, then deploy: the connection copies it).`,
      });
      const authorization =
        d.auth.kind === 'apiKey'
          ? Authorization.apiKey(d.auth.header, secret.secretValue)
          : Authorization.oauth({
              authorizationEndpoint: d.auth.tokenUrl,
              httpMethod: HttpMethod.POST,
              clientId: d.auth.clientId,
              clientSecret: secret.secretValue,
              bodyParameters: {
                grant_type: HttpParameter.fromString('client_credentials'),
                ...(d.auth.scope ? { scope: HttpParameter.fromString(d.auth.scope) } : {}),
              },
            });
      const connection = new Connection(part, 'Connection', { connectionName: name, description: `${d.description} (OMS ${config.stage})`, authorization });

      const destination = new ApiDestination(part, 'Destination', {
        apiDestinationName: name,
        description: d.description,
        connection,
        endpoint: d.endpoint,
        httpMethod: HttpMethod[d.method],
        rateLimitPerSecond: d.ratePerSecond,
      });
      if (d.localEndpoint) (destination.node.findChild('ApiDestination') as CfnApiDestination).addMetadata(LOCAL_ENDPOINT_METADATA, d.localEndpoint);

      const deadLetterQueue = new Queue(part, 'DeadLetterQueue', {
        queueName: `${name}-dlq`,
        encryption: QueueEncryption.SQS_MANAGED,
        enforceSSL: true,
        retentionPeriod: Duration.days(14),
      });
      Validations.of(deadLetterQueue).acknowledge({ id: 'AwsSolutions-SQS3', reason: "It is the rule target's dead-letter queue (DeadLetterConfig), which nag does not see as one." });
      new Rule(part, 'Rule', {
        ruleName: name,
        description: `${d.detailTypes.join(', ')} to ${d.description}`,
        eventBus: props.bus,
        eventPattern: { source: Match.prefix('oms.'), detailType: [...d.detailTypes] },
        targets: [
          new ApiDestinationTarget(destination, {
            event: new InputTransformer(d.transform),
            deadLetterQueue,
            retryAttempts: d.retry.maxAttempts,
            maxEventAge: d.retry.maxEventAge,
          }),
        ],
      });
      this.dlqAlarms.push(
        queueDepthAlarm(part, 'DeadLetterAlarm', {
          queue: deadLetterQueue,
          name: `${name}-dlq`,
          description: `Events EventBridge gave up delivering to ${d.description} (${d.endpoint}) after its retry policy: their ERROR_CODE / ERROR_MESSAGE attributes say why; fix the partner or the credential, then send them again.`,
          config,
          topic: props.alarmTopic,
        }),
      );
    }
  }
}

/**
 * The config's input transformer as EventBridge takes it: its own paths and template, as
 * written (RuleTargetInput.fromObject would build one from CDK's EventField tokens instead).
 */
class InputTransformer extends RuleTargetInput {
  constructor(private readonly transform: ApiDestinationConfig['transform']) {
    super();
  }

  bind(): RuleTargetInputProperties {
    return { inputPathsMap: { ...this.transform.inputPaths }, inputTemplate: this.transform.template };
  }
}
