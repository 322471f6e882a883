import { TransactWriteCommand, type TransactWriteCommandInput } from '@aws-sdk/lib-dynamodb';
import type { OutgoingEvent } from '../../events/define-event';
import type { Change, ChangeSet, Expect } from '../domain/decision';
import { ConflictError } from '../domain/errors';
import { ENTITIES, type EntityMap, type EntityMapping, type IndexKeys } from './entities';
import { newId } from './ids';
import * as keys from './keys';
import { ENTITY } from './keys';
import { outboxItem } from './outbox';
import { movementItems, type TransactItem } from './stock-movements';
import { cancellationReasons, isConditionFailure, withConflictRetry, type TableContext } from './table';

// THE module that sends TransactWriteItems. Every change of every aggregate reaches
// the table through commit(): one transaction per change set (or, for a queue batch's
// independent sets, batch-writer.ts's commitTogether(): several sets sharing
// transactions), every item change
// conditioned as the change set says, the timeline entry and outbox items in the
// aggregate's partition, the stock movements with their ledger entries. The writer
// decides nothing: it translates, checks the size, retries transaction conflicts
// and reports failed conditions in one shape (ConditionFailed, a 409).

/** DynamoDB's limit of actions in one TransactWriteItems. */
export const MAX_TRANSACTION_ACTIONS = 100;

/** One failed condition of a cancelled transaction, named by the change's tag. */
export interface FailedCondition {
  tag: string;
  /** the item as it was, when the change asked for it (returnOld) */
  old?: Record<string, unknown>;
}

/**
 * A condition of the change set did not hold: another writer got there first, or
 * what was decided on is no longer true. A use case that can say more (a lost
 * claim, a short SKU) catches it; anything else answers 409.
 */
export class ConditionFailed extends ConflictError {
  constructor(readonly failed: FailedCondition[], aggregate: string) {
    super(`${aggregate} changed meanwhile (${failed.map((f) => f.tag).join(', ')}); nothing was written`, { conditions: failed.map((f) => f.tag) }, 'write-conflict', 'Changed meanwhile');
  }

  /** the failed condition with this tag, or one whose tag starts with `prefix:` */
  find(tag: string): FailedCondition | undefined {
    return this.failed.find((f) => f.tag === tag || f.tag.startsWith(`${tag}:`));
  }
}

/** A change set too big for one transaction: refused before anything is sent. */
export class TransactionTooLarge extends Error {
  constructor(readonly actions: number, aggregate: string) {
    super(`The change to ${aggregate} needs ${actions} actions; one transaction takes at most ${MAX_TRANSACTION_ACTIONS}`);
    this.name = 'TransactionTooLarge';
  }
}

type Wire = { S?: string; N?: string; BOOL?: boolean; NULL?: boolean; L?: Wire[]; M?: Record<string, Wire>; SS?: string[]; NS?: string[] };

/** A cancellation reason's item (AttributeValue form) as plain values. */
function plain(v: Wire | undefined): unknown {
  if (!v) return undefined;
  if (v.S !== undefined) return v.S;
  if (v.N !== undefined) return Number(v.N);
  if (v.BOOL !== undefined) return v.BOOL;
  if (v.NULL) return null;
  if (v.L) return v.L.map(plain);
  if (v.M) return Object.fromEntries(Object.entries(v.M).map(([k, x]) => [k, plain(x)]));
  if (v.SS) return v.SS;
  if (v.NS) return v.NS.map(Number);
  return undefined;
}

const defined = (keys: IndexKeys | undefined): Record<string, string> =>
  Object.fromEntries(Object.entries(keys ?? {}).filter((e): e is [string, string] => e[1] !== undefined));

export interface Tagged {
  item: TransactItem;
  tag: string;
  /** the change it was made from (not for timeline, outbox and stock-movement items) */
  change?: Change;
}

