import { Duration, Validations } from 'aws-cdk-lib';
import type { Alarm } from 'aws-cdk-lib/aws-cloudwatch';
import { Rule, Schedule } from 'aws-cdk-lib/aws-events';
import { LambdaFunction } from 'aws-cdk-lib/aws-events-targets';
import { SqsDestination } from 'aws-cdk-lib/aws-lambda-destinations';
import type { ITopic } from 'aws-cdk-lib/aws-sns';
import { Queue, QueueEncryption } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import type { StageConfig } from '../config';
import { queueDepthAlarm } from './depth-alarm';
import type { OmsFunction } from './oms-function';

export interface ScheduledStepProps {
  readonly config: StageConfig;
  readonly fn: OmsFunction;
  /** EventBridge schedule expression */
  readonly schedule: string;
  readonly description: string;
  readonly alarmTopic: ITopic;
}

/**
 * A step on a timetable: schedule rule -> function, and a dead-letter queue that keeps
 * every run that did not happen. A run EventBridge could not deliver lands there (the
 * rule target's DLQ), and so does one whose function failed (the function's
 * asynchronous on-failure destination, after Lambda's own retries); its depth alarms.
 * Nothing is re-driven from it: the next run does the work, the messages say what failed.
 */
export class ScheduledStep extends Construct {
  readonly rule: Rule;
  readonly deadLetterQueue: Queue;
  readonly dlqAlarm: Alarm;

  constructor(scope: Construct, id: string, props: ScheduledStepProps) {
    super(scope, id);
    const { config, fn } = props;
    const name = `oms-${config.stage}-${fn.step}-runs-dlq`;
    this.deadLetterQueue = new Queue(this, 'DeadLetterQueue', {
      queueName: name,
      encryption: QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      retentionPeriod: Duration.days(14),
    });
    Validations.of(this.deadLetterQueue).acknowledge({
      id: 'AwsSolutions-SQS3',
      reason: 'This queue is itself the dead-letter queue of a schedule target and of its function\'s failed runs; it is alarmed, not consumed.',
    });
    this.rule = new Rule(this, 'Rule', {
      description: props.description,
      schedule: Schedule.expression(props.schedule),
      // no re-delivery: the next run, a period later, picks up whatever is left
      targets: [new LambdaFunction(fn.fn, { retryAttempts: 0, deadLetterQueue: this.deadLetterQueue })],
    });
    fn.fn.configureAsyncInvoke({ onFailure: new SqsDestination(this.deadLetterQueue) });
    this.dlqAlarm = queueDepthAlarm(this, 'DeadLetterAlarm', {
      queue: this.deadLetterQueue,
      name,
      description: `Scheduled runs of ${fn.step} failed or were not delivered: the messages say which; the next run retries the work.`,
      config,
      topic: props.alarmTopic,
    });
  }
}
