import { Alarm, ComparisonOperator, TreatMissingData } from 'aws-cdk-lib/aws-cloudwatch';
import { SnsAction } from 'aws-cdk-lib/aws-cloudwatch-actions';
import type { ITopic } from 'aws-cdk-lib/aws-sns';
import type { IQueue } from 'aws-cdk-lib/aws-sqs';
import type { Construct } from 'constructs';
import type { StageConfig } from '../config';

/**
 * Alarm when a dead-letter (or failure) queue holds messages: each one is work the
 * system gave up on and a person has to look at.
 */
export function queueDepthAlarm(
  scope: Construct,
  id: string,
  props: { queue: IQueue; name: string; description: string; config: StageConfig; topic?: ITopic },
): Alarm {
  const alarm = new Alarm(scope, id, {
    alarmName: `${props.name}-not-empty`,
    alarmDescription: props.description,
    metric: props.queue.metricApproximateNumberOfMessagesVisible({
      period: props.config.alarms.period,
      statistic: 'Maximum',
    }),
    threshold: props.config.alarms.dlqDepthThreshold,
    comparisonOperator: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
    evaluationPeriods: 1,
    treatMissingData: TreatMissingData.NOT_BREACHING,
  });
  if (props.topic) alarm.addAlarmAction(new SnsAction(props.topic));
  return alarm;
}
