import { Match } from 'aws-cdk-lib/assertions';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EVENT_COLUMNS, SAVED_QUERIES, savedQuerySql } from '../../analytics/lake';
import { stageConfig } from '../../infra/config';
import { resourcesOfType, synthStage, type Synthesized } from './synth';

const STAGES = ['dev', 'prod'] as const;
const synthesized = {} as Record<(typeof STAGES)[number], Synthesized>;

beforeAll(() => {
  for (const stage of STAGES) synthesized[stage] = synthStage(stage);
});
afterAll(() => {
  for (const s of Object.values(synthesized)) s.cleanup();
});

const idOf = (s: Synthesized, type: string, match: (props: Record<string, unknown>) => boolean = () => true) => {
  const ids = Object.entries(resourcesOfType(s.stateful, type))
    .filter(([, r]) => match(r.Properties ?? {}))
    .map(([id]) => id);
  if (ids.length !== 1) throw new Error(`expected one ${type}, found ${ids.length}`);
  return ids[0]!;
};

describe.each(STAGES)('event lake, stage %s', (stage) => {
  const config = stageConfig(stage);
  const s = () => synthesized[stage];
  const busId = () => idOf(s(), 'AWS::Events::EventBus');
  const lakeBucketId = () => idOf(s(), 'AWS::S3::Bucket', (p) => JSON.stringify(p).includes('"events/"') || JSON.stringify(p).includes('delivery-errors'));
  const resultsBucketId = () => idOf(s(), 'AWS::S3::Bucket', (p) => !JSON.stringify(p).includes('delivery-errors'));

  it('archives every event of the bus for replay, kept as long as the stage says', () => {
    s().stateful.hasResourceProperties('AWS::Events::Archive', {
      ArchiveName: `oms-${stage}-events`,
      SourceArn: { 'Fn::GetAtt': [busId(), 'Arn'] },
      EventPattern: { source: [{ prefix: '' }] },
      RetentionDays: config.lake.archiveRetention.toDays(),
    });
  });

  it('sends every event of the bus to the delivery stream', () => {
    const streamId = idOf(s(), 'AWS::KinesisFirehose::DeliveryStream');
    s().stateful.hasResourceProperties('AWS::Events::Rule', {
      EventBusName: { Ref: busId() },
      EventPattern: { source: [{ prefix: '' }] },
      Targets: [Match.objectLike({ Arn: { 'Fn::GetAtt': [streamId, 'Arn'] }, RoleArn: Match.anyValue() })],
    });
  });

  it('delivers gzip newline-delimited JSON to the lake bucket under events/dt=YYYY-MM-DD/, with the stage buffering hints', () => {
    s().stateful.hasResourceProperties('AWS::KinesisFirehose::DeliveryStream', {
      DeliveryStreamName: `oms-${stage}-events`,
      DeliveryStreamEncryptionConfigurationInput: { KeyType: 'AWS_OWNED_CMK' },
      ExtendedS3DestinationConfiguration: Match.objectLike({
        BucketARN: { 'Fn::GetAtt': [lakeBucketId(), 'Arn'] },
        Prefix: 'events/dt=!{timestamp:yyyy-MM-dd}/',
        ErrorOutputPrefix: Match.stringLikeRegexp('^errors/'),
        CompressionFormat: 'GZIP',
        BufferingHints: { IntervalInSeconds: config.lake.bufferInterval.toSeconds(), SizeInMBs: config.lake.bufferSizeMiB },
        ProcessingConfiguration: { Enabled: true, Processors: [Match.objectLike({ Type: 'AppendDelimiterToRecord' })] },
      }),
    });
  });

  it('logs delivery errors to a log group kept as long as the stage keeps logs', () => {
    const logGroupId = idOf(s(), 'AWS::Logs::LogGroup');
    s().stateful.hasResourceProperties('AWS::Logs::LogGroup', { RetentionInDays: config.logRetention });
    s().stateful.hasResourceProperties('AWS::KinesisFirehose::DeliveryStream', {
      ExtendedS3DestinationConfiguration: Match.objectLike({
        CloudWatchLoggingOptions: Match.objectLike({ Enabled: true, LogGroupName: { Ref: logGroupId } }),
      }),
    });
  });

  it('keeps both buckets encrypted, private and TLS-only, with lifecycle rules', () => {
    for (const id of [lakeBucketId(), resultsBucketId()]) {
      const bucket = resourcesOfType(s().stateful, 'AWS::S3::Bucket')[id]!;
      expect(bucket.Properties).toMatchObject({
        BucketEncryption: { ServerSideEncryptionConfiguration: [{ ServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' } }] },
        PublicAccessBlockConfiguration: { BlockPublicAcls: true, BlockPublicPolicy: true, IgnorePublicAcls: true, RestrictPublicBuckets: true },
      });
      s().stateful.hasResourceProperties('AWS::S3::BucketPolicy', {
        Bucket: { Ref: id },
        PolicyDocument: {
          Statement: Match.arrayWith([Match.objectLike({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } })]),
        },
      });
    }
    const rules = (resourcesOfType(s().stateful, 'AWS::S3::Bucket')[lakeBucketId()]!.Properties as any).LifecycleConfiguration.Rules;
    const events = rules.find((r: { Prefix?: string }) => r.Prefix === 'events/');
    if (stage === 'prod') {
      // every event kept for good, in a class Athena still reads
      expect(events.ExpirationInDays).toBeUndefined();
      expect(events.Transitions).toEqual([{ StorageClass: 'GLACIER_IR', TransitionInDays: 180 }]);
    } else {
      expect(events.ExpirationInDays).toBe(config.lake.expireObjectsAfter!.toDays());
    }
    const results = (resourcesOfType(s().stateful, 'AWS::S3::Bucket')[resultsBucketId()]!.Properties as any).LifecycleConfiguration.Rules;
    expect(results).toEqual([expect.objectContaining({ ExpirationInDays: config.lake.queryResultsExpireAfter.toDays() })]);
  });

  it('describes the files with a Glue table: the shared columns, JSON SerDe, and dt partitions projected (no crawler)', () => {
    s().stateful.resourceCountIs('AWS::Glue::Crawler', 0);
    const databaseId = idOf(s(), 'AWS::Glue::Database');
    s().stateful.hasResourceProperties('AWS::Glue::Database', { DatabaseInput: { Name: `oms_${stage}_lake`, Description: Match.anyValue() } });
    s().stateful.hasResourceProperties('AWS::Glue::Table', {
      DatabaseName: { Ref: databaseId },
      TableInput: Match.objectLike({
        Name: 'events',
        TableType: 'EXTERNAL_TABLE',
        PartitionKeys: [{ Name: 'dt', Type: 'string' }],
        Parameters: Match.objectLike({
          'projection.enabled': 'true',
          'projection.dt.type': 'date',
          'projection.dt.format': 'yyyy-MM-dd',
          'projection.dt.range': Match.stringLikeRegexp(',NOW$'),
          'storage.location.template': { 'Fn::Join': ['', ['s3://', { Ref: lakeBucketId() }, '/events/dt=${dt}/']] },
        }),
        StorageDescriptor: Match.objectLike({
          Columns: EVENT_COLUMNS.map((c) => ({ Name: c.name, Type: c.type })),
          SerdeInfo: { SerializationLibrary: 'org.openx.data.jsonserde.JsonSerDe', Parameters: { 'mapping.detail_type': 'detail-type' } },
        }),
      }),
    });
  });

  it('has an Athena workgroup that enforces encrypted results in the results bucket and a scan limit', () => {
    s().stateful.hasResourceProperties('AWS::Athena::WorkGroup', {
      Name: `oms-${stage}-lake`,
      WorkGroupConfiguration: Match.objectLike({
        EnforceWorkGroupConfiguration: true,
        BytesScannedCutoffPerQuery: config.lake.bytesScannedCutoffPerQuery,
        ResultConfiguration: {
          OutputLocation: { 'Fn::Join': ['', ['s3://', { Ref: resultsBucketId() }, '/results/']] },
          EncryptionConfiguration: { EncryptionOption: 'SSE_S3' },
        },
      }),
    });
  });

  it('saves the queries with the SQL of analytics/queries/, in the lake database and workgroup', () => {
    const workGroupId = idOf(s(), 'AWS::Athena::WorkGroup');
    s().stateful.resourceCountIs('AWS::Athena::NamedQuery', SAVED_QUERIES.length);
    for (const q of SAVED_QUERIES) {
      s().stateful.hasResourceProperties('AWS::Athena::NamedQuery', {
        Name: q.name,
        Database: `oms_${stage}_lake`,
        WorkGroup: { Ref: workGroupId },
        QueryString: savedQuerySql(q.name),
      });
    }
  });
});
