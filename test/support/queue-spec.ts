import type { QueueSpec } from '../../infra/local/template';

/** A local queue's ARN in the local cloud's account and region. */
export const queueArn = (name: string) => `arn:aws:sqs:us-east-1:000000000000:${name}`;

/** A standard queue as the local cloud reads it from a template (30 s visibility, 4 days), with overrides. */
export const queueSpec = (name: string, extra: Partial<QueueSpec> = {}): QueueSpec => ({
  stack: 'S',
  logicalId: name,
  name,
  url: `http://127.0.0.1:1/000000000000/${name}`,
  arn: queueArn(name),
  fifo: false,
  visibilityTimeoutSeconds: 30,
  delaySeconds: 0,
  retentionSeconds: 345600,
  ...extra,
});
