import { CfnOutput, Duration, RemovalPolicy, Size, Stack, Validations } from 'aws-cdk-lib';
import { CfnNamedQuery, CfnWorkGroup } from 'aws-cdk-lib/aws-athena';
import { Archive, Match, Rule, type IEventBus } from 'aws-cdk-lib/aws-events';
import { FirehoseDeliveryStream } from 'aws-cdk-lib/aws-events-targets';
import { CfnDatabase, CfnTable } from 'aws-cdk-lib/aws-glue';
import {
  AppendDelimiterToRecordProcessor,
  Compression,
  DeliveryStream,
  EnableLogging,
  S3Bucket,
  StreamEncryption,
} from 'aws-cdk-lib/aws-kinesisfirehose';
import { LogGroup } from 'aws-cdk-lib/aws-logs';
import { BlockPublicAccess, Bucket, BucketEncryption, type CfnBucket, StorageClass, type LifecycleRule } from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import {
  EVENT_COLUMNS,
  EVENTS_PREFIX,
  EVENTS_TABLE,
  PARTITION_KEY,
  SAVED_QUERIES,
  eventStreamName,
  lakeDatabaseName,
  savedQuerySql,
} from '../../analytics/lake';
import type { StageConfig } from '../config';

export interface EventLakeProps {
  readonly config: StageConfig;
  readonly bus: IEventBus;
}

/** First day the partition projection offers (no event is older than the lake). */
const FIRST_DAY = '2026-01-01';

/**
 * Every event on the bus, kept twice: in an EventBridge archive (to replay into the bus)
 * and, through a Firehose delivery stream, in S3 as gzip-compressed newline-delimited
 * JSON under `events/dt=YYYY-MM-DD/` (the UTC day Firehose received it). A Glue table
 * with partition projection on `dt` describes the files (no crawler), and an Athena
 * workgroup with saved queries (analytics/queries/*.sql) answers SQL over them.
 *
 * JSON rather than Parquet: events of every kind share one table, each with its own
 * `detail`; Parquet conversion would need one fixed schema for all of them (and fails
 * records that do not fit it), while JSON keeps every event as published and lets the
 * queries read `detail` with json_extract_scalar. Gzip makes the scan about 10x smaller.
 */
export class EventLake extends Construct {
  readonly bucket: Bucket;
  readonly resultsBucket: Bucket;
  readonly deliveryStream: DeliveryStream;
  readonly archive: Archive;
  readonly workGroup: CfnWorkGroup;
  readonly database: CfnDatabase;
  readonly table: CfnTable;

