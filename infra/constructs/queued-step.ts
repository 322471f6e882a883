import { Duration } from 'aws-cdk-lib';
import type { Alarm } from 'aws-cdk-lib/aws-cloudwatch';
import { Rule, type EventPattern, type IEventBus } from 'aws-cdk-lib/aws-events';
import { SqsQueue } from 'aws-cdk-lib/aws-events-targets';
import { SqsEventSource } from 'aws-cdk-lib/aws-lambda-event-sources';
import type { ITopic } from 'aws-cdk-lib/aws-sns';
import { Queue, QueueEncryption } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import type { StageConfig } from '../config';
import { queueDepthAlarm } from './depth-alarm';
import type { OmsFunction } from './oms-function';

export const MAX_RECEIVE_COUNT = 5;

export interface QueuedStepProps {
  readonly config: StageConfig;
  /** the bus rule that feeds the queue; none for a queue its producer sends to directly */
  readonly bus?: IEventBus;
  readonly pattern?: EventPattern;
  readonly fn: OmsFunction;
  /** Queue name within the stage, e.g. `reservations`. */
  readonly queueName: string;
  readonly alarmTopic?: ITopic;
  readonly batchSize?: number;
  /**
   * A step off the order's path (nobody waits on it): the event source gathers messages for up
   * to `windowSeconds` into batches of up to `batchSize`, so fewer invocations each carry more
   * (config `offPathBatching`). Absent: each batch goes as soon as there is a message.
   */
  readonly batching?: { readonly windowSeconds: number; readonly batchSize: number };
}

/**
 * A step driven by events: bus rule (or a direct producer) -> SQS queue (+ DLQ) -> function with partial
 * batch failures. The queue absorbs bursts and retries; after MAX_RECEIVE_COUNT
 * failed receives a message parks in the DLQ, whose depth raises an alarm.
 */
export class QueuedStep extends Construct {
  readonly queue: Queue;
  readonly deadLetterQueue: Queue;
  readonly rule?: Rule;
  readonly dlqAlarm: Alarm;

  constructor(scope: Construct, id: string, props: QueuedStepProps) {
    super(scope, id);
    const { config, fn } = props;
    const name = `oms-${config.stage}-${props.queueName}`;

    this.deadLetterQueue = new Queue(this, 'DeadLetterQueue', {
      queueName: `${name}-dlq`,
      encryption: QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      retentionPeriod: Duration.days(14),
    });
    this.queue = new Queue(this, 'Queue', {
      queueName: name,
      encryption: QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      // AWS's guidance for Lambda consumers: at least six times the function timeout (plus the
      // batching window), so a message is not redelivered while a retried batch is still running.
      visibilityTimeout: Duration.seconds(fn.timeout.toSeconds() * 6 + (props.batching?.windowSeconds ?? 0)),
      deadLetterQueue: { queue: this.deadLetterQueue, maxReceiveCount: MAX_RECEIVE_COUNT },
    });

    if (props.bus && props.pattern) {
      this.rule = new Rule(this, 'Rule', {
        eventBus: props.bus,
        eventPattern: props.pattern,
        // Events the bus cannot deliver to the queue are parked with the failed ones.
        targets: [new SqsQueue(this.queue, { deadLetterQueue: this.deadLetterQueue })],
      });
    }

    fn.fn.addEventSource(
      new SqsEventSource(this.queue, {
        batchSize: props.batching?.batchSize ?? props.batchSize ?? 10,
        ...(props.batching ? { maxBatchingWindow: Duration.seconds(props.batching.windowSeconds) } : {}),
        reportBatchItemFailures: true,
      }),
    );

    this.dlqAlarm = queueDepthAlarm(this, 'DeadLetterAlarm', {
      queue: this.deadLetterQueue,
      name: `${name}-dlq`,
      description: `${fn.step} gave up on messages from ${name}; inspect them and redrive.`,
      config,
      topic: props.alarmTopic,
    });
  }
}
