import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { Resolver, type StackTemplate } from '../../../infra/local/intrinsics';
import { buildModel, readAssembly } from '../../../infra/local/template';

// A small two-stack assembly in the shape `cdk synth` writes: the stateful stack exports
// the table, its stream and the bus; the API stack imports them.
const stateful = {
  Resources: {
    Table1: {
      Type: 'AWS::DynamoDB::Table',
      Properties: {
        TableName: 'oms-test',
        KeySchema: [{ AttributeName: 'pk', KeyType: 'HASH' }],
        AttributeDefinitions: [{ AttributeName: 'pk', AttributeType: 'S' }],
        StreamSpecification: { StreamViewType: 'NEW_AND_OLD_IMAGES' },
        TimeToLiveSpecification: { AttributeName: 'expiresAt', Enabled: true },
        BillingMode: 'PAY_PER_REQUEST',
      },
    },
    Bus1: { Type: 'AWS::Events::EventBus', Properties: { Name: 'oms-test' } },
  },
  Outputs: {
    TableRef: { Value: { Ref: 'Table1' }, Export: { Name: 'S:TableRef' } },
    BusRef: { Value: { Ref: 'Bus1' }, Export: { Name: { 'Fn::Join': [':', [{ Ref: 'AWS::StackName' }, 'BusRef']] } } },
    StreamArn: { Value: { 'Fn::GetAtt': ['Table1', 'StreamArn'] }, Export: { Name: 'S:StreamArn' } },
  },
};

const api = {
  Parameters: { BootstrapVersion: { Type: 'AWS::SSM::Parameter::Value<String>', Default: '/cdk-bootstrap/version' } },
  Conditions: { IsDev: { 'Fn::Equals': ['dev', 'dev'] } },
  Resources: {
    Fn1: {
      Type: 'AWS::Lambda::Function',
      Metadata: { 'aws:cdk:path': 'Api/PlaceOrder/Function/Resource' },
      Properties: {
        Code: { S3Bucket: { 'Fn::Sub': 'cdk-assets-${AWS::AccountId}-${AWS::Region}' }, S3Key: 'abc.zip' },
        Handler: 'index.handler',
        Runtime: 'nodejs22.x',
        Timeout: 7,
        MemorySize: 256,
        Environment: {
          Variables: {
            TABLE_NAME: { 'Fn::ImportValue': 'S:TableRef' },
            EVENT_BUS_NAME: { 'Fn::ImportValue': 'S:BusRef' },
            QUEUE_URL: { Ref: 'Queue1' },
            WHERE: { 'Fn::Sub': ['${AWS::Region}/${Q}/${Queue1.QueueName}/${!Literal}', { Q: { 'Fn::GetAtt': ['Queue1', 'Arn'] } }] },
            MODE: { 'Fn::If': ['IsDev', 'dev-mode', 'prod-mode'] },
            PARTS: { 'Fn::Select': [1, { 'Fn::Split': [',', 'a,b,c'] }] },
          },
        },
      },
    },
    Dlq1: { Type: 'AWS::SQS::Queue', Properties: { QueueName: 'work-dlq' } },
    Queue1: {
      Type: 'AWS::SQS::Queue',
      Properties: { VisibilityTimeout: 60, RedrivePolicy: { deadLetterTargetArn: { 'Fn::GetAtt': ['Dlq1', 'Arn'] }, maxReceiveCount: 5 } },
    },
    Api1: { Type: 'AWS::ApiGatewayV2::Api', Properties: { Name: 'api', ProtocolType: 'HTTP' } },
    Pool1: { Type: 'AWS::Cognito::UserPool', Properties: {} },
    Client1: { Type: 'AWS::Cognito::UserPoolClient', Properties: { UserPoolId: { Ref: 'Pool1' }, AllowedOAuthFlows: ['client_credentials'], AllowedOAuthScopes: [{ 'Fn::Join': ['', [{ Ref: 'Rs1' }, '/storefront']] }] } },
    Rs1: { Type: 'AWS::Cognito::UserPoolResourceServer', Properties: { Identifier: 'oms', UserPoolId: { Ref: 'Pool1' } } },
    Authz1: {
      Type: 'AWS::ApiGatewayV2::Authorizer',
      Properties: {
        ApiId: { Ref: 'Api1' },
        AuthorizerType: 'JWT',
        IdentitySource: ['$request.header.Authorization'],
        JwtConfiguration: { Audience: [{ Ref: 'Client1' }], Issuer: { 'Fn::GetAtt': ['Pool1', 'ProviderURL'] } },
      },
    },
    Integ1: { Type: 'AWS::ApiGatewayV2::Integration', Properties: { ApiId: { Ref: 'Api1' }, IntegrationType: 'AWS_PROXY', IntegrationUri: { 'Fn::GetAtt': ['Fn1', 'Arn'] }, PayloadFormatVersion: '2.0' } },
    Route1: {
      Type: 'AWS::ApiGatewayV2::Route',
      Properties: { ApiId: { Ref: 'Api1' }, RouteKey: 'POST /orders', AuthorizationType: 'JWT', AuthorizerId: { Ref: 'Authz1' }, Target: { 'Fn::Join': ['', ['integrations/', { Ref: 'Integ1' }]] } },
    },
    Route2: { Type: 'AWS::ApiGatewayV2::Route', Properties: { ApiId: { Ref: 'Api1' }, RouteKey: 'GET /health', Target: { 'Fn::Join': ['', ['integrations/', { Ref: 'Integ1' }]] } } },
    Rule1: {
      Type: 'AWS::Events::Rule',
      Properties: {
        EventBusName: { 'Fn::ImportValue': 'S:BusRef' },
        EventPattern: { source: ['oms.orders'] },
        Targets: [{ Arn: { 'Fn::GetAtt': ['Queue1', 'Arn'] }, Id: 'T0' }, { Arn: { 'Fn::GetAtt': ['Fn1', 'Arn'] }, Id: 'T1' }],
      },
    },
    Sched1: { Type: 'AWS::Events::Rule', Properties: { ScheduleExpression: 'rate(5 minutes)', Targets: [{ Arn: { 'Fn::GetAtt': ['Fn1', 'Arn'] }, Id: 'T0' }] } },
    Esm1: {
      Type: 'AWS::Lambda::EventSourceMapping',
      Properties: {
        FunctionName: { Ref: 'Fn1' },
        EventSourceArn: { 'Fn::ImportValue': 'S:StreamArn' },
        BatchSize: 100,
        MaximumRetryAttempts: 10,
        BisectBatchOnFunctionError: true,
        FunctionResponseTypes: ['ReportBatchItemFailures'],
        FilterCriteria: { Filters: [{ Pattern: '{"eventName":["INSERT"]}' }] },
        DestinationConfig: { OnFailure: { Destination: { 'Fn::GetAtt': ['Dlq1', 'Arn'] } } },
        StartingPosition: 'TRIM_HORIZON',
      },
    },
    Esm2: { Type: 'AWS::Lambda::EventSourceMapping', Properties: { FunctionName: { Ref: 'Fn1' }, EventSourceArn: { 'Fn::GetAtt': ['Queue1', 'Arn'] }, BatchSize: 10 } },
  },
};

