import { Stack } from 'aws-cdk-lib';
import { Topic } from 'aws-cdk-lib/aws-sns';
import { EmailSubscription } from 'aws-cdk-lib/aws-sns-subscriptions';
import { Construct } from 'constructs';
import { DEFAULT_NOTIFICATION_SETTINGS } from '../../shared/domain/notifications';
import type { StageConfig } from '../config';
import type { OmsFunction } from './oms-function';

export interface DepartmentTopicsProps {
  readonly config: StageConfig;
  /** the worker that publishes notifications */
  readonly publisher: OmsFunction;
}

/**
 * One SNS topic per department of the default notification settings (and any that
 * the stage subscribes addresses to), subscriptions from the stage settings. The
 * publisher gets them as DEPARTMENT_TOPICS (JSON department -> ARN). A department an
 * admin adds later without a topic still has its notifications recorded.
 */
export class DepartmentTopics extends Construct {
  readonly topics = new Map<string, Topic>();

  constructor(scope: Construct, id: string, props: DepartmentTopicsProps) {
    super(scope, id);
    const { config, publisher } = props;
    const departments = new Set([...Object.keys(DEFAULT_NOTIFICATION_SETTINGS.departments), ...Object.keys(config.notifications.departmentEmails)]);
    for (const department of [...departments].sort()) {
      const topic = new Topic(this, department, {
        topicName: `oms-${config.stage}-notify-${department}`,
        displayName: `OMS ${DEFAULT_NOTIFICATION_SETTINGS.departments[department]?.name ?? department}`,
        enforceSSL: true,
      });
      for (const email of config.notifications.departmentEmails[department] ?? []) topic.addSubscription(new EmailSubscription(email));
      topic.grantPublish(publisher.fn);
      this.topics.set(department, topic);
    }
    const arns = Object.fromEntries([...this.topics].map(([d, t]) => [d, t.topicArn]));
    publisher.fn.addEnvironment('DEPARTMENT_TOPICS', Stack.of(this).toJsonString(arns));
  }
}
