import type { OutgoingEvent } from '../../events/define-event';
import type { Change, ChangeSet } from '../domain/decision';
import { ENTITIES, type EntityMap } from './entities';
import type { TransactItem } from './stock-movements';
import type { TableContext } from './table';
import { ConditionFailed, MAX_TRANSACTION_ACTIONS, makeWriter, writerParts, type FailedCondition, type Tagged } from './writer';

// Several independent change sets (a queue batch's) in as few transactions as they fit,
// each set still all or nothing. Its own module: only the bundles that write batches
// carry it.

/**
 * A change that may share its item with another set's change in one transaction: an
 * unconditional update that only sets and adds (a counter). Two of them on one item become
 * one update whose ADDs are summed, when they set the same values.
 */
const mergeable = (c: Change | undefined): c is Extract<Change, { op: 'update' }> =>
  c?.op === 'update' && !c.expect && !c.remove?.length && !c.setIfAbsent && !c.returnOld;
const itemKey = (item: TransactItem): string => {
  const k = item.Put?.Item ?? item.Update?.Key ?? item.Delete?.Key ?? item.ConditionCheck?.Key ?? {};
  return `${String(k.pk)}\u0000${String(k.sk)}`;
};
function merged(a: Extract<Change, { op: 'update' }>, b: Extract<Change, { op: 'update' }>): Change | undefined {
  if (JSON.stringify(a.set ?? {}) !== JSON.stringify(b.set ?? {})) return undefined;
  const add = { ...a.add };
  for (const [attr, n] of Object.entries(b.add ?? {})) add[attr] = (add[attr] ?? 0) + n;
  return { ...a, add };
}

export function makeBatchWriter(ctx: TableContext, entities: EntityMap = ENTITIES) {
  const { checkedActions, send, toAction, label } = writerParts(ctx, entities);

  /**
   * The actions of several change sets as one transaction, with the sets that touch each
   * item (counters of several sets merged into one update), or undefined when two sets
   * change one item in ways that cannot be merged or there are too many actions.
   */
  function together(members: readonly { index: number; tagged: Tagged[] }[]): { tagged: Tagged; owners: number[] }[] | undefined {
    const slots = new Map<string, { tagged: Tagged; owners: number[] }>();
    for (const { index, tagged } of members) {
      for (const t of tagged) {
        const key = itemKey(t.item);
        const slot = slots.get(key);
        if (!slot) {
          slots.set(key, { tagged: t, owners: [index] });
          continue;
        }
        const a = slot.tagged.change;
        const change = mergeable(a) && mergeable(t.change) ? merged(a, t.change) : undefined;
        if (!change) return undefined;
        slots.set(key, { tagged: { item: toAction(change), tag: slot.tagged.tag, change }, owners: [...slot.owners, index] });
      }
    }
    return slots.size <= MAX_TRANSACTION_ACTIONS ? [...slots.values()] : undefined;
  }

  return {
    ...makeWriter(ctx, entities),
    /**
     * Write several independent change sets (a queue batch's) in as few transactions as
     * they fit, each set still all or nothing: sets that change one item go in separate
     * transactions in the order given, except counter updates (unconditional SET and ADD),
     * which are merged. When some sets' conditions fail, the others are written without
     * them. Resolves to each set's outcome, in order: undefined when written, the
     * ConditionFailed or other error otherwise.
     */
    async commitTogether(sets: readonly ChangeSet<OutgoingEvent>[]): Promise<(Error | undefined)[]> {
      const outcomes: (Error | undefined)[] = sets.map(() => undefined);
      const groups: { index: number; tagged: Tagged[] }[][] = [];
      sets.forEach((set, index) => {
        const member = { index, tagged: checkedActions(set) };
        const keys = new Set(member.tagged.map((t) => itemKey(t.item)));
        // after the last transaction that holds one of its items, so its writes follow those
        let from = groups.length - 1;
        while (from >= 0 && !groups[from]!.some((m) => m.tagged.some((t) => keys.has(itemKey(t.item))))) from--;
        const group = groups.slice(Math.max(from, 0)).find((g) => together([...g, member]));
        if (group) group.push(member);
        else groups.push([member]);
      });
      for (const group of groups) {
        let live = group;
        while (live.length) {
          const slots = together(live)!;
          let failures: Awaited<ReturnType<typeof send>>;
          try {
            failures = await send(slots.map((s) => s.tagged));
          } catch (err) {
            for (const m of live) outcomes[m.index] = err instanceof Error ? err : new Error(String(err));
            break;
          }
          if (!failures.length) break;
          const failed = new Map<number, FailedCondition[]>();
          for (const f of failures) for (const o of slots[f.index]!.owners) failed.set(o, [...(failed.get(o) ?? []), f.failed]);
          for (const [o, conditions] of failed) outcomes[o] = new ConditionFailed(conditions, label(sets[o]!));
          live = live.filter((m) => !failed.has(m.index));
        }
      }
      return outcomes;
    },
  };
}
export type BatchWriter = ReturnType<typeof makeBatchWriter>;
