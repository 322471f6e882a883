// Request accounting: how many requests each caller (told apart by the access key id of its
// SigV4 credential) made, by operation, and the read and write capacity they consumed by
// DynamoDB's costing rules, whether or not the request asked for ReturnConsumedCapacity.
import type { CapacityEntry } from './capacity';
import type { FaultCounts } from './faults';

export interface CallerStats {
  requests: number;
  readUnits: number;
  writeUnits: number;
  operations: Record<string, number>;
}

export interface EndpointStats extends CallerStats {
  /** By access key id (the local cloud gives each function its own: local-<function>). */
  byCaller: Record<string, CallerStats>;
  /** Faults injected so far (only when the endpoint was started with faults). */
  faults?: FaultCounts;
}

const READS = new Set(['GetItem', 'BatchGetItem', 'Query', 'Scan', 'TransactGetItems']);
/** Operations that can report consumed capacity. */
export const METERED = new Set([...READS, 'PutItem', 'UpdateItem', 'DeleteItem', 'BatchWriteItem', 'TransactWriteItems']);

const empty = (): CallerStats => ({ requests: 0, readUnits: 0, writeUnits: 0, operations: {} });

/** The access key id of a SigV4 Authorization header, or "anonymous". */
export function callerOf(authorization: string | undefined): string {
  return /Credential=([^/,\s]+)/.exec(authorization ?? '')?.[1] ?? 'anonymous';
}

export class RequestStats {
  private readonly total = empty();
  private readonly callers = new Map<string, CallerStats>();

  record(caller: string, operation: string, consumed: CapacityEntry | CapacityEntry[] | undefined): void {
    const units = [consumed ?? []].flat().reduce((sum, c) => sum + (c.CapacityUnits ?? 0), 0);
    let mine = this.callers.get(caller);
    if (!mine) this.callers.set(caller, (mine = empty()));
    for (const s of [this.total, mine]) {
      s.requests += 1;
      s.operations[operation] = (s.operations[operation] ?? 0) + 1;
      if (READS.has(operation)) s.readUnits += units;
      else s.writeUnits += units;
    }
  }

  snapshot(): EndpointStats {
    return structuredClone({ ...this.total, byCaller: Object.fromEntries(this.callers) });
  }
}
