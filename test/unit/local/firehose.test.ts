import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { LocalBus, type EventBridgeEvent } from '../../../infra/local/bus';
import { LocalFirehose, renderPrefix } from '../../../infra/local/firehose';
import { buildModel, type CloudModel } from '../../../infra/local/template';

// The stateful stack's lake in the shape `cdk synth` writes it: a bus, a delivery stream
// to S3 (gzip, date prefix, newline processor) and a rule sending every event to it.
function lakeTemplate(hints: { IntervalInSeconds: number; SizeInMBs: number }) {
  return {
    Resources: {
      Bus: { Type: 'AWS::Events::EventBus', Properties: { Name: 'oms-test' } },
      Bucket: { Type: 'AWS::S3::Bucket', Properties: {} },
      Stream: {
        Type: 'AWS::KinesisFirehose::DeliveryStream',
        Properties: {
          DeliveryStreamName: 'oms-test-events',
          DeliveryStreamType: 'DirectPut',
          ExtendedS3DestinationConfiguration: {
            BucketARN: { 'Fn::GetAtt': ['Bucket', 'Arn'] },
            BufferingHints: hints,
            CompressionFormat: 'GZIP',
            Prefix: 'events/dt=!{timestamp:yyyy-MM-dd}/',
            ErrorOutputPrefix: 'errors/!{firehose:error-output-type}/dt=!{timestamp:yyyy-MM-dd}/',
            ProcessingConfiguration: { Enabled: true, Processors: [{ Type: 'AppendDelimiterToRecord', Parameters: [] }] },
          },
        },
      },
      ToLake: {
        Type: 'AWS::Events::Rule',
        Properties: {
          EventBusName: { Ref: 'Bus' },
          EventPattern: { source: [{ prefix: '' }] },
          State: 'ENABLED',
          Targets: [{ Arn: { 'Fn::GetAtt': ['Stream', 'Arn'] }, Id: 'Target0' }],
        },
      },
    },
  };
}

function modelOf(hints = { IntervalInSeconds: 60, SizeInMBs: 5 }): CloudModel {
  const naming = { region: 'us-east-1', accountId: '000000000000', sqsEndpoint: 'http://127.0.0.1:1' };
  return buildModel({ dir: '', stacks: [{ stackName: 'Oms-test-Stateful', template: lakeTemplate(hints) as never }], assets: new Map() }, naming).model;
}

/** The objects written (not those still being written, which a reader never sees). */
function objectsUnder(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((d) => d.isFile() && !d.name.endsWith('.part'))
    .map((d) => relative(dir, join(d.parentPath, d.name)))
    .sort();
}

const linesOf = (file: string) => gunzipSync(readFileSync(file)).toString('utf8');

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'oms-firehose-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

function cloud(hints?: { IntervalInSeconds: number; SizeInMBs: number }, now?: () => Date) {
  const model = modelOf(hints);
  const logs: string[] = [];
  const firehose = new LocalFirehose({ streams: model.deliveryStreams, dir, log: (l) => logs.push(l), now });
  const bus = new LocalBus({
    rules: model.rules,
    buses: model.buses,
    queues: {} as never,
    firehose,
    invokeAsync: () => {},
    functionOfArn: () => undefined,
    region: 'us-east-1',
    accountId: '000000000000',
    log: (l) => logs.push(l),
  });
  const publish = (n: number, detail: (i: number) => object = (i) => ({ data: { orderId: `o-${i}` } })) =>
    bus.putEvents(
      Array.from({ length: n }, (_, i) => ({ EventBusName: 'oms-test', Source: 'oms.orders', DetailType: 'OrderPlaced', Detail: JSON.stringify(detail(i)) })),
    );
  return { model, firehose, publish, logs };
}