const dir = mkdtempSync(join(tmpdir(), 'oms-asm-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
writeFileSync(join(dir, 'S.template.json'), JSON.stringify(stateful));
writeFileSync(join(dir, 'Api.template.json'), JSON.stringify(api));
writeFileSync(join(dir, 'Api.assets.json'), JSON.stringify({ files: { abc: { source: { path: 'asset.abc', packaging: 'zip' }, destinations: { d: { bucketName: 'b', objectKey: 'abc.zip' } } } } }));
mkdirSync(join(dir, 'asset.abc'));
writeFileSync(join(dir, 'asset.abc', 'index.mjs'), 'export const handler = async () => ({});');
writeFileSync(
  join(dir, 'manifest.json'),
  JSON.stringify({
    artifacts: {
      S: { type: 'aws:cloudformation:stack', properties: { templateFile: 'S.template.json', stackName: 'S' } },
      'Api.assets': { type: 'cdk:asset-manifest', properties: { file: 'Api.assets.json' } },
      Api: { type: 'aws:cloudformation:stack', properties: { templateFile: 'Api.template.json', stackName: 'Api' } },
    },
  }),
);

const naming = {
  region: 'us-east-1',
  accountId: '000000000000',
  sqsEndpoint: 'http://127.0.0.1:4566',
  streamArn: (t: string) => `arn:aws:dynamodb:us-east-1:000000000000:table/${t}/stream/2026-01-01T00:00:00.000`,
};

describe('reading the synthesized template', () => {
  const { model } = buildModel(readAssembly(dir), naming);

  it('resolves a function environment across stacks (ImportValue, Ref, Sub, If, Select/Split)', () => {
    const [fn] = model.functions;
    expect(fn).toMatchObject({ name: 'Api-Fn1', label: 'place-order', timeoutSeconds: 7, memoryMb: 256, exportName: 'handler' });
    expect(fn!.file).toBe(join(dir, 'asset.abc', 'index.mjs'));
    expect(fn!.env).toEqual({
      TABLE_NAME: 'oms-test',
      EVENT_BUS_NAME: 'oms-test',
      QUEUE_URL: 'http://127.0.0.1:4566/000000000000/Api-Queue1',
      WHERE: 'us-east-1/arn:aws:sqs:us-east-1:000000000000:Api-Queue1/Api-Queue1/${Literal}',
      MODE: 'dev-mode',
      PARTS: 'b',
    });
  });

  it('creates tables as declared', () => {
    expect(model.tables).toEqual([
      expect.objectContaining({ name: 'oms-test', streamViewType: 'NEW_AND_OLD_IMAGES', ttlAttribute: 'expiresAt', billingMode: 'PAY_PER_REQUEST' }),
    ]);
  });

  it('finds routes with their function and JWT authorizer (local issuer from the user pool)', () => {
    const orders = model.routes.find((r) => r.routeKey === 'POST /orders')!;
    expect(orders).toMatchObject({ method: 'POST', path: '/orders', functionName: 'Api-Fn1' });
    expect(orders.auth).toMatchObject({ type: 'JWT', audience: [model.clients[0]!.clientId] });
    expect(orders.auth.type === 'JWT' && orders.auth.issuer).toMatch(/^https:\/\/cognito-idp\.us-east-1\.amazonaws\.com\/us-east-1_\w+$/);
    expect(model.routes.find((r) => r.routeKey === 'GET /health')!.auth).toEqual({ type: 'NONE' });
    expect(model.clients[0]).toMatchObject({ machine: true, scopes: ['oms/storefront'] });
  });

  it('reads queues with redrive, rules on the imported bus and scheduled rules', () => {
    expect(model.queues.find((q) => q.name === 'Api-Queue1')).toMatchObject({
      visibilityTimeoutSeconds: 60,
      redrive: { deadLetterTargetArn: 'arn:aws:sqs:us-east-1:000000000000:work-dlq', maxReceiveCount: 5 },
    });
    const rule = model.rules.find((r) => r.logicalId === 'Rule1')!;
    expect(rule).toMatchObject({ busName: 'oms-test', pattern: { source: ['oms.orders'] } });
    expect(rule.targets.map((t) => t.kind)).toEqual(['sqs', 'lambda']);
    expect(model.rules.find((r) => r.logicalId === 'Sched1')).toMatchObject({ busName: 'default', schedule: 'rate(5 minutes)' });
  });

  it('reads stream and queue event source mappings', () => {
    const stream = model.mappings.find((m) => m.logicalId === 'Esm1')!;
    expect(stream).toMatchObject({
      kind: 'stream',
      functionName: 'Api-Fn1',
      sourceArn: naming.streamArn('oms-test'),
      batchSize: 100,
      maxRetryAttempts: 10,
      bisectOnError: true,
      reportBatchItemFailures: true,
      filters: [{ eventName: ['INSERT'] }],
      onFailureArn: 'arn:aws:sqs:us-east-1:000000000000:work-dlq',
    });
    expect(model.mappings.find((m) => m.logicalId === 'Esm2')).toMatchObject({ kind: 'sqs', batchSize: 10, reportBatchItemFailures: false });
  });

  it('refuses intrinsics it does not know, and imports nobody exports', () => {
    const r = new Resolver([{ stackName: 'X', template: { Resources: {} } }], naming);
    expect(() => r.resolve('X', { 'Fn::Transform': {} })).toThrow(/not supported/);
    expect(() => r.resolve('X', { 'Fn::ImportValue': 'missing' })).toThrow(/no stack exports missing/);
    expect(r.resolve('X', { 'Fn::Join': ['-', ['a', { Ref: 'AWS::NoValue' }, 'b']] })).toBe('a-b');
    expect(r.resolve('X', { Ref: 'AWS::Partition' })).toBe('aws');
  });

  it('resolves Secrets Manager dynamic references, across stacks, to the local value of the secret', () => {
    const stacks: StackTemplate[] = [
      {
        stackName: 'Data',
        template: {
          Resources: { Key: { Type: 'AWS::SecretsManager::Secret', Properties: { GenerateSecretString: { PasswordLength: 64 } } } },
          Outputs: { KeyRef: { Value: { Ref: 'Key' }, Export: { Name: 'Data:KeyRef' } } },
        },
      },
      { stackName: 'Api', template: { Resources: {} } },
    ];
    const asked: string[] = [];
    const r = new Resolver(stacks, { ...naming, secretValue: (arn) => (asked.push(arn), `value-of-${arn.split(':').at(-1)}`) });
    const env = { 'Fn::Join': ['', ['{{resolve:secretsmanager:', { 'Fn::ImportValue': 'Data:KeyRef' }, ':SecretString:::}}']] };
    expect(r.resolve('Api', { Variables: { CURSOR_SECRET: env } })).toEqual({ Variables: { CURSOR_SECRET: expect.stringMatching(/^value-of-Data-Key-[a-z0-9]{6}$/) } });
    expect(asked).toEqual([expect.stringMatching(/^arn:aws:secretsmanager:us-east-1:\d{12}:secret:Data-Key-[a-z0-9]{6}$/)]);
    expect(() => r.resolve('Api', '{{resolve:ssm:/some/parameter}}')).toThrow(/not supported by the local cloud/);
    expect(() => new Resolver(stacks, naming).resolve('Api', env)).toThrow(/not supported by the local cloud/);
  });
});
