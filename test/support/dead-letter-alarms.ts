// The dead-letter queues of a synthesized template and which of them have a depth alarm: what
// "in a DLQ with an alarm" means, read from the cloud assembly the local cloud serves.
import { readAssembly } from '../../infra/local/template';

type Resource = { Type: string; Properties?: Record<string, any> };

const logicalIdOf = (ref: unknown): string | undefined => {
  const r = ref as { 'Fn::GetAtt'?: [string, string]; Ref?: string } | undefined;
  return r?.['Fn::GetAtt']?.[0] ?? r?.Ref;
};

export interface DeadLetterAlarms {
  /** Every dead-letter queue of the template, by queue name: redrive targets, stream OnFailure destinations, rule targets' DLQs. */
  deadLetterQueues: string[];
  /** Queue names with an alarm on ApproximateNumberOfMessagesVisible that notifies someone. */
  alarmed: Set<string>;
}

export function deadLetterAlarms(assemblyDir: string): DeadLetterAlarms {
  const deadLetterQueues = new Set<string>();
  const alarmed = new Set<string>();
  for (const { template } of readAssembly(assemblyDir).stacks) {
    const resources = (template.Resources ?? {}) as Record<string, Resource>;
    const queueName = (id: string | undefined) => (id && resources[id]?.Type === 'AWS::SQS::Queue' ? String(resources[id]!.Properties?.QueueName ?? id) : undefined);
    const add = (ref: unknown) => {
      const name = queueName(logicalIdOf(ref));
      if (name) deadLetterQueues.add(name);
    };
    for (const r of Object.values(resources)) {
      const p = r.Properties ?? {};
      if (r.Type === 'AWS::SQS::Queue') add(p.RedrivePolicy?.deadLetterTargetArn);
      if (r.Type === 'AWS::Lambda::EventSourceMapping') add(p.DestinationConfig?.OnFailure?.Destination);
      if (r.Type === 'AWS::Events::Rule') for (const t of p.Targets ?? []) add(t.DeadLetterConfig?.Arn);
      if (r.Type === 'AWS::CloudWatch::Alarm' && p.Namespace === 'AWS/SQS' && p.MetricName === 'ApproximateNumberOfMessagesVisible' && (p.AlarmActions ?? []).length > 0) {
        const dimension = (p.Dimensions ?? []).find((d: { Name: string }) => d.Name === 'QueueName');
        const name = queueName(logicalIdOf(dimension?.Value));
        if (name) alarmed.add(name);
      }
    }
  }
  return { deadLetterQueues: [...deadLetterQueues].sort(), alarmed };
}

/** Dead-letter queues the local cloud's log says messages reached: a queue's redrive, or a stream batch's OnFailure. */
export function deadLetteredIn(lines: string[]): Set<string> {
  const queues = new Set<string>();
  for (const line of lines) {
    const redriven = / -> dead-letter queue (\S+)$/.exec(line);
    if (redriven) queues.add(redriven[1]!);
    const failed = /: retries exhausted, .* sent to arn:aws:sqs:[^:]+:[^:]+:(\S+)$/.exec(line);
    if (failed) queues.add(failed[1]!);
  }
  return queues;
}
