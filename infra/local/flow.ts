// What is moving through the local cloud, for GET /_local/events, /_local/queues and
// /_local/queues/{name}/dead-letters: recent bus events, queue depths and what dead-letter
// queues hold. Read-only views over the bus and the queues; nothing here changes a message.
import type { BusRecord } from './bus';
import type { LocalQueues, StoredMessage } from './queues';
import { functionNameOfArn, type CloudModel } from './template';

export interface QueueView {
  name: string;
  url: string;
  /** Received now: visible; being processed: in flight; sent with a delay: delayed. */
  messages: { visible: number; inFlight: number; delayed: number };
  /** Where this queue's consumer sends what it gives up on. */
  deadLetterQueue?: string;
  maxReceiveCount?: number;
  /** This is a dead-letter queue: of these queues, stream mappings or schedule targets. */
  deadLetterFor?: string[];
}

export interface DeadLetterView {
  queue: string;
  /** For a queue with a dead-letter queue: that queue; for a dead-letter queue: itself. */
  deadLetterQueue: string;
  messages: {
    messageId: string;
    /** The body as JSON when it is JSON, else the text. */
    body: unknown;
    sentAt: string;
    receiveCount: number;
    /** The queue it was dead-lettered from, when it came through a redrive policy. */
    from?: string;
  }[];
}

/** What feeds each dead-letter queue, by queue name: redrive policies, stream mappings' OnFailure, rule targets' DeadLetterConfig. */
function deadLetterSources(model: CloudModel): Map<string, string[]> {
  const nameOf = (arn: string) => model.queues.find((q) => q.arn === arn)?.name;
  // functions by their short label (expire-unpaid), as the log names them
  const labelOf = (name: string | undefined) => model.functions.find((f) => f.name === name)?.label ?? name;
  const sources = new Map<string, string[]>();
  const add = (arn: string | undefined, source: string) => {
    const name = arn && nameOf(arn);
    if (name) sources.set(name, [...(sources.get(name) ?? []), source]);
  };
  for (const q of model.queues) add(q.redrive?.deadLetterTargetArn, `queue ${q.name}`);
  for (const m of model.mappings) add(m.onFailureArn, `${m.kind} mapping of ${labelOf(m.functionName)}`);
  for (const r of model.rules) {
    for (const t of r.targets) {
      const target = t.kind === 'sqs' ? `queue ${nameOf(t.arn)}` : t.kind === 'lambda' ? `function ${labelOf(functionNameOfArn(t.arn))}` : t.arn;
      add(t.deadLetterArn, `rule ${r.logicalId} -> ${target}`);
    }
  }
  return sources;
}

export function queueViews(model: CloudModel, queues: LocalQueues): QueueView[] {
  const sources = deadLetterSources(model);
  return model.queues.map((q) => {
    const a = queues.attributes(q.name);
    const dlq = q.redrive && model.queues.find((d) => d.arn === q.redrive!.deadLetterTargetArn)?.name;
    return {
      name: q.name,
      url: q.url,
      messages: {
        visible: Number(a.ApproximateNumberOfMessages),
        inFlight: Number(a.ApproximateNumberOfMessagesNotVisible),
        delayed: Number(a.ApproximateNumberOfMessagesDelayed),
      },
      ...(dlq ? { deadLetterQueue: dlq, maxReceiveCount: q.redrive!.maxReceiveCount } : {}),
      ...(sources.has(q.name) ? { deadLetterFor: sources.get(q.name)! } : {}),
    };
  });
}

/**
 * A queue by its full name or the end of it after a dash (`reservations` for
 * `oms-dev-reservations`); undefined when none or several match.
 */
export function findQueueName(model: CloudModel, name: string): string | undefined {
  if (model.queues.some((q) => q.name === name)) return name;
  const matches = model.queues.filter((q) => q.name.endsWith(`-${name}`));
  return matches.length === 1 ? matches[0]!.name : undefined;
}

/** What the dead-letter queue of `name` holds (`name` may also be the dead-letter queue itself). */
export function deadLetters(model: CloudModel, queues: LocalQueues, name: string): DeadLetterView | { error: string } {
  const found = findQueueName(model, name);
  if (!found) return { error: `There is no queue ${name} (GET /_local/queues lists them).` };
  const spec = model.queues.find((q) => q.name === found)!;
  const dlq = spec.redrive ? model.queues.find((q) => q.arn === spec.redrive!.deadLetterTargetArn)?.name : deadLetterSources(model).has(found) ? found : undefined;
  if (!dlq) return { error: `Queue ${found} has no dead-letter queue and is not one.` };
  return { queue: found, deadLetterQueue: dlq, messages: queues.peek(dlq).map(messageView) };
}

function messageView(m: StoredMessage): DeadLetterView['messages'][number] {
  let body: unknown = m.body;
  try {
    body = JSON.parse(m.body);
  } catch {
    // not JSON: shown as the text it is
  }
  return {
    messageId: m.messageId,
    body,
    sentAt: new Date(m.sentTimestamp).toISOString(),
    receiveCount: m.receiveCount,
    ...(m.deadLetterSource ? { from: m.deadLetterSource } : {}),
  };
}

/** GET /_local/events' answer: newest first, each event as EventBridge delivered it and where it went. */
export function eventsView(records: BusRecord[]) {
  return { events: records.map((r) => ({ ...r.event, bus: r.bus, deliveredTo: r.deliveredTo })) };
}
