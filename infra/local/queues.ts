// Local SQS semantics for the subset the system uses: send (with delay), receive with
// a visibility timeout, delete by the latest receipt handle, change visibility, and
// redrive to a dead-letter queue once a message has been received maxReceiveCount
// times. Every change is written to the store before it is acknowledged, so nothing
// acknowledged is lost across a restart.
import { createHash, randomBytes, randomUUID } from 'node:crypto';
import type { QueueSpec } from './template';

export interface MessageAttributeValue {
  DataType: string;
  StringValue?: string;
  BinaryValue?: string;
}

export interface StoredMessage {
  messageId: string;
  body: string;
  md5OfBody: string;
  messageAttributes?: Record<string, MessageAttributeValue>;
  md5OfMessageAttributes?: string;
  sentTimestamp: number;
  senderId: string;
  receiveCount: number;
  firstReceiveTimestamp?: number;
  visibleAt: number;
  /** The receipt handle of the latest receive; older handles no longer delete. */
  receipt?: string;
  seq: number;
  groupId?: string;
  /** In a dead-letter queue: the queue it was dead-lettered from (where a move task takes it back). */
  deadLetterSource?: string;
}

export interface ReceivedMessage {
  MessageId: string;
  ReceiptHandle: string;
  MD5OfBody: string;
  Body: string;
  Attributes: Record<string, string>;
  MessageAttributes?: Record<string, MessageAttributeValue>;
  MD5OfMessageAttributes?: string;
}

/** Durable storage of queue messages (LevelDB in the data folder, or nothing in memory). */
export interface MessageStore {
  put(queue: string, msg: StoredMessage): Promise<void>;
  del(queue: string, messageId: string): Promise<void>;
}

export class QueueError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly status = 400,
  ) {
    super(message);
  }
}

const md5 = (s: string | Buffer) => createHash('md5').update(s).digest('hex');

/** MD5 of message attributes as SQS computes it (sorted names, length-prefixed fields). */
export function md5OfMessageAttributes(attrs: Record<string, MessageAttributeValue>): string {
  const parts: Buffer[] = [];
  const lenPrefixed = (b: Buffer) => {
    const len = Buffer.alloc(4);
    len.writeUInt32BE(b.length);
    parts.push(len, b);
  };
  for (const name of Object.keys(attrs).sort()) {
    const a = attrs[name]!;
    lenPrefixed(Buffer.from(name, 'utf8'));
    lenPrefixed(Buffer.from(a.DataType, 'utf8'));
    if (a.BinaryValue !== undefined) {
      parts.push(Buffer.from([2]));
      lenPrefixed(Buffer.from(a.BinaryValue, 'base64'));
    } else {
      parts.push(Buffer.from([1]));
      lenPrefixed(Buffer.from(a.StringValue ?? '', 'utf8'));
    }
  }
  return md5(Buffer.concat(parts));
}

interface Queue {
  spec: QueueSpec;
  messages: Map<string, StoredMessage>;
}

/** A message move task (SQS StartMessageMoveTask), as ListMessageMoveTasks reports it. */
export interface MoveTask {
  TaskHandle: string;
  Status: 'RUNNING' | 'COMPLETED' | 'CANCELLING' | 'CANCELLED' | 'FAILED';
  SourceArn: string;
  DestinationArn?: string;
  ApproximateNumberOfMessagesMoved: number;
  ApproximateNumberOfMessagesToMove: number;
  StartedTimestamp: number;
}

export interface SendInput {
  body: string;
  delaySeconds?: number;
  messageAttributes?: Record<string, MessageAttributeValue>;
  groupId?: string;
}

export class LocalQueues {
  private readonly queues = new Map<string, Queue>();
  private readonly listeners = new Set<(queue: string) => void>();
  private seq = 0;
  /** Receipt handles differ for every receive: a random part per start, then a counter (no random bytes drawn per message). */
  private readonly receiptPrefix = randomBytes(8).toString('hex');
  private receipts = 0;
  /** Message move tasks, newest first (in memory: lost on restart). */
  private readonly moveTasks: MoveTask[] = [];

  constructor(
    specs: QueueSpec[],
    private readonly opts: {
      now?: () => number;
      store?: MessageStore;
      log?: (line: string) => void;
      accountId?: string;
    } = {},
  ) {
    for (const spec of specs) this.queues.set(spec.name, { spec, messages: new Map() });
  }

