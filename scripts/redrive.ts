// `npm run redrive -- --stage <s> --queue <name> [--dry-run] [--local]`: lists a queue's
// dead-lettered messages and moves them back to the queue they came from (SQS message move
// task: StartMessageMoveTask, then ListMessageMoveTasks until it ends).
//   --queue     the step's queue (reserve-stock), its full name (oms-prod-reserve-stock) or its
//               dead-letter queue's (oms-prod-reserve-stock-dlq)
//   --dry-run   lists what would move (count and the first messages), moves nothing
//   --local     the local cloud (its SQS endpoint from .oms/local.json; --endpoint URL also works)
// Against AWS, credentials and region come from the usual places (AWS_PROFILE, AWS_REGION).
import { readFileSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import {
  GetQueueAttributesCommand,
  GetQueueUrlCommand,
  ListMessageMoveTasksCommand,
  ReceiveMessageCommand,
  SQSClient,
  StartMessageMoveTaskCommand,
} from '@aws-sdk/client-sqs';

export interface RedriveOptions {
  client: SQSClient;
  stage: string;
  queue: string;
  dryRun?: boolean;
  out?: (line: string) => void;
  /** How long to wait for the move task to end (default 15 minutes). */
  waitMs?: number;
}

export interface RedriveResult {
  deadLetterQueue: string;
  waiting: number;
  moved?: number;
  status?: string;
}

/** The dead-letter queue's name for what --queue names. */
export function deadLetterQueueName(stage: string, queue: string): string {
  const prefix = `oms-${stage}-`;
  const base = queue.replace(/-dlq$/, '');
  return `${base.startsWith(prefix) ? base : `${prefix}${base}`}-dlq`;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export async function redrive(opts: RedriveOptions): Promise<RedriveResult> {
  const { client } = opts;
  const out = opts.out ?? console.log;
  const name = deadLetterQueueName(opts.stage, opts.queue);
  const { QueueUrl } = await client.send(new GetQueueUrlCommand({ QueueName: name }));
  const { Attributes = {} } = await client.send(
    new GetQueueAttributesCommand({ QueueUrl, AttributeNames: ['QueueArn', 'ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible'] }),
  );
  const arn = Attributes.QueueArn!;
  const waiting = Number(Attributes.ApproximateNumberOfMessages ?? 0);
  out(`${name}: ${waiting} message(s) waiting, ${Attributes.ApproximateNumberOfMessagesNotVisible ?? 0} in flight`);

  if (opts.dryRun) {
    // A look at the first messages; visibility 0 leaves them where they are.
    const peek = await client.send(new ReceiveMessageCommand({ QueueUrl, MaxNumberOfMessages: 10, VisibilityTimeout: 0, MessageSystemAttributeNames: ['SentTimestamp'] }));
    for (const m of peek.Messages ?? []) {
      const sent = m.Attributes?.SentTimestamp ? new Date(Number(m.Attributes.SentTimestamp)).toISOString() : '?';
      out(`  ${m.MessageId}  sent ${sent}  ${(m.Body ?? '').slice(0, 160)}`);
    }
    const { Results = [] } = await client.send(new ListMessageMoveTasksCommand({ SourceArn: arn, MaxResults: 10 }));
    for (const t of Results) out(`  earlier move: ${t.Status}, ${t.ApproximateNumberOfMessagesMoved ?? 0} moved, started ${new Date(t.StartedTimestamp ?? 0).toISOString()}`);
    out('dry run: nothing moved');
    return { deadLetterQueue: name, waiting };
  }
  if (waiting === 0) {
    out('nothing to move');
    return { deadLetterQueue: name, waiting, moved: 0, status: 'NOTHING_TO_MOVE' };
  }

  await client.send(new StartMessageMoveTaskCommand({ SourceArn: arn }));
  const until = Date.now() + (opts.waitMs ?? 15 * 60_000);
  for (;;) {
    const { Results = [] } = await client.send(new ListMessageMoveTasksCommand({ SourceArn: arn, MaxResults: 1 }));
    const task = Results[0];
    if (task && task.Status !== 'RUNNING' && task.Status !== 'CANCELLING') {
      const moved = task.ApproximateNumberOfMessagesMoved ?? 0;
      out(`move ${task.Status}: ${moved} of ${task.ApproximateNumberOfMessagesToMove ?? moved} message(s) moved back${task.FailureReason ? ` (${task.FailureReason})` : ''}`);
      return { deadLetterQueue: name, waiting, moved, status: task.Status };
    }
    if (Date.now() > until) {
      out(`move still ${task?.Status ?? 'starting'}: ${task?.ApproximateNumberOfMessagesMoved ?? 0} moved so far; it goes on in SQS`);
      return { deadLetterQueue: name, waiting, moved: task?.ApproximateNumberOfMessagesMoved, status: task?.Status };
    }
    if (task) out(`  ${task.ApproximateNumberOfMessagesMoved ?? 0} of ${task.ApproximateNumberOfMessagesToMove ?? '?'} moved ...`);
    await sleep(2000);
  }
}

async function main() {
  const { values } = parseArgs({
    options: {
      stage: { type: 'string' },
      queue: { type: 'string' },
      'dry-run': { type: 'boolean', default: false },
      local: { type: 'boolean', default: false },
      endpoint: { type: 'string' },
      handshake: { type: 'string', default: '.oms/local.json' },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  if (values.help || !values.stage || !values.queue) {
    console.log('usage: npm run redrive -- --stage <dev|staging|prod> --queue <name> [--dry-run] [--local | --endpoint URL]');
    process.exit(values.help ? 0 : 2);
  }
  let endpoint = values.endpoint;
  if (values.local && !endpoint) {
    try {
      endpoint = (JSON.parse(readFileSync(values.handshake!, 'utf8')) as { awsUrl?: string }).awsUrl;
    } catch {
      console.error(`Cannot read ${values.handshake}: start the local cloud first (npm start).`);
      process.exit(1);
    }
    if (!endpoint) {
      console.error(`${values.handshake} names no SQS endpoint (awsUrl): restart the local cloud.`);
      process.exit(1);
    }
  }
  const local = endpoint ? { endpoint, region: 'us-east-1', credentials: { accessKeyId: 'local', secretAccessKey: 'local' } } : {};
  const client = new SQSClient(local);
  try {
    await redrive({ client, stage: values.stage, queue: values.queue, dryRun: values['dry-run'] });
  } catch (err) {
    console.error(`redrive failed: ${(err as Error).name}: ${(err as Error).message}`);
    process.exit(1);
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) await main();
