// The local event bus: PutEvents entries become EventBridge events, every enabled
// rule on that bus whose pattern matches gets the event, and each target receives
// it (queues durably before PutEvents answers; functions asynchronously).
import { randomUUID } from 'node:crypto';
import type { LocalApiDestinations } from './api-destinations';
import { matchesPattern } from './event-pattern';
import type { LocalFirehose } from './firehose';
import { jsonPath, transformInput, type TransformContext } from './input-transformer';
import type { LocalQueues } from './queues';
import type { RuleSpec, TargetSpec } from './template';

export interface PutEventsEntry {
  Source?: string;
  DetailType?: string;
  Detail?: string;
  EventBusName?: string;
  Resources?: string[];
  Time?: string | number;
  TraceHeader?: string;
}

export type PutEventsResultEntry = { EventId: string } | { ErrorCode: string; ErrorMessage: string };

export interface EventBridgeEvent {
  version: '0';
  id: string;
  'detail-type': string;
  source: string;
  account: string;
  time: string;
  region: string;
  resources: string[];
  detail: unknown;
}

/** An event the bus received, and where it went (GET /_local/events). */
export interface BusRecord {
  bus: string;
  event: EventBridgeEvent;
  /** "queue oms-dev-reservations (rule ...)", "function notify (rule ...)"; empty: no rule matched. */
  deliveredTo: string[];
}

/** How many received events the bus remembers for GET /_local/events (older ones are forgotten). */
export const RECENT_EVENTS = 1000;

export interface BusDeps {
  rules: RuleSpec[];
  buses: string[];
  queues: LocalQueues;
  /** Delivery streams (rule targets of kind firehose); absent = such targets are skipped. */
  firehose?: Pick<LocalFirehose, 'put' | 'find'>;
  /** API destinations (rule targets of kind api-destination); absent = such targets are skipped. */
  apiDestinations?: Pick<LocalApiDestinations, 'has' | 'deliver'>;
  /** A rule's ARN (for `<aws.events.rule-arn>` and dead letters). */
  ruleArn?: (rule: RuleSpec) => string;
  invokeAsync: (functionName: string, event: unknown, why: string) => void;
  functionOfArn: (arn: string) => string | undefined;
  region: string;
  accountId: string;
  log: (line: string) => void;
}

const busName = (nameOrArn: string | undefined) => {
  const v = nameOrArn || 'default';
  return v.startsWith('arn:') ? v.slice(v.lastIndexOf('/') + 1) : v;
};

/** Applies a target's Input, InputPath or InputTransformer to the event (input-transformer.ts: EventBridge's rules). */
export function targetInput(t: TargetSpec, event: EventBridgeEvent, ctx: TransformContext = {}): string {
  if (t.input !== undefined) return t.input;
  if (t.inputPath) return JSON.stringify(jsonPath(event, t.inputPath));
  if (t.inputTransformer) return transformInput(t.inputTransformer, event as unknown as Record<string, unknown>, ctx);
  return JSON.stringify(event);
}

export class LocalBus {
  private readonly recentEvents: BusRecord[] = [];

  constructor(private readonly deps: BusDeps) {}

  /**
   * Events received lately, optionally of one detail-type and/or source: the latest
   * arrivals, newest first by the event's time (publishers such as the outbox relay's
   * containers may deliver a later event before an earlier one).
   */
  recent(filter: { detailType?: string; source?: string; limit?: number } = {}): BusRecord[] {
    const out: BusRecord[] = [];
    for (let i = this.recentEvents.length - 1; i >= 0 && out.length < (filter.limit ?? RECENT_EVENTS); i--) {
      const r = this.recentEvents[i]!;
      if (filter.detailType !== undefined && r.event['detail-type'] !== filter.detailType) continue;
      if (filter.source !== undefined && r.event.source !== filter.source) continue;
      out.push(r);
    }
    return out.sort((a, b) => String(b.event.time ?? '').localeCompare(String(a.event.time ?? '')));
  }

  async putEvents(entries: PutEventsEntry[]): Promise<{ FailedEntryCount: number; Entries: PutEventsResultEntry[] }> {
    const results: PutEventsResultEntry[] = [];
    for (const entry of entries) results.push(await this.putOne(entry));
    return { FailedEntryCount: results.filter((r) => 'ErrorCode' in r).length, Entries: results };
  }