  constructor(scope: Construct, id: string, props: EventLakeProps) {
    super(scope, id);
    const { config, bus } = props;
    const { lake } = config;
    const account = Stack.of(this).account;
    // Matches every event: each has a source, and every string starts with ''.
    const everyEvent = { source: Match.prefix('') };

    this.archive = new Archive(this, 'Archive', {
      sourceEventBus: bus,
      archiveName: `oms-${config.stage}-events`,
      description: `OMS (${config.stage}): every event on the bus, for replay`,
      eventPattern: everyEvent,
      retention: lake.archiveRetention,
    });

    const eventRules: LifecycleRule[] = [
      { id: 'abort-incomplete-uploads', abortIncompleteMultipartUploadAfter: Duration.days(1) },
      // Records Firehose could not deliver (the prefix it writes them under) are kept a month.
      { id: 'delivery-errors', prefix: 'errors/', expiration: Duration.days(30) },
    ];
    if (lake.archiveObjectsAfter || lake.expireObjectsAfter) {
      eventRules.push({
        id: 'events',
        prefix: EVENTS_PREFIX,
        transitions: lake.archiveObjectsAfter
          ? [{ storageClass: StorageClass.GLACIER_INSTANT_RETRIEVAL, transitionAfter: lake.archiveObjectsAfter }]
          : undefined,
        expiration: lake.expireObjectsAfter,
      });
    }
    this.bucket = new Bucket(this, 'Bucket', {
      encryption: BucketEncryption.S3_MANAGED,
      blockPublicAccess: BlockPublicAccess.BLOCK_ALL,
      enforceSSL: true,
      lifecycleRules: eventRules,
      removalPolicy: config.removalPolicy,
    });
    this.resultsBucket = new Bucket(this, 'QueryResults', {
      encryption: BucketEncryption.S3_MANAGED,
      blockPublicAccess: BlockPublicAccess.BLOCK_ALL,
      enforceSSL: true,
      lifecycleRules: [
        { id: 'results', expiration: lake.queryResultsExpireAfter, abortIncompleteMultipartUploadAfter: Duration.days(1) },
      ],
      removalPolicy: config.removalPolicy,
    });
    for (const bucket of [this.bucket, this.resultsBucket]) {
      Validations.of(bucket).acknowledge({
        id: 'AwsSolutions-S1',
        reason:
          'Written only by the delivery stream or by Athena and read through Athena under IAM; CloudTrail records the API calls, so per-request access logs would only add a second bucket of logs.',
      });
    }

    this.deliveryStream = new DeliveryStream(this, 'Stream', {
      deliveryStreamName: eventStreamName(config.stage),
      encryption: StreamEncryption.awsOwnedKey(),
      destination: new S3Bucket(this.bucket, {
        dataOutputPrefix: `${EVENTS_PREFIX}${PARTITION_KEY}=!{timestamp:yyyy-MM-dd}/`,
        errorOutputPrefix: `errors/!{firehose:error-output-type}/${PARTITION_KEY}=!{timestamp:yyyy-MM-dd}/`,
        compression: Compression.GZIP,
        bufferingInterval: lake.bufferInterval,
        bufferingSize: Size.mebibytes(lake.bufferSizeMiB),
        // One event per line: what Athena's JSON SerDe and DuckDB's read_json expect.
        processors: [new AppendDelimiterToRecordProcessor()],
        // Delivery errors (S3 refused a write), kept as long as the stage keeps logs.
        loggingConfig: new EnableLogging(
          new LogGroup(this, 'DeliveryErrors', { retention: config.logRetention, removalPolicy: config.removalPolicy }),
        ),
      }),
    });
    // The S3 destination grants its role read-write on the bucket (the CDK's grant, not
    // configurable): wildcards on object keys and s3 action groups, on this bucket only.
    const bucketLogicalId = Stack.of(this).resolve((this.bucket.node.defaultChild as CfnBucket).logicalId) as string;
    for (const finding of [
      `Resource::<${bucketLogicalId}.Arn>/*`,
      'Action::s3:GetObject*',
      'Action::s3:GetBucket*',
      'Action::s3:List*',
      'Action::s3:DeleteObject*',
      'Action::s3:Abort*',
    ]) {
      Validations.of(this.deliveryStream).acknowledge({
        id: `AwsSolutions-IAM5[${finding}]`,
        reason:
          'The delivery stream role gets the CDK S3 destination grant (read-write on the lake bucket): Firehose writes objects under keys it chooses (date prefix, random suffix), on this bucket only.',
      });
    }

    new Rule(this, 'ToLake', {
      eventBus: bus,
      description: 'Every event on the bus -> the event lake delivery stream',
      eventPattern: everyEvent,
      targets: [new FirehoseDeliveryStream(this.deliveryStream)],
    });

    // --- Glue table over the files, Athena workgroup and saved queries ----------------
    const databaseName = lakeDatabaseName(config.stage);
    this.database = new CfnDatabase(this, 'Database', {
      catalogId: account,
      databaseInput: { name: databaseName, description: `OMS (${config.stage}): the event lake` },
    });
    this.table = new CfnTable(this, 'EventsTable', {
      catalogId: account,
      databaseName: this.database.ref,
      tableInput: {
        name: EVENTS_TABLE,
        description: 'Every event on the bus, one row each, as the delivery stream wrote it (detail as JSON text)',
        tableType: 'EXTERNAL_TABLE',
        partitionKeys: [{ name: PARTITION_KEY, type: 'string' }],
        parameters: {
          EXTERNAL: 'TRUE',
          classification: 'json',
          compressionType: 'gzip',
          // Partition projection: Athena computes the day folders itself (no crawler, no MSCK).
          'projection.enabled': 'true',
          [`projection.${PARTITION_KEY}.type`]: 'date',
          [`projection.${PARTITION_KEY}.format`]: 'yyyy-MM-dd',
          [`projection.${PARTITION_KEY}.range`]: `${FIRST_DAY},NOW`,
          [`projection.${PARTITION_KEY}.interval`]: '1',
          [`projection.${PARTITION_KEY}.interval.unit`]: 'DAYS',
          'storage.location.template': `s3://${this.bucket.bucketName}/${EVENTS_PREFIX}${PARTITION_KEY}=\${${PARTITION_KEY}}/`,
        },
        storageDescriptor: {
          location: `s3://${this.bucket.bucketName}/${EVENTS_PREFIX}`,
          inputFormat: 'org.apache.hadoop.mapred.TextInputFormat',
          outputFormat: 'org.apache.hadoop.hive.ql.io.HiveIgnoreKeyTextOutputFormat',
          columns: EVENT_COLUMNS.map((c) => ({ name: c.name, type: c.type })),
          serdeInfo: {
            // The OpenX SerDe hands a nested object declared `string` over as its JSON text.
            serializationLibrary: 'org.openx.data.jsonserde.JsonSerDe',
            parameters: Object.fromEntries(EVENT_COLUMNS.filter((c) => c.key !== c.name).map((c) => [`mapping.${c.name}`, c.key])),
          },
        },
      },
    });

    this.workGroup = new CfnWorkGroup(this, 'WorkGroup', {
      name: `oms-${config.stage}-lake`,
      description: `OMS (${config.stage}): SQL over the event lake`,
      state: 'ENABLED',
      // Deleting the stack deletes the saved queries and history with it where data is disposable.
      recursiveDeleteOption: config.removalPolicy === RemovalPolicy.DESTROY,
      workGroupConfiguration: {
        enforceWorkGroupConfiguration: true,
        publishCloudWatchMetricsEnabled: true,
        bytesScannedCutoffPerQuery: lake.bytesScannedCutoffPerQuery,
        engineVersion: { selectedEngineVersion: 'Athena engine version 3' },
        resultConfiguration: {
          outputLocation: `s3://${this.resultsBucket.bucketName}/results/`,
          encryptionConfiguration: { encryptionOption: 'SSE_S3' },
        },
      },
    });

    for (const q of SAVED_QUERIES) {
      const named = new CfnNamedQuery(this, `Query-${q.name}`, {
        name: q.name,
        description: q.description,
        database: databaseName,
        workGroup: this.workGroup.ref,
        queryString: savedQuerySql(q.name),
      });
      named.addResourceDependency(this.database);
      named.addResourceDependency(this.table);
    }

    new CfnOutput(this, 'LakeBucket', { value: this.bucket.bucketName });
    new CfnOutput(this, 'LakeWorkGroup', { value: this.workGroup.ref });
    new CfnOutput(this, 'LakeDatabase', { value: databaseName });
  }
}