describe('the local Firehose delivery stream', () => {
  it('reads the stream, its hints and the rule target from the template', () => {
    const { model } = cloud();
    expect(model.deliveryStreams).toEqual([
      expect.objectContaining({
        name: 'oms-test-events',
        arn: 'arn:aws:firehose:us-east-1:000000000000:deliverystream/oms-test-events',
        prefix: 'events/dt=!{timestamp:yyyy-MM-dd}/',
        bufferIntervalSeconds: 60,
        bufferSizeMb: 5,
        compression: 'GZIP',
        appendDelimiter: true,
      }),
    ]);
    expect(model.rules[0]!.targets[0]!.kind).toBe('firehose');
  });

  it('buffers events published to the bus and writes them as one gzip NDJSON object under the day prefix on stop', async () => {
    const { firehose, publish } = cloud();
    const put = await publish(3);
    expect(put.FailedEntryCount).toBe(0);
    // the interval (60 s) has not passed and 5 MiB are far: nothing is written yet
    expect(objectsUnder(dir)).toEqual([]);

    await firehose.stop();
    const objects = objectsUnder(dir);
    expect(objects).toHaveLength(1);
    const today = new Date().toISOString().slice(0, 10);
    expect(objects[0]).toMatch(new RegExp(`^oms-test-events/events/dt=${today}/oms-test-events-1-${today}-\\d\\d-\\d\\d-\\d\\d-[0-9a-f-]{36}\\.gz$`));

    const text = linesOf(join(dir, objects[0]!));
    expect(text.endsWith('\n')).toBe(true);
    const events = text.trimEnd().split('\n').map((l) => JSON.parse(l) as EventBridgeEvent);
    // the record is the EventBridge event as the rule target receives it, one per line
    expect(events.map((e) => e.id)).toEqual(put.Entries.map((e) => ('EventId' in e ? e.EventId : undefined)));
    expect(events[0]).toMatchObject({ version: '0', 'detail-type': 'OrderPlaced', source: 'oms.orders', account: '000000000000', detail: { data: { orderId: 'o-0' } } });
  });

  it('writes a record that arrives after stop at once', async () => {
    const { firehose, publish } = cloud();
    await firehose.stop();
    await publish(1);
    await firehose.flush();
    expect(objectsUnder(dir)).toHaveLength(1);
  });

  it('writes when the buffer interval has passed, without being asked', async () => {
    const { publish } = cloud({ IntervalInSeconds: 1, SizeInMBs: 5 });
    await publish(2);
    expect(objectsUnder(dir)).toEqual([]);
    const until = Date.now() + 5000;
    while (objectsUnder(dir).length === 0 && Date.now() < until) await new Promise((r) => setTimeout(r, 50));
    const objects = objectsUnder(dir);
    expect(objects).toHaveLength(1);
    expect(linesOf(join(dir, objects[0]!)).trimEnd().split('\n')).toHaveLength(2);
  });

  it('writes when the buffer reaches its size hint', async () => {
    const { firehose, publish } = cloud({ IntervalInSeconds: 900, SizeInMBs: 1 });
    // 3 events of about 400 KiB: the third crosses 1 MiB and is written with the first two
    await publish(3, (i) => ({ data: { orderId: `o-${i}`, note: 'x'.repeat(400 * 1024) } }));
    await publish(1);
    const until = Date.now() + 5000;
    while (objectsUnder(dir).length === 0 && Date.now() < until) await new Promise((r) => setTimeout(r, 20));
    const [first] = objectsUnder(dir);
    expect(linesOf(join(dir, first!)).trimEnd().split('\n')).toHaveLength(3);
    // the fourth waits in the next buffer until stop
    expect(objectsUnder(dir)).toHaveLength(1);
    await firehose.stop();
    const objects = objectsUnder(dir);
    expect(objects).toHaveLength(2);
    const second = objects.find((o) => o !== first)!;
    expect(linesOf(join(dir, second)).trimEnd().split('\n')).toHaveLength(1);
  });

  it('names the day partition after the oldest record of the object, in UTC', async () => {
    let now = new Date('2026-12-31T23:59:59.500Z');
    const { firehose, publish } = cloud(undefined, () => now);
    await publish(1);
    now = new Date('2027-01-01T00:00:05Z');
    await publish(1);
    const [file] = await firehose.flush();
    expect(relative(dir, file!)).toMatch(/^oms-test-events\/events\/dt=2026-12-31\/oms-test-events-1-2026-12-31-23-59-59-/);
    expect(linesOf(file!).trimEnd().split('\n')).toHaveLength(2);
  });
});

describe('Firehose prefixes', () => {
  const at = new Date('2026-03-04T05:06:07Z');
  it('evaluates timestamp expressions in UTC', () => {
    expect(renderPrefix('events/dt=!{timestamp:yyyy-MM-dd}/', at)).toBe('events/dt=2026-03-04/');
    expect(renderPrefix('y=!{timestamp:yyyy}/h=!{timestamp:HH}/', at)).toBe('y=2026/h=05/');
  });
  it('uses YYYY/MM/DD/HH/ when the stream has no prefix', () => {
    expect(renderPrefix('', at)).toBe('2026/03/04/05/');
  });
  it('refuses dynamic partitioning keys it cannot evaluate', () => {
    expect(() => renderPrefix('!{partitionKeyFromQuery:customer}/', at)).toThrow(/not emulated/);
  });
});
