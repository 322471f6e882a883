// TransactWriteItems and TransactGetItems with DynamoDB's semantics. The whole transaction runs
// under the exclusive write lock: every condition is judged against the state before the
// transaction, then the writes are applied through dynalite's own actions; if one of them fails
// (e.g. an update expression that does not fit the item) the earlier ones are undone before the
// lock is released, so nobody ever sees a partial transaction.
import { addIndexWrites, addUnits, consumedCapacity, transactReadUnits, transactWriteUnits } from './capacity';
import { commit, type Context } from './context';
import type { ActionName, Item, Parsed, TableDescription } from './dynalite';
import { assertItem, assertKey, assertUpdates, conditionHolds, getTable, itemKey, keyAttributes, readItem, run, validate } from './dynalite';
import { ApiError, dynamoError, isApiError, validationError } from './errors';
import type { Change } from './streams';

const MAX_ACTIONS = 100;
const IDEMPOTENCY_WINDOW_MS = 10 * 60 * 1000;
const KINDS = ['ConditionCheck', 'Put', 'Delete', 'Update'] as const;
type Kind = (typeof KINDS)[number];

interface Action {
  kind: Kind;
  data: Parsed; // validated by dynalite, expressions parsed
  returnOldOnFailure: boolean;
}

type Reason = { Code: string; Message?: string; Item?: Item };

// Which dynalite action validates each transactional action (a ConditionCheck has a delete's shape).
const VALIDATED_AS: Record<Kind, ActionName> = {
  ConditionCheck: 'deleteItem',
  Put: 'putItem',
  Delete: 'deleteItem',
  Update: 'updateItem',
};
const FIELDS: Record<Kind, string[]> = {
  ConditionCheck: ['TableName', 'Key', 'ConditionExpression'],
  Put: ['TableName', 'Item', 'ConditionExpression'],
  Delete: ['TableName', 'Key', 'ConditionExpression'],
  Update: ['TableName', 'Key', 'UpdateExpression', 'ConditionExpression'],
};

export class Transactions {
  private readonly tokens = new Map<string, { fingerprint: string; expires: number }>();

  constructor(private readonly ctx: Context) {}

  async write(request: Parsed): Promise<Record<string, unknown>> {
    const items = checkItemList(request.TransactItems);
    const token = checkToken(request.ClientRequestToken);
    const fingerprint = JSON.stringify(request.TransactItems);
    const actions = items.map((item, i) => this.parseWrite(item, i + 1));

    return this.ctx.lock.write(async () => {
      if (token !== undefined && this.repeated(token, fingerprint)) return {};
      const tables = await this.tablesOf(actions);
      actions.forEach((a, i) => checkTarget(a, tables[i]!));
      rejectDuplicates(actions.map((a, i) => [tables[i]!, (a.data.Item ?? a.data.Key) as Item]));

      const olds = await Promise.all(actions.map((a, i) => readItem(this.ctx.store, tables[i]!, (a.data.Item ?? a.data.Key) as Item)));
      const reasons: Reason[] = actions.map((a, i) =>
        conditionHolds(a.data, olds[i])
          ? { Code: 'None' }
          : { Code: 'ConditionalCheckFailed', Message: 'The conditional request failed', ...(a.returnOldOnFailure && olds[i] ? { Item: olds[i] } : {}) },
      );
      if (reasons.some((r) => r.Code !== 'None')) throw cancelled(reasons);

      const news = await this.apply(actions, tables, olds, reasons);
      const changes: Change[] = [];
      const units = new Map<string, number>();
      actions.forEach((a, i) => {
        addUnits(units, tables[i]!.TableName, transactWriteUnits(olds[i], a.kind === 'ConditionCheck' ? olds[i] : news[i]));
        if (a.kind !== 'ConditionCheck') changes.push({ table: tables[i]!, oldItem: olds[i], newItem: news[i] });
      });
      await commit(this.ctx, changes);
      if (token !== undefined) this.tokens.set(token, { fingerprint, expires: Date.now() + IDEMPOTENCY_WINDOW_MS });
      const capacity = consumedCapacity(request.ReturnConsumedCapacity, 'write', units);
      return capacity ? { ConsumedCapacity: addIndexWrites(capacity, request.ReturnConsumedCapacity, changes, 2) } : {};
    });
  }

