import { Match } from 'aws-cdk-lib/assertions';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp, stackIds } from '../../infra/build-app';
import { STAGES, stageConfig, type StageName } from '../../infra/config';
import { HTTP_FUNCTIONS } from '../../infra/routes';
import { SCHEDULED_STEPS } from '../../infra/scheduled-steps';
import { deliveryClaimMs } from '../../shared/app/webhook-service';
import {
  actionsOf,
  functionIdOf,
  resourcesOfType,
  statementsOfRole,
  stepOf,
  synthStage,
  type CfnResource,
  type Synthesized,
} from './synth';

const synthesized = {} as Record<StageName, Synthesized>;

beforeAll(() => {
  for (const stage of STAGES) synthesized[stage] = synthStage(stage);
});
afterAll(() => {
  for (const s of Object.values(synthesized)) s.cleanup();
});

const roleIdOf = (fn: CfnResource) => (fn.Properties?.Role as { 'Fn::GetAtt': [string, string] })['Fn::GetAtt'][0];

describe.each(STAGES)('stage %s', (stage) => {
  const config = stageConfig(stage);
  const s = () => synthesized[stage];

  describe('stateful stack', () => {
    it('has the single table with the agreed keys, indexes, TTL and stream', () => {
      s().stateful.resourceCountIs('AWS::DynamoDB::Table', 1);
      s().stateful.hasResourceProperties('AWS::DynamoDB::Table', {
        TableName: `oms-${stage}`,
        KeySchema: [
          { AttributeName: 'pk', KeyType: 'HASH' },
          { AttributeName: 'sk', KeyType: 'RANGE' },
        ],
        AttributeDefinitions: Match.arrayWith(
          ['pk', 'sk', 'gsi1pk', 'gsi1sk', 'gsi2pk', 'gsi2sk'].map((name) => ({ AttributeName: name, AttributeType: 'S' })),
        ),
        GlobalSecondaryIndexes: ['gsi1', 'gsi2'].map((index) => ({
          IndexName: index,
          KeySchema: [
            { AttributeName: `${index}pk`, KeyType: 'HASH' },
            { AttributeName: `${index}sk`, KeyType: 'RANGE' },
          ],
          Projection: { ProjectionType: 'ALL' },
        })),
        BillingMode: 'PAY_PER_REQUEST',
        TimeToLiveSpecification: { AttributeName: 'expiresAt', Enabled: true },
        StreamSpecification: { StreamViewType: 'NEW_AND_OLD_IMAGES' },
      });
    });

    it('protects the table as the stage requires', () => {
      const [table] = Object.values(resourcesOfType(s().stateful, 'AWS::DynamoDB::Table'));
      const props = table!.Properties!;
      if (stage === 'prod') {
        expect(table!.DeletionPolicy).toBe('Retain');
        expect(table!.UpdateReplacePolicy).toBe('Retain');
        expect(props.PointInTimeRecoverySpecification).toEqual({ PointInTimeRecoveryEnabled: true });
        expect(props.DeletionProtectionEnabled).toBe(true);
      }
      if (stage === 'dev') {
        expect(table!.DeletionPolicy).toBe('Delete');
        expect(props.DeletionProtectionEnabled).not.toBe(true);
        expect(props.PointInTimeRecoverySpecification).not.toEqual({ PointInTimeRecoveryEnabled: true });
      }
      expect(props.PointInTimeRecoverySpecification ?? {}).toMatchObject(
        config.table.pointInTimeRecovery ? { PointInTimeRecoveryEnabled: true } : {},
      );
    });

    it('cannot be deleted by accident in prod', () => {
      const artifact = s().assembly.getStackArtifact(`Oms-${stage}-Stateful`);
      expect(artifact.terminationProtection ?? false).toBe(stage === 'prod');
    });

    it('has the stage event bus', () => {
      s().stateful.hasResourceProperties('AWS::Events::EventBus', { Name: `oms-${stage}` });
    });
  });

  describe('functions', () => {
    const functions = () => Object.values(resourcesOfType(s().api, 'AWS::Lambda::Function'));
    const logGroups = () => resourcesOfType(s().api, 'AWS::Logs::LogGroup');

    it('all follow the house defaults', () => {
      expect(functions().length).toBeGreaterThan(0);
      for (const fn of functions()) {
        const props = fn.Properties!;
        expect(props, stepOf(fn)).toMatchObject({
          Runtime: 'nodejs22.x',
          Architectures: ['arm64'],
          Handler: 'index.handler',
          Environment: {
            Variables: {
              TABLE_NAME: expect.anything(),
              EVENT_BUS_NAME: expect.anything(),
              POWERTOOLS_SERVICE_NAME: 'oms',
              POWERTOOLS_LOG_LEVEL: config.logLevel,
              STAGE: stage,
              NODE_OPTIONS: '--enable-source-maps',
            },
          },
        });
        const env = (props.Environment as { Variables: Record<string, unknown> }).Variables;
        expect(JSON.stringify(env.TABLE_NAME)).toContain('Table');
        expect(JSON.stringify(env.EVENT_BUS_NAME)).toContain('Bus');
        // Its own log group, kept as long as the stage says.
        const logGroupId = (props.LoggingConfig as { LogGroup: { Ref: string } }).LogGroup.Ref;
        expect(logGroups()[logGroupId]?.Properties?.RetentionInDays).toBe(config.logRetention);
      }
    });

    it('use no wildcard actions, and a wildcard resource only where AWS offers nothing narrower', () => {
      for (const fn of functions()) {
        for (const statement of statementsOfRole(s().api, roleIdOf(fn))) {
          for (const action of actionsOf(statement)) expect(action, stepOf(fn)).not.toMatch(/\*/);
          if (statement.Resource === '*') expect([['dynamodb:ListStreams'], ['xray:PutTelemetryRecords', 'xray:PutTraceSegments']]).toContainEqual([...actionsOf(statement)].sort());
          expect(JSON.stringify(statement.Resource)).not.toContain('/index/*');
        }
      }
    });

    const actionsOfStep = (step: string) => {
      const fn = resourcesOfType(s().api, 'AWS::Lambda::Function')[functionIdOf(s().api, step)]!;
      return statementsOfRole(s().api, roleIdOf(fn));
    };

    it('every reader of the table gets the cursor key as a reference to the stage secret, never as a value', () => {
      const [secretId, secret] = Object.entries(resourcesOfType(s().stateful, 'AWS::SecretsManager::Secret'))[0]!;
      expect(secret.Properties).toMatchObject({ GenerateSecretString: { PasswordLength: 64 } });
      const readers = functions().filter((fn) => statementsOfRole(s().api, roleIdOf(fn)).flatMap(actionsOf).includes('dynamodb:Query'));
      expect(readers.map(stepOf)).toEqual(expect.arrayContaining(['order-lookup', 'catalog', 'inventory', 'notifications', 'settings', 'reconcile-stock']));
      for (const fn of functions()) {
        const value = (fn.Properties!.Environment as { Variables: Record<string, unknown> }).Variables.CURSOR_SECRET;
        if (!readers.includes(fn)) {
          expect(value, stepOf(fn)).toBeUndefined();
          continue;
        }
        expect(value, stepOf(fn)).toEqual({
          'Fn::Join': ['', ['{{resolve:secretsmanager:', { 'Fn::ImportValue': expect.stringContaining(secretId) }, ':SecretString:::}}']],
        });
      }
    });

    it('health may only write its own logs and traces', () => {
      const actions = actionsOfStep('health').flatMap(actionsOf);
      expect(actions.sort()).toEqual(['logs:CreateLogStream', 'logs:PutLogEvents', 'xray:PutTelemetryRecords', 'xray:PutTraceSegments']);
    });

    it('get-order reads the table and cannot write it', () => {
      const actions = actionsOfStep('get-order').flatMap(actionsOf);
      expect(actions).toContain('dynamodb:GetItem');
      expect(actions).not.toContain('dynamodb:PutItem');
      expect(actions).not.toContain('dynamodb:UpdateItem');
      expect(actions.some((a) => a.startsWith('events:'))).toBe(false);
    });

    it('reserve-stock reads and writes the table but publishes nothing itself', () => {
      const actions = actionsOfStep('reserve-stock').flatMap(actionsOf);
      expect(actions).toEqual(expect.arrayContaining(['dynamodb:GetItem', 'dynamodb:UpdateItem', 'dynamodb:PutItem']));
      expect(actions.some((a) => a.startsWith('events:'))).toBe(false);
    });

    it('place-order writes through the outbox, not to the bus', () => {
      const actions = actionsOfStep('place-order').flatMap(actionsOf);
      expect(actions).toContain('dynamodb:PutItem');
      expect(actions.some((a) => a.startsWith('events:'))).toBe(false);
    });

    it('outbox-relay reads the stream and may PutEvents on the stage bus only', () => {
      const statements = actionsOfStep('outbox-relay');
      const put = statements.filter((st) => actionsOf(st).includes('events:PutEvents'));
      expect(put).toHaveLength(1);
      expect(actionsOf(put[0]!)).toEqual(['events:PutEvents']);
      expect(JSON.stringify(put[0]!.Resource)).toMatch(new RegExp(`Oms-${stage}-Stateful:.*Bus.*Arn`));
      const actions = statements.flatMap(actionsOf);
      expect(actions).toEqual(expect.arrayContaining(['dynamodb:GetRecords', 'dynamodb:GetShardIterator']));
      // its one write: clearing the "unpublished" mark of what it published (the sweeper re-drives the rest)
      expect(actions.filter((a) => /dynamodb:(Put|Update|Delete|BatchWrite)/.test(a))).toEqual(['dynamodb:BatchWriteItem']);
    });
  });

  describe('event-driven steps', () => {
    it('outbox-relay consumes OUTBOX inserts from the table stream', () => {
      s().api.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
        FunctionName: { Ref: functionIdOf(s().api, 'outbox-relay') },
        EventSourceArn: { 'Fn::ImportValue': Match.stringLikeRegexp('StreamArn') },
        StartingPosition: 'TRIM_HORIZON',
        BatchSize: 100,
        BisectBatchOnFunctionError: true,
        MaximumRetryAttempts: 10,
        FunctionResponseTypes: ['ReportBatchItemFailures'],
        FilterCriteria: {
          Filters: [{ Pattern: '{"eventName":["INSERT"],"dynamodb":{"NewImage":{"type":{"S":["OUTBOX"]}}}}' }],
        },
        DestinationConfig: { OnFailure: { Destination: { 'Fn::GetAtt': [Match.anyValue(), 'Arn'] } } },
      });
    });

    it('reserve-stock drains the reservations queue fed by OrderPlaced and the events that end holds', () => {
      const queues = resourcesOfType(s().api, 'AWS::SQS::Queue');
      const [queueId] = Object.entries(queues).find(([, q]) => q.Properties?.QueueName === `oms-${stage}-reservations`)!;
      s().api.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
        FunctionName: { Ref: functionIdOf(s().api, 'reserve-stock') },
        EventSourceArn: { 'Fn::GetAtt': [queueId, 'Arn'] },
        BatchSize: 10,
        FunctionResponseTypes: ['ReportBatchItemFailures'],
      });
      s().api.hasResourceProperties('AWS::Events::Rule', {
        EventBusName: { 'Fn::ImportValue': Match.stringLikeRegexp(`Oms-${stage}-Stateful:.*Bus`) },
        EventPattern: { source: ['oms.orders'], 'detail-type': ['OrderPlaced', 'OrderRejected', 'OrderCancelled', 'OrderExpired', 'OrderShipped'] },
        Targets: [Match.objectLike({ Arn: { 'Fn::GetAtt': [queueId, 'Arn'] } })],
      });
      // Six times the consumer's timeout, so a retried batch is not delivered twice at once.
      const fn = resourcesOfType(s().api, 'AWS::Lambda::Function')[functionIdOf(s().api, 'reserve-stock')]!;
      expect(queues[queueId]!.Properties!.VisibilityTimeout).toBe(6 * (fn.Properties!.Timeout as number));
    });

    it('replacements drain a queue fed by settled returns, stock arriving and rejected orders (a refused replacement waits again)', () => {
      const queues = resourcesOfType(s().api, 'AWS::SQS::Queue');
      const [queueId] = Object.entries(queues).find(([, q]) => q.Properties?.QueueName === `oms-${stage}-replacements`)!;
      s().api.hasResourceProperties('AWS::Events::Rule', {
        EventPattern: { source: ['oms.orders', 'oms.inventory'], 'detail-type': ['ReturnReceived', 'ReturnApproved', 'StockAdjusted', 'OrderRejected'] },
        Targets: [Match.objectLike({ Arn: { 'Fn::GetAtt': [queueId, 'Arn'] } })],
      });
    });

    it("batches the queues of the steps off the order's path and hands the others each message at once", () => {
      const functions = resourcesOfType(s().api, 'AWS::Lambda::Function');
      const queues = resourcesOfType(s().api, 'AWS::SQS::Queue');
      const { windowSeconds, batchSize } = config.offPathBatching;
      const offPath = ['aggregate-reports', 'customer-messages', 'customer-stats', 'notify', 'webhook-deliveries'];
      const seen: Record<string, { window: unknown; batchSize: unknown }> = {};
      for (const m of Object.values(resourcesOfType(s().api, 'AWS::Lambda::EventSourceMapping'))) {
        const queueArn = m.Properties!.EventSourceArn as { 'Fn::GetAtt'?: [string, string] };
        const queueId = queueArn['Fn::GetAtt']?.[0];
        if (!queueId || !queues[queueId]) continue;
        const fnId = (m.Properties!.FunctionName as { Ref: string }).Ref;
        const step = stepOf(functions[fnId]!)!;
        seen[step] = { window: m.Properties!.MaximumBatchingWindowInSeconds, batchSize: m.Properties!.BatchSize };
        const timeout = functions[fnId]!.Properties!.Timeout as number;
        // six times the timeout (and the window): a batch still running is not delivered again
        expect(queues[queueId]!.Properties!.VisibilityTimeout, step).toBe(6 * timeout + (offPath.includes(step) ? windowSeconds : 0));
      }
      expect(Object.keys(seen).sort()).toEqual(expect.arrayContaining([...offPath, 'reserve-stock', 'review-order', 'payment-callbacks', 'carrier-callbacks']));
      for (const [step, got] of Object.entries(seen)) {
        expect(got, step).toEqual(offPath.includes(step) ? { window: windowSeconds, batchSize } : { window: undefined, batchSize: 10 });
      }
      expect(windowSeconds).toBeGreaterThan(0);
      expect(batchSize).toBeGreaterThan(10);
    });

    it("gives the webhook retry job more time than a delivery's claim, and less than its one-minute rate", () => {
      const functions = Object.values(resourcesOfType(s().api, 'AWS::Lambda::Function'));
      const retries = functions.find((fn) => stepOf(fn) === 'webhook-retries')!;
      const timeoutMs = (retries.Properties!.Timeout as number) * 1000;
      expect(timeoutMs).toBeGreaterThan(deliveryClaimMs(5000) + 5000);
      expect(timeoutMs).toBeLessThan(60_000);
    });

    it.each(Object.entries(SCHEDULED_STEPS))('scheduled step %s is invoked by its schedule rule', (step, spec) => {
      s().api.hasResourceProperties('AWS::Events::Rule', {
        ScheduleExpression: spec.schedule,
        State: 'ENABLED',
        Targets: [Match.objectLike({ Arn: { 'Fn::GetAtt': [functionIdOf(s().api, step), 'Arn'] } })],
      });
      s().api.hasResourceProperties('AWS::Lambda::Permission', {
        FunctionName: { 'Fn::GetAtt': [functionIdOf(s().api, step), 'Arn'] },
        Principal: 'events.amazonaws.com',
      });
    });

    it('every queue is encrypted, refuses plain HTTP, and ends in an alarmed dead-letter queue', () => {
      const queues = resourcesOfType(s().api, 'AWS::SQS::Queue');
      const redriveTargets = new Set<string>();
      for (const q of Object.values(queues)) {
        expect(q.Properties!.SqsManagedSseEnabled ?? q.Properties!.KmsMasterKeyId).toBeTruthy();
        const redrive = q.Properties!.RedrivePolicy as { deadLetterTargetArn: { 'Fn::GetAtt': [string] }; maxReceiveCount: number } | undefined;
        if (redrive) {
          expect(redrive.maxReceiveCount).toBe(5);
          redriveTargets.add(redrive.deadLetterTargetArn['Fn::GetAtt'][0]);
        }
      }
      const streamFailureQueues = Object.values(resourcesOfType(s().api, 'AWS::Lambda::EventSourceMapping')).flatMap((m) => {
        const dest = (m.Properties!.DestinationConfig as { OnFailure: { Destination: { 'Fn::GetAtt': [string] } } } | undefined);
        return dest ? [dest.OnFailure.Destination['Fn::GetAtt'][0]] : [];
      });
      // schedule targets' dead-letter queues (which also take their functions' failed runs)
      const scheduleDeadLetters = Object.values(resourcesOfType(s().api, 'AWS::Events::Rule'))
        .filter((r) => r.Properties!.ScheduleExpression)
        .map((r) => {
          const [target] = r.Properties!.Targets as { DeadLetterConfig?: { Arn: { 'Fn::GetAtt': [string] } } }[];
          expect(target!.DeadLetterConfig, `${String(r.Properties!.Description)} has no DLQ`).toBeDefined();
          return target!.DeadLetterConfig!.Arn['Fn::GetAtt'][0];
        });
      expect(scheduleDeadLetters.length).toBeGreaterThan(0);
      const alarmed = Object.values(resourcesOfType(s().api, 'AWS::CloudWatch::Alarm'))
        .filter((a) => a.Properties!.MetricName === 'ApproximateNumberOfMessagesVisible')
        .map((a) => {
          expect(a.Properties).toMatchObject({
            ComparisonOperator: 'GreaterThanOrEqualToThreshold',
            Threshold: config.alarms.dlqDepthThreshold,
            AlarmActions: [expect.anything()],
          });
          const dims = a.Properties!.Dimensions as { Name: string; Value: { 'Fn::GetAtt': [string, string] } }[];
          return dims.find((d) => d.Name === 'QueueName')!.Value['Fn::GetAtt'][0];
        });

      // API destinations' rule targets park what they gave up on in a dead-letter queue of their own
      const apiDestinations = resourcesOfType(s().api, 'AWS::Events::ApiDestination');
      const apiDestinationDeadLetters = Object.values(resourcesOfType(s().api, 'AWS::Events::Rule'))
        .flatMap((r) => (r.Properties!.Targets ?? []) as { Arn: { 'Fn::GetAtt'?: [string] }; DeadLetterConfig?: { Arn: { 'Fn::GetAtt': [string] } } }[])
        .filter((t) => t.Arn['Fn::GetAtt'] && t.Arn['Fn::GetAtt'][0] in apiDestinations)
        .map((t) => {
          expect(t.DeadLetterConfig, 'an API destination target without a DLQ').toBeDefined();
          return t.DeadLetterConfig!.Arn['Fn::GetAtt'][0];
        });
      for (const [id, q] of Object.entries(queues)) {
        const isDeadLetter = redriveTargets.has(id) || streamFailureQueues.includes(id) || scheduleDeadLetters.includes(id) || apiDestinationDeadLetters.includes(id);
        expect(isDeadLetter || q.Properties!.RedrivePolicy !== undefined, `${id} has no DLQ`).toBe(true);
        if (isDeadLetter) expect(alarmed, `${id} has no alarm`).toContain(id);
      }
      expect(redriveTargets.size).toBeGreaterThan(0);

      const policies = Object.values(resourcesOfType(s().api, 'AWS::SQS::QueuePolicy'));
      for (const id of Object.keys(queues)) {
        const policy = policies.find((p) => JSON.stringify(p.Properties!.Queues).includes(`"${id}"`));
        expect(JSON.stringify(policy?.Properties?.PolicyDocument), `${id} allows plain HTTP`).toContain('"aws:SecureTransport":"false"');
      }
    });
  });

  it('alarms on outbox relay lag and API server errors', () => {
    s().api.hasResourceProperties('AWS::CloudWatch::Alarm', {
      MetricName: 'IteratorAge',
      Dimensions: [{ Name: 'FunctionName', Value: { Ref: functionIdOf(s().api, 'outbox-relay') } }],
      Threshold: config.alarms.outboxLagSeconds * 1000,
      AlarmActions: [Match.anyValue()],
    });
    s().api.hasResourceProperties('AWS::CloudWatch::Alarm', {
      MetricName: '5xx',
      Namespace: 'AWS/ApiGateway',
      Threshold: config.alarms.api5xxPerPeriod,
      AlarmActions: [Match.anyValue()],
    });
  });

  describe('HTTP API', () => {
    const authorizerId = () => Object.keys(resourcesOfType(s().api, 'AWS::ApiGatewayV2::Authorizer'))[0]!;

    it('serves exactly the routes of the routes table, public ones without an authorizer (and $default, the fallback of unknown routes)', () => {
      const all = Object.values(resourcesOfType(s().api, 'AWS::ApiGatewayV2::Route'));
      const fallback = all.filter((r) => r.Properties!.RouteKey === '$default');
      expect(fallback.map((r) => r.Properties!.AuthorizationType)).toEqual(['NONE']);
      const routes = all.filter((r) => r.Properties!.RouteKey !== '$default');
      const integrations = resourcesOfType(s().api, 'AWS::ApiGatewayV2::Integration');
      const expected = Object.entries(HTTP_FUNCTIONS).flatMap(([step, spec]) =>
        spec.routes.map((r) => ({ step, key: `${r.method} ${r.path}`, isPublic: r.access === 'public' })),
      );
      expect(routes.map((r) => r.Properties!.RouteKey).sort()).toEqual(expected.map((e) => e.key).sort());

      for (const { step, key, isPublic } of expected) {
        const route = routes.find((r) => r.Properties!.RouteKey === key)!;
        if (isPublic) {
          expect(route.Properties!.AuthorizationType, key).toBe('NONE');
          expect(route.Properties!.AuthorizerId, key).toBeUndefined();
        } else {
          expect(route.Properties, key).toMatchObject({ AuthorizationType: 'JWT', AuthorizerId: { Ref: authorizerId() } });
        }
        const integrationId = ((route.Properties!.Target as { 'Fn::Join': [string, [string, { Ref: string }]] })['Fn::Join'][1][1]).Ref;
        expect(integrations[integrationId]!.Properties, key).toMatchObject({
          IntegrationType: 'AWS_PROXY',
          PayloadFormatVersion: '2.0',
          IntegrationUri: { 'Fn::GetAtt': [functionIdOf(s().api, step), 'Arn'] },
        });
      }
    });

    it('validates Cognito JWTs issued to the storefront and staff clients', () => {
      s().api.hasResourceProperties('AWS::ApiGatewayV2::Authorizer', {
        AuthorizerType: 'JWT',
        IdentitySource: ['$request.header.Authorization'],
        JwtConfiguration: {
          // The issuer must equal the tokens' `iss`, scheme included.
          Issuer: {
            'Fn::Join': ['', ['https://cognito-idp.', { Ref: 'AWS::Region' }, '.amazonaws.com/', { Ref: Match.stringLikeRegexp('UserPool') }]],
          },
          Audience: Match.arrayWith([{ Ref: Match.stringLikeRegexp('StorefrontClient') }]),
        },
      });
    });

    it('has one group and one scope per role, and a client-credentials storefront client', () => {
      const groups = Object.values(resourcesOfType(s().api, 'AWS::Cognito::UserPoolGroup')).map((g) => g.Properties!.GroupName);
      expect(groups.sort()).toEqual(['admin', 'cs', 'finance', 'ops', 'storefront']);
      s().api.hasResourceProperties('AWS::Cognito::UserPoolResourceServer', {
        Identifier: 'oms',
        Scopes: ['storefront', 'ops', 'cs', 'finance', 'admin'].map((r) => Match.objectLike({ ScopeName: r })),
      });
      s().api.hasResourceProperties('AWS::Cognito::UserPoolClient', {
        GenerateSecret: true,
        AllowedOAuthFlows: ['client_credentials'],
        AllowedOAuthFlowsUserPoolClient: true,
        AllowedOAuthScopes: [{ 'Fn::Join': ['', [{ Ref: Match.anyValue() }, '/storefront']] }],
      });
      s().api.resourceCountIs('AWS::Cognito::UserPoolDomain', 1);
    });

    it('throttles and logs the default stage as configured', () => {
      s().api.hasResourceProperties('AWS::ApiGatewayV2::Stage', {
        StageName: '$default',
        AutoDeploy: true,
        DefaultRouteSettings: {
          ThrottlingRateLimit: config.apiThrottle.rateLimit,
          ThrottlingBurstLimit: config.apiThrottle.burstLimit,
        },
        AccessLogSettings: {
          DestinationArn: { 'Fn::GetAtt': [Match.anyValue(), 'Arn'] },
          Format: Match.stringLikeRegexp('\\$context.requestId'),
        },
      });
      s().api.hasResourceProperties('AWS::ApiGatewayV2::Api', {
        ProtocolType: 'HTTP',
        // the stage's origins, then the console's (its CloudFront origin, test/infra/console-site.test.ts)
        CorsConfiguration: Match.objectLike({ AllowOrigins: [...config.corsAllowOrigins, Match.objectLike({ 'Fn::Join': Match.anyValue() })] }),
      });
    });
  });
});

describe('stage settings', () => {
  it('reject an unknown stage with a message naming the valid ones', () => {
    expect(() => stageConfig('qa')).toThrow(/Unknown stage "qa": expected one of dev, staging, prod/);
    expect(() => synthStage('production')).toThrow(/Unknown stage "production"/);
  });

  it('come from the `stage` context when no stage is passed (cdk synth -c stage=prod)', () => {
    const app = buildApp({ context: { stage: 'prod' }, bundle: false, nag: false });
    expect(app.node.children.map((c) => c.node.id).sort()).toEqual(Object.values(stackIds('prod')).sort());
    expect(app.node.tryGetContext('aws:cdk:bundling-stacks')).toEqual([]);
  });
});
