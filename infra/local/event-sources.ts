// Event source mappings as Lambda runs them: one poller per queue mapping and per
// stream mapping of the template, each invoking its function through the runtime.
import type { LocalStreams } from './dynamodb';
import type { InvokeResult } from './lambda-runtime';
import type { LocalQueues } from './queues';
import { startSqsPoller, type Poller } from './sqs-poller';
import { startStreamPoller, type Checkpoints } from './stream-poller';
import type { CloudModel, FunctionSpec } from './template';

export function startEventSources(deps: {
  model: CloudModel;
  queues: LocalQueues;
  streams: Pick<LocalStreams, 'read' | 'onAppend'>;
  checkpoints: Checkpoints;
  invoke: (fn: string, event: unknown) => Promise<InvokeResult>;
  concurrencyOf: (fn: FunctionSpec) => number;
  region: string;
  log: (line: string) => void;
}): Poller[] {
  const { model: m, queues, log } = deps;
  return m.mappings.map((mapping) => {
    const fn = m.functions.find((f) => f.name === mapping.functionName)!;
    if (mapping.kind === 'sqs') {
      return startSqsPoller({ mapping, queues, invoke: deps.invoke, region: deps.region, concurrency: deps.concurrencyOf(fn), log });
    }
    return startStreamPoller({
      mapping,
      streams: deps.streams,
      streamArn: mapping.sourceArn,
      checkpoints: deps.checkpoints,
      invoke: deps.invoke,
      onFailure: async (arn, body) => {
        if (arn.startsWith('arn:aws:sqs:')) await queues.send(arn, { body });
        else log(`WARNING on-failure destination ${arn} is not emulated locally`);
      },
      functionArn: fn.arn,
      log,
    });
  });
}