  async get(request: Parsed): Promise<Record<string, unknown>> {
    const items = checkItemList(request.TransactItems);
    const gets = items.map((item, i) => {
      const get = (item as { Get?: Parsed }).Get;
      if (!get || Object.keys(item as object).length !== 1)
        throw validationError(`1 validation error detected: Value null at 'transactItems.${i + 1}.member.get' failed to satisfy constraint: Member must not be null`);
      return validate('getItem', pick(get, ['TableName', 'Key', 'ProjectionExpression', 'ExpressionAttributeNames']), this.ctx.store);
    });

    return this.ctx.lock.read(async () => {
      const tables = await Promise.all(gets.map((g) => getTable(this.ctx.store, g.TableName as string)));
      gets.forEach((g, i) => assertKey(tables[i]!, g.Key as Item));
      rejectDuplicates(gets.map((g, i) => [tables[i]!, g.Key as Item]));
      const units = new Map<string, number>();
      const responses = await Promise.all(
        gets.map(async (g, i) => {
          const full = await readItem(this.ctx.store, tables[i]!, g.Key as Item);
          addUnits(units, tables[i]!.TableName, transactReadUnits(full));
          if (!full) return {};
          const projected = g._projection ? ((await run('getItem', g, this.ctx.store)).Item as Item | undefined) : full;
          return projected ? { Item: projected } : {};
        }),
      );
      const capacity = consumedCapacity(request.ReturnConsumedCapacity, 'read', units);
      return { Responses: responses, ...(capacity ? { ConsumedCapacity: capacity } : {}) };
    });
  }

  private parseWrite(item: unknown, position: number): Action {
    const present = KINDS.filter((k) => (item as Record<string, unknown>)[k] != null);
    if (present.length !== 1) throw validationError('TransactItems can only contain one of Check, Put, Update or Delete');
    const kind = present[0]!;
    const body = (item as Record<Kind, Parsed>)[kind];
    const member = `transactItems.${position}.member.${kind === 'ConditionCheck' ? 'conditionCheck' : kind.toLowerCase()}`;
    if (kind === 'ConditionCheck' && body.ConditionExpression == null)
      throw validationError(`1 validation error detected: Value null at '${member}.conditionExpression' failed to satisfy constraint: Member must not be null`);
    if (kind === 'Update' && body.UpdateExpression == null)
      throw validationError(`1 validation error detected: Value null at '${member}.updateExpression' failed to satisfy constraint: Member must not be null`);
    const fields = [...FIELDS[kind], 'ExpressionAttributeNames', 'ExpressionAttributeValues'];
    const data = validate(VALIDATED_AS[kind], pick(body, fields), this.ctx.store);
    return { kind, data, returnOldOnFailure: body.ReturnValuesOnConditionCheckFailure === 'ALL_OLD' };
  }

  private tablesOf(actions: Action[]): Promise<TableDescription[]> {
    return Promise.all(actions.map((a) => getTable(this.ctx.store, a.data.TableName as string)));
  }

  /** Whether this token already committed the same request; throws if it committed a different one. */
  private repeated(token: string, fingerprint: string): boolean {
    // Tokens expire in the order they were stored (one window for all): drop from the front.
    const now = Date.now();
    for (const [t, entry] of this.tokens) {
      if (entry.expires > now) break;
      this.tokens.delete(t);
    }
    const seen = this.tokens.get(token);
    if (!seen) return false;
    if (seen.fingerprint !== fingerprint)
      throw dynamoError('IdempotentParameterMismatchException', 'Request parameters do not match the original request with the same ClientRequestToken');
    return true;
  }