function condition(expect: Expect | undefined, names: Record<string, string>, values: Record<string, unknown>): string | undefined {
  if (!expect) return undefined;
  const parts: string[] = [];
  const name = (attr: string) => {
    names[`#c_${attr}`] = attr;
    return `#c_${attr}`;
  };
  if (expect.exists === true) parts.push('attribute_exists(pk)');
  if (expect.exists === false) parts.push('attribute_not_exists(pk)');
  for (const [attr, v] of Object.entries(expect.equals ?? {})) {
    parts.push(`${name(attr)} = :eq_${attr}`);
    values[`:eq_${attr}`] = v;
  }
  for (const [attr, v] of Object.entries(expect.atLeast ?? {})) {
    parts.push(`${name(attr)} >= :ge_${attr}`);
    values[`:ge_${attr}`] = v;
  }
  for (const [attr, v] of Object.entries(expect.below ?? {})) {
    parts.push(`${name(attr)} < :lt_${attr}`);
    values[`:lt_${attr}`] = v;
  }
  for (const attr of expect.missing ?? []) parts.push(`attribute_not_exists(${name(attr)})`);
  for (const [attr, v] of Object.entries(expect.absentOrAtMost ?? {})) {
    parts.push(`(attribute_not_exists(${name(attr)}) OR ${name(attr)} <= :le_${attr})`);
    values[`:le_${attr}`] = v;
  }
  if (parts.length === 0) return undefined;
  const all = parts.join(' AND ');
  return expect.orAbsent ? `attribute_not_exists(pk) OR (${all})` : all;
}

/** Expression attribute maps only when used: DynamoDB refuses empty ones. */
const maps = (names: Record<string, string>, values: Record<string, unknown>) => ({
  ...(Object.keys(names).length ? { ExpressionAttributeNames: names } : {}),
  ...(Object.keys(values).length ? { ExpressionAttributeValues: values } : {}),
});

/**
 * The writer's parts: change sets translated into tagged actions (checked for size), one
 * TransactWriteItems sent with conflict retries. makeWriter commits one set with them;
 * batch-writer.ts several (only the bundles that write batches carry it).
 */