  private now() {
    return this.opts.now ? this.opts.now() : Date.now();
  }

  specs(): QueueSpec[] {
    return [...this.queues.values()].map((q) => q.spec);
  }

  /** Restores messages read back from the store at startup. */
  restore(queue: string, msg: StoredMessage): void {
    const q = this.queues.get(queue);
    if (!q) return; // the queue left the template: its messages are dropped
    q.messages.set(msg.messageId, msg);
    this.seq = Math.max(this.seq, msg.seq);
  }

  /** Finds a queue by name, URL or ARN. */
  find(ref: string): QueueSpec {
    const name = ref.startsWith('arn:') ? ref.slice(ref.lastIndexOf(':') + 1) : ref.slice(ref.lastIndexOf('/') + 1);
    const q = this.queues.get(name);
    if (!q) throw new QueueError('AWS.SimpleQueueService.NonExistentQueue', 'The specified queue does not exist.');
    return q.spec;
  }

  private queue(ref: string): Queue {
    return this.queues.get(this.find(ref).name)!;
  }

  onMessage(listener: (queue: string) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  async send(ref: string, input: SendInput): Promise<{ MessageId: string; MD5OfMessageBody: string; MD5OfMessageAttributes?: string }> {
    const q = this.queue(ref);
    if (typeof input.body !== 'string' || input.body.length === 0) {
      throw new QueueError('MissingParameter', 'The request must contain the parameter MessageBody.');
    }
    if (Buffer.byteLength(input.body) > 262_144) {
      throw new QueueError('InvalidParameterValue', 'One or more parameters are invalid. Reason: Message must be shorter than 262144 bytes.');
    }
    const now = this.now();
    const attrs = input.messageAttributes && Object.keys(input.messageAttributes).length ? input.messageAttributes : undefined;
    const msg: StoredMessage = {
      messageId: randomUUID(),
      body: input.body,
      md5OfBody: md5(input.body),
      messageAttributes: attrs,
      md5OfMessageAttributes: attrs ? md5OfMessageAttributes(attrs) : undefined,
      sentTimestamp: now,
      senderId: this.opts.accountId ?? '000000000000',
      receiveCount: 0,
      visibleAt: now + 1000 * (input.delaySeconds ?? q.spec.delaySeconds),
      seq: ++this.seq,
      groupId: input.groupId,
    };
    await this.opts.store?.put(q.spec.name, msg);
    q.messages.set(msg.messageId, msg);
    this.notify(q.spec.name);
    return { MessageId: msg.messageId, MD5OfMessageBody: msg.md5OfBody, MD5OfMessageAttributes: msg.md5OfMessageAttributes };
  }

  private notify(name: string) {
    for (const l of this.listeners) l(name);
  }

  /** Receives what is visible now (no waiting). */
  async receiveNow(ref: string, max = 1, visibilityTimeoutSeconds?: number): Promise<ReceivedMessage[]> {
    const q = this.queue(ref);
    const now = this.now();
    const vt = visibilityTimeoutSeconds ?? q.spec.visibilityTimeoutSeconds;
    // Messages mostly sit in the map in send order already; sorted only when they do not.
    const ready: StoredMessage[] = [];
    let ordered = true;
    for (const m of q.messages.values()) {
      if (m.visibleAt > now) continue;
      if (ready.length > 0 && ready[ready.length - 1]!.seq > m.seq) ordered = false;
      ready.push(m);
    }
    if (!ordered) ready.sort((a, b) => a.seq - b.seq);
    const out: ReceivedMessage[] = [];
    for (const m of ready) {
      if (out.length >= max) break;
      if (now - m.sentTimestamp > q.spec.retentionSeconds * 1000) {
        await this.drop(q, m, 'expired (retention period)');
        continue;
      }
      const redrive = q.spec.redrive;
      if (redrive && m.receiveCount >= redrive.maxReceiveCount) {
        await this.moveToDeadLetter(q, m, redrive.deadLetterTargetArn);
        continue;
      }
      m.receiveCount += 1;
      m.firstReceiveTimestamp ??= now;
      m.visibleAt = now + vt * 1000;
      m.receipt = Buffer.from(`${q.spec.name}\n${m.messageId}\n${this.receiptPrefix}${(++this.receipts).toString(16)}`).toString('base64');
      await this.opts.store?.put(q.spec.name, m);
      out.push(this.view(m));
    }
    return out;
  }

  /** Long-polls up to `waitSeconds` for at least one message. */
  async receive(ref: string, max = 1, visibilityTimeoutSeconds?: number, waitSeconds = 0, signal?: AbortSignal): Promise<ReceivedMessage[]> {
    const name = this.find(ref).name;
    const until = Date.now() + waitSeconds * 1000;
    for (;;) {
      const got = await this.receiveNow(name, max, visibilityTimeoutSeconds);
      if (got.length || Date.now() >= until || signal?.aborted) return got;
      await new Promise<void>((resolve) => {
        const done = () => {
          clearTimeout(timer);
          off();
          signal?.removeEventListener('abort', done);
          resolve();
        };
        // Wake on a new message, or re-check soon for messages becoming visible again.
        const timer = setTimeout(done, Math.min(200, Math.max(0, until - Date.now())));
        const off = this.onMessage((q) => q === name && done());
        signal?.addEventListener('abort', done);
      });
    }
  }

  private view(m: StoredMessage): ReceivedMessage {
    const attributes: Record<string, string> = {
      ApproximateReceiveCount: String(m.receiveCount),
      SentTimestamp: String(m.sentTimestamp),
      SenderId: m.senderId,
      ApproximateFirstReceiveTimestamp: String(m.firstReceiveTimestamp ?? m.sentTimestamp),
    };
    if (m.groupId) attributes.MessageGroupId = m.groupId;
    return {
      MessageId: m.messageId,
      ReceiptHandle: m.receipt!,
      MD5OfBody: m.md5OfBody,
      Body: m.body,
      Attributes: attributes,
      MessageAttributes: m.messageAttributes,
      MD5OfMessageAttributes: m.md5OfMessageAttributes,
    };
  }

  private byReceipt(q: Queue, receiptHandle: string): StoredMessage | undefined {
    let decoded = '';
    try {
      decoded = Buffer.from(receiptHandle, 'base64').toString('utf8');
    } catch {
      // fall through to the error below
    }
    const [queueName, messageId] = decoded.split('\n');
    if (queueName !== q.spec.name || !messageId) {
      throw new QueueError('ReceiptHandleIsInvalid', `The input receipt handle "${receiptHandle}" is not a valid receipt handle.`);
    }
    const m = q.messages.get(messageId);
    // As in SQS, a stale handle (the message was received again since) is accepted but does nothing.
    return m && m.receipt === receiptHandle ? m : undefined;
  }

  async delete(ref: string, receiptHandle: string): Promise<void> {
    const q = this.queue(ref);
    const m = this.byReceipt(q, receiptHandle);
    if (!m) return;
    await this.opts.store?.del(q.spec.name, m.messageId);
    q.messages.delete(m.messageId);
  }

  async changeVisibility(ref: string, receiptHandle: string, seconds: number): Promise<void> {
    const q = this.queue(ref);
    const m = this.byReceipt(q, receiptHandle);
    if (!m) return;
    if (m.visibleAt <= this.now()) {
      throw new QueueError('MessageNotInflight', 'The message referred to is not in flight.');
    }
    m.visibleAt = this.now() + seconds * 1000;
    await this.opts.store?.put(q.spec.name, m);
    if (seconds === 0) this.notify(q.spec.name);
  }

  private async moveToDeadLetter(q: Queue, m: StoredMessage, dlqArn: string) {
    const dlq = this.queue(dlqArn);
    const moved: StoredMessage = { ...m, visibleAt: this.now(), receipt: undefined, seq: ++this.seq, deadLetterSource: q.spec.name };
    await this.opts.store?.put(dlq.spec.name, moved);
    dlq.messages.set(moved.messageId, moved);
    await this.opts.store?.del(q.spec.name, m.messageId);
    q.messages.delete(m.messageId);
    this.opts.log?.(`queue ${q.spec.name}: message ${m.messageId} received ${m.receiveCount} times -> dead-letter queue ${dlq.spec.name}`);
    this.notify(dlq.spec.name);
  }

  /**
   * SQS's message move task: the dead-letter queue's messages that are not in flight go back to the
   * queue each came from (or to `destinationRef`), as new deliveries (receive count 0). The move is
   * done before this returns, so the task is COMPLETED at once.
   */
  async startMoveTask(sourceRef: string, destinationRef?: string): Promise<MoveTask> {
    const source = this.queue(sourceRef);
    const feeders = this.specs().filter((s) => s.redrive && this.find(s.redrive.deadLetterTargetArn).name === source.spec.name);
    if (feeders.length === 0) throw new QueueError('InvalidParameterValue', 'Source queue must be configured as a Dead Letter Queue.');
    const destination = destinationRef === undefined ? undefined : this.queue(destinationRef);
    const now = this.now();
    const ready = [...source.messages.values()].filter((m) => m.visibleAt <= now).sort((a, b) => a.seq - b.seq);
    const task: MoveTask = {
      TaskHandle: Buffer.from(JSON.stringify({ taskId: randomUUID(), sourceArn: source.spec.arn })).toString('base64'),
      Status: 'RUNNING',
      SourceArn: source.spec.arn,
      ...(destination ? { DestinationArn: destination.spec.arn } : {}),
      ApproximateNumberOfMessagesMoved: 0,
      ApproximateNumberOfMessagesToMove: ready.length,
      StartedTimestamp: now,
    };
    this.moveTasks.unshift(task);
    for (const m of ready) {
      // A message dead-lettered before its origin was recorded goes back to the only queue feeding this one.
      const target = destination ?? (m.deadLetterSource ? this.queues.get(m.deadLetterSource) : feeders.length === 1 ? this.queues.get(feeders[0]!.name) : undefined);
      if (!target) continue;
      const back: StoredMessage = { ...m, receiveCount: 0, firstReceiveTimestamp: undefined, receipt: undefined, deadLetterSource: undefined, sentTimestamp: now, visibleAt: now, seq: ++this.seq };
      await this.opts.store?.put(target.spec.name, back);
      target.messages.set(back.messageId, back);
      await this.opts.store?.del(source.spec.name, m.messageId);
      source.messages.delete(m.messageId);
      task.ApproximateNumberOfMessagesMoved++;
      this.notify(target.spec.name);
    }
    task.Status = 'COMPLETED';
    this.opts.log?.(`queue ${source.spec.name}: ${task.ApproximateNumberOfMessagesMoved} message(s) moved back${destination ? ` to ${destination.spec.name}` : ''}`);
    return task;
  }

  /** The latest message move tasks of a dead-letter queue, newest first (ListMessageMoveTasks). */
  listMoveTasks(sourceRef: string, max = 1): MoveTask[] {
    const arn = this.find(sourceRef).arn;
    return this.moveTasks.filter((t) => t.SourceArn === arn).slice(0, max);
  }

  private async drop(q: Queue, m: StoredMessage, why: string) {
    await this.opts.store?.del(q.spec.name, m.messageId);
    q.messages.delete(m.messageId);
    this.opts.log?.(`queue ${q.spec.name}: message ${m.messageId} dropped: ${why}`);
  }

  attributes(ref: string): Record<string, string> {
    const q = this.queue(ref);
    const now = this.now();
    const all = [...q.messages.values()];
    const attrs: Record<string, string> = {
      QueueArn: q.spec.arn,
      ApproximateNumberOfMessages: String(all.filter((m) => m.visibleAt <= now).length),
      ApproximateNumberOfMessagesNotVisible: String(all.filter((m) => m.visibleAt > now && m.receiveCount > 0).length),
      ApproximateNumberOfMessagesDelayed: String(all.filter((m) => m.visibleAt > now && m.receiveCount === 0).length),
      VisibilityTimeout: String(q.spec.visibilityTimeoutSeconds),
      DelaySeconds: String(q.spec.delaySeconds),
      MessageRetentionPeriod: String(q.spec.retentionSeconds),
      FifoQueue: String(q.spec.fifo),
    };
    if (q.spec.redrive) attrs.RedrivePolicy = JSON.stringify(q.spec.redrive);
    return attrs;
  }

  /** The messages a queue holds (waiting, in flight or delayed), oldest first, without receiving them. */
  peek(ref: string): StoredMessage[] {
    return [...this.queue(ref).messages.values()].sort((a, b) => a.seq - b.seq);
  }

  /** Messages waiting or in flight, per queue (for GET /_local/queues and tests). */
  depth(ref: string): number {
    return this.queue(ref).messages.size;
  }
}