  /** Applies the writes in order; on failure undoes those already applied and cancels. */
  private async apply(actions: Action[], tables: TableDescription[], olds: (Item | undefined)[], reasons: Reason[]) {
    const news: (Item | undefined)[] = [];
    const applied: number[] = [];
    for (const [i, a] of actions.entries()) {
      const TableName = tables[i]!.TableName;
      try {
        if (a.kind === 'Put') {
          await run('putItem', { TableName, Item: a.data.Item }, this.ctx.store);
          news[i] = a.data.Item as Item;
        } else if (a.kind === 'Delete') {
          await run('deleteItem', { TableName, Key: a.data.Key }, this.ctx.store);
        } else if (a.kind === 'Update') {
          const out = await run('updateItem', { TableName, Key: a.data.Key, _updates: a.data._updates, ReturnValues: 'ALL_NEW' }, this.ctx.store);
          news[i] = out.Attributes as Item;
        } else {
          news[i] = olds[i];
        }
        applied.push(i);
      } catch (err) {
        await this.undo(applied, tables, olds, actions);
        if (!isApiError(err)) throw err;
        reasons[i] = { Code: 'ValidationError', Message: err.body.message ?? err.message };
        throw cancelled(reasons);
      }
    }
    return news;
  }

  private async undo(applied: number[], tables: TableDescription[], olds: (Item | undefined)[], actions: Action[]) {
    for (const i of applied.reverse()) {
      const TableName = tables[i]!.TableName;
      const old = olds[i];
      if (old) await run('putItem', { TableName, Item: old }, this.ctx.store);
      else await run('deleteItem', { TableName, Key: keyAttributes(tables[i]!, (actions[i]!.data.Item ?? actions[i]!.data.Key) as Item) }, this.ctx.store);
    }
  }
}

function checkItemList(list: unknown): unknown[] {
  if (!Array.isArray(list)) throw validationError("1 validation error detected: Value null at 'transactItems' failed to satisfy constraint: Member must not be null");
  if (list.length < 1 || list.length > MAX_ACTIONS)
    throw validationError(
      `1 validation error detected: Value '[...]' at 'transactItems' failed to satisfy constraint: Member must have length ${list.length < 1 ? 'greater than or equal to 1' : `less than or equal to ${MAX_ACTIONS}`}`,
    );
  return list;
}

function checkToken(token: unknown): string | undefined {
  if (token == null) return undefined;
  if (typeof token !== 'string' || token.length < 1 || token.length > 36)
    throw validationError(`1 validation error detected: Value '${String(token)}' at 'clientRequestToken' failed to satisfy constraint: Member must have length less than or equal to 36`);
  return token;
}

function checkTarget(a: Action, table: TableDescription): void {
  if (a.kind === 'Put') assertItem(table, a.data.Item as Item);
  else assertKey(table, a.data.Key as Item);
  if (a.kind === 'Update') assertUpdates(table, a.data);
}

function rejectDuplicates(targets: [TableDescription, Item][]): void {
  const seen = new Set<string>();
  for (const [table, item] of targets) {
    const id = `${table.TableName}\u0000${itemKey(table, item)}`;
    if (seen.has(id)) throw validationError('Transaction request cannot include multiple operations on one item');
    seen.add(id);
  }
}

function cancelled(reasons: Reason[]): ApiError {
  const message = `Transaction cancelled, please refer cancellation reasons for specific reasons [${reasons.map((r) => r.Code).join(', ')}]`;
  return dynamoError('TransactionCanceledException', message, { Message: message, CancellationReasons: reasons });
}

function pick(source: Parsed, fields: string[]): Parsed {
  return Object.fromEntries(fields.filter((f) => source[f] !== undefined).map((f) => [f, source[f]]));
}