  private async putOne(entry: PutEventsEntry): Promise<PutEventsResultEntry> {
    const bus = busName(entry.EventBusName);
    if (bus !== 'default' && !this.deps.buses.includes(bus)) {
      return { ErrorCode: 'NotFoundException', ErrorMessage: `Event bus ${bus} does not exist.` };
    }
    if (!entry.Source) return { ErrorCode: 'InvalidArgument', ErrorMessage: 'Parameter Source is not valid. Reason: Source is a required argument.' };
    if (!entry.DetailType) {
      return { ErrorCode: 'InvalidArgument', ErrorMessage: 'Parameter DetailType is not valid. Reason: DetailType is a required argument.' };
    }
    let detail: unknown;
    try {
      detail = JSON.parse(entry.Detail ?? '');
    } catch {
      return { ErrorCode: 'MalformedDetail', ErrorMessage: 'Detail is malformed.' };
    }
    if (detail === null || typeof detail !== 'object' || Array.isArray(detail)) {
      return { ErrorCode: 'MalformedDetail', ErrorMessage: 'Detail is malformed.' };
    }
    const time = entry.Time === undefined ? new Date() : new Date(typeof entry.Time === 'number' ? entry.Time * 1000 : entry.Time);
    const event: EventBridgeEvent = {
      version: '0',
      id: randomUUID(),
      'detail-type': entry.DetailType,
      source: entry.Source,
      account: this.deps.accountId,
      time: time.toISOString().replace(/\.\d{3}Z$/, 'Z'),
      region: this.deps.region,
      resources: entry.Resources ?? [],
      detail,
    };
    await this.dispatch(bus, event);
    return { EventId: event.id };
  }

  /** Delivers an event to the targets of every matching rule of `bus`. */
  async dispatch(bus: string, event: EventBridgeEvent): Promise<void> {
    const matched = this.deps.rules.filter((r) => r.enabled && r.busName === bus && r.pattern && matchesPattern(r.pattern, event));
    if (matched.length === 0) this.deps.log(`bus ${event['detail-type']} (${event.source}) -> no rule`);
    const record: BusRecord = { bus, event, deliveredTo: [] };
    this.recentEvents.push(record);
    if (this.recentEvents.length > RECENT_EVENTS) this.recentEvents.shift();
    for (const rule of matched) {
      for (const t of rule.targets) record.deliveredTo.push(await this.deliver(rule, t, event));
    }
  }

  /** Delivers to one target; answers where it went ("queue oms-dev-reservations (rule ...)"). */
  async deliver(rule: RuleSpec, t: TargetSpec, event: EventBridgeEvent): Promise<string> {
    const ruleArn = this.deps.ruleArn?.(rule);
    const input = targetInput(t, event, { ruleArn, ruleName: rule.name });
    let target: string;
    if (t.kind === 'sqs') {
      const q = this.deps.queues.find(t.arn);
      await this.deps.queues.send(q.name, { body: input });
      target = `queue ${q.name}`;
    } else if (t.kind === 'lambda') {
      target = `function ${this.deps.functionOfArn(t.arn)!}`;
      this.deps.invokeAsync(this.deps.functionOfArn(t.arn)!, JSON.parse(input), `rule ${rule.logicalId}`);
    } else if (t.kind === 'firehose' && this.deps.firehose) {
      // PutRecord: the record is the target input, buffered by the stream before it reaches "S3".
      this.deps.firehose.put(t.arn, input);
      target = `firehose ${this.deps.firehose.find(t.arn).name}`;
    } else if (t.kind === 'api-destination' && this.deps.apiDestinations?.has(t.arn)) {
      // sent in the background, with the rate limit, retries and dead-letter queue of the target
      target = this.deps.apiDestinations.deliver({ rule, ruleArn: ruleArn ?? rule.name, target: t, event, body: input });
    } else {
      this.deps.log(`bus ${event['detail-type']} -> rule ${rule.logicalId} -> target ${t.arn} is not emulated locally (skipped)`);
      return `${t.arn} (rule ${rule.logicalId}, not emulated locally)`;
    }
    this.deps.log(`bus ${event['detail-type']} -> rule ${rule.logicalId} -> ${target}`);
    return `${target} (rule ${rule.logicalId})`;
  }
}