export function writerParts(ctx: TableContext, entities: EntityMap = ENTITIES) {
  const T = ctx.tableName;

  function mapping(entity: string): EntityMapping {
    const m = entities[entity];
    if (!m) throw new Error(`The store knows no entity "${entity}"`);
    return m;
  }

  function toAction(change: Change): TransactItem {
    const m = mapping(change.entity);
    const key = m.key(change.id);
    const names: Record<string, string> = {};
    const values: Record<string, unknown> = {};
    const cond = condition(change.expect, names, values);
    const common = {
      TableName: T,
      ...(cond ? { ConditionExpression: cond } : {}),
      ...(change.returnOld ? { ReturnValuesOnConditionCheckFailure: 'ALL_OLD' as const } : {}),
    };
    switch (change.op) {
      case 'put':
        return {
          Put: {
            ...common,
            Item: { ...key, ...defined(m.createIndexes?.(change.item, change.id)), type: m.type, ...change.item },
            ...maps(names, values),
          },
        };
      case 'update': {
        // index keys follow what the update may write (a setIfAbsent value is the item's once written)
        const set = { type: m.type, ...defined(m.updateIndexes?.({ ...change.setIfAbsent, ...change.set }, change.id)), ...(change.set ?? {}) };
        const clauses: string[] = [];
        const setParts = Object.entries(set).map(([attr, v]) => {
          names[`#s_${attr}`] = attr;
          values[`:s_${attr}`] = v;
          return `#s_${attr} = :s_${attr}`;
        });
        for (const [attr, v] of Object.entries(change.setIfAbsent ?? {})) {
          names[`#s_${attr}`] = attr;
          values[`:s_${attr}`] = v;
          setParts.push(`#s_${attr} = if_not_exists(#s_${attr}, :s_${attr})`);
        }
        if (setParts.length) clauses.push(`SET ${setParts.join(', ')}`);
        const addParts = Object.entries(change.add ?? {}).map(([attr, v]) => {
          names[`#a_${attr}`] = attr;
          values[`:a_${attr}`] = v;
          return `#a_${attr} :a_${attr}`;
        });
        if (addParts.length) clauses.push(`ADD ${addParts.join(', ')}`);
        const removed = [...(change.remove ?? []), ...(change.remove?.length ? (m.removedIndexes?.(change.remove) ?? []) : [])];
        const removeParts = removed.map((attr) => {
          names[`#r_${attr}`] = attr;
          return `#r_${attr}`;
        });
        if (removeParts.length) clauses.push(`REMOVE ${removeParts.join(', ')}`);
        return { Update: { ...common, Key: key, UpdateExpression: clauses.join(' '), ...maps(names, values) } };
      }
      case 'delete':
        return { Delete: { ...common, Key: key, ...maps(names, values) } };
      case 'check':
        return { ConditionCheck: { ...common, ConditionExpression: cond ?? 'attribute_exists(pk)', Key: key, ...maps(names, values) } };
    }
  }

  function actions(set: ChangeSet<OutgoingEvent>): Tagged[] {
    const aggregate = mapping(set.aggregate.entity);
    if (!aggregate.partition && (set.timeline || set.events.length)) {
      throw new Error(`Entity "${set.aggregate.entity}" has no partition for its timeline and outbox`);
    }
    const partition = aggregate.partition?.(set.aggregate.id) ?? '';
    const now = new Date(set.at);
    const tagged: Tagged[] = [
      ...set.movements.flatMap((m) => movementItems(T, m, set.at)),
      ...set.changes.map((c, i) => ({ item: toAction(c), tag: c.tag ?? `${c.entity}#${i}`, change: c })),
    ];
    if (set.timeline) {
      const e = set.timeline;
      tagged.push({
        tag: 'timeline',
        item: {
          Put: {
            TableName: T,
            Item: {
              ...keys.timelineIn(partition, e.at, newId(new Date(e.at))), type: ENTITY.timeline,
              at: e.at, eventType: e.type, actor: e.actor, ...(e.detail !== undefined ? { detail: e.detail } : {}),
            },
          },
        },
      });
    }
    for (const event of set.events) tagged.push({ tag: `outbox:${event.detailType}`, item: { Put: { TableName: T, Item: outboxItem(partition, event, now) } } });
    return tagged;
  }

  /** One TransactWriteItems; a failed condition comes back as the failed actions (by index), anything else is thrown. */
  async function send(tagged: readonly Tagged[]): Promise<{ index: number; failed: FailedCondition }[]> {
    const input: TransactWriteCommandInput = { TransactItems: tagged.map((t) => t.item) };
    try {
      await withConflictRetry(() => ctx.doc.send(new TransactWriteCommand(input)));
      return [];
    } catch (err) {
      const reasons = cancellationReasons(err);
      if (!reasons || !reasons.some(isConditionFailure)) throw err;
      return tagged.flatMap((t, index) => {
        const r = reasons[index];
        if (!isConditionFailure(r)) return [];
        return [{ index, failed: { tag: t.tag, ...(r?.Item ? { old: plain({ M: r.Item as Record<string, Wire> }) as Record<string, unknown> } : {}) } }];
      });
    }
  }

  const label = (set: ChangeSet<OutgoingEvent>) => `${set.aggregate.entity} ${set.aggregate.id}`;
  function checkedActions(set: ChangeSet<OutgoingEvent>): Tagged[] {
    const tagged = actions(set);
    if (tagged.length === 0) throw new Error(`The change to ${label(set)} changes nothing`);
    if (tagged.length > MAX_TRANSACTION_ACTIONS) throw new TransactionTooLarge(tagged.length, label(set));
    return tagged;
  }

  return { actions, checkedActions, send, toAction, label };
}

export function makeWriter(ctx: TableContext, entities: EntityMap = ENTITIES) {
  const { actions, checkedActions, send, label } = writerParts(ctx, entities);
  return {
    /** The TransactWriteItems a change set becomes (for tests and the size check). */
    actions: (set: ChangeSet<OutgoingEvent>): TransactItem[] => actions(set).map((t) => t.item),

    /**
     * Write the change set as ONE transaction, or nothing. Transaction conflicts (another
     * transaction held an item) are retried with jitter; a failed condition throws
     * ConditionFailed naming every failed change by its tag.
     */
    async commit(set: ChangeSet<OutgoingEvent>): Promise<void> {
      const failures = await send(checkedActions(set));
      if (failures.length) throw new ConditionFailed(failures.map((f) => f.failed), label(set));
    },
  };
}
export type Writer = ReturnType<typeof makeWriter>;
