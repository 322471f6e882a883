// What the local cloud serves, as GET /_local/resources shows it: routes, rules, queues,
// event source mappings, schedules, functions, tables and delivery streams, all read from the template.
import type { CloudModel } from './template';

export interface LocalResources {
  routes: { logicalId: string; routeKey: string; function: string; auth: string }[];
  rules: { logicalId: string; name: string; bus: string; pattern?: unknown; schedule?: string; targets: { id: string; kind: string; arn: string }[] }[];
  queues: { logicalId: string; name: string; url: string; deadLetterQueue?: string; maxReceiveCount?: number }[];
  eventSourceMappings: { logicalId: string; kind: 'sqs' | 'stream'; function: string; source: string; batchSize: number }[];
  schedules: { logicalId: string; expression: string }[];
  functions: { logicalId: string; name: string; timeoutSeconds: number; concurrency: number }[];
  tables: { logicalId: string; name: string }[];
  deliveryStreams: { logicalId: string; name: string; prefix: string; bufferIntervalSeconds: number; bufferSizeMb: number; compression: string }[];
}

export function resourcesOf(model: CloudModel, concurrencyOf: (fn: string) => number): LocalResources {
  const queueByArn = new Map(model.queues.map((q) => [q.arn, q]));
  return {
    routes: model.routes.map((r) => ({ logicalId: r.logicalId, routeKey: r.routeKey, function: r.functionName, auth: r.auth.type })),
    rules: model.rules.map((r) => ({
      logicalId: r.logicalId,
      name: r.name,
      bus: r.busName,
      pattern: r.pattern,
      schedule: r.schedule,
      targets: r.targets.map((t) => ({ id: t.id, kind: t.kind, arn: t.arn })),
    })),
    queues: model.queues.map((q) => ({
      logicalId: q.logicalId,
      name: q.name,
      url: q.url,
      deadLetterQueue: q.redrive ? queueByArn.get(q.redrive.deadLetterTargetArn)?.name : undefined,
      maxReceiveCount: q.redrive?.maxReceiveCount,
    })),
    eventSourceMappings: model.mappings.map((m) => ({ logicalId: m.logicalId, kind: m.kind, function: m.functionName, source: m.sourceArn, batchSize: m.batchSize })),
    schedules: model.rules.filter((r) => r.schedule).map((r) => ({ logicalId: r.logicalId, expression: r.schedule! })),
    functions: model.functions.map((f) => ({ logicalId: f.logicalId, name: f.name, timeoutSeconds: f.timeoutSeconds, concurrency: concurrencyOf(f.name) })),
    tables: model.tables.map((t) => ({ logicalId: t.logicalId, name: t.name })),
    deliveryStreams: model.deliveryStreams.map((d) => ({
      logicalId: d.logicalId,
      name: d.name,
      prefix: d.prefix,
      bufferIntervalSeconds: d.bufferIntervalSeconds,
      bufferSizeMb: d.bufferSizeMb,
      compression: d.compression,
    })),
  };
}
