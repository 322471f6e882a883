// The one file that knows dynalite's internals. dynalite implements DynamoDB's single-item and
// query operations, validation messages and expression grammar; we call its actions and helpers
// in-process (not over HTTP) so the layer above can hold its own locks around them.
import { createRequire } from 'node:module';
import { isApiError } from './errors';
import { cachedParse, type Parse } from './expression-cache';

const require = createRequire(import.meta.url);

export type AttributeValue = Record<string, unknown>;
export type Item = Record<string, AttributeValue>;
export interface KeySchemaElement { AttributeName: string; KeyType: 'HASH' | 'RANGE' }
export interface TableDescription {
  TableName: string;
  TableStatus: string;
  KeySchema: KeySchemaElement[];
  GlobalSecondaryIndexes?: SecondaryIndex[];
  LocalSecondaryIndexes?: SecondaryIndex[];
  [field: string]: unknown;
}
export interface SecondaryIndex {
  IndexName: string;
  KeySchema: KeySchemaElement[];
  Projection?: { ProjectionType?: string; NonKeyAttributes?: string[] };
}
/** A request after dynalite's validation: the JSON body plus parsed expressions (`_condition`, `_updates`, ...). */
export type Parsed = Record<string, unknown>;

type Callback<T> = (err: unknown, value?: T) => void;
interface SubDb {
  get(key: string, cb: Callback<unknown>): void;
  put(key: string, value: unknown, cb: Callback<void>): void;
  createValueStream(opts?: Record<string, unknown>): AsyncIterable<unknown>;
}
interface LevelDb {
  get(key: string): Promise<unknown>;
  batch(ops: { type: 'put' | 'del'; key: string; value?: unknown }[]): Promise<void>;
  iterator(opts: Record<string, unknown>): AsyncIterable<[string, unknown]>;
  close(cb: Callback<void>): void;
}
export interface Store {
  options: { maxItemSize: number };
  db: LevelDb;
  tableDb: SubDb;
  getItemDb(tableName: string): SubDb;
  getTable(name: string, checkStatus: boolean, cb: Callback<TableDescription>): void;
}

type Action = (store: Store, data: Parsed, cb: Callback<Record<string, unknown>>) => void;
interface ActionValidation { types: Record<string, unknown>; custom?: unknown }

const dbHelpers = require('dynalite/db') as {
  create(options: Record<string, unknown>): Store;
  createKey(item: Item, table: TableDescription): string;
  validateKey(key: Item, table: TableDescription): Error | undefined;
  validateItem(item: Item, table: TableDescription): Error | undefined;
  validateUpdates(attributeUpdates: unknown, updates: unknown, table: TableDescription): Error | undefined;
  checkConditional(data: Parsed, item: Item | undefined): Error | undefined | null;
  itemSize(item: Item): number;
};
const validations = require('dynalite/validations') as {
  checkTypes(data: Parsed, types: Record<string, unknown>): Parsed;
  checkValidations(data: Parsed, types: Record<string, unknown>, custom: unknown, store: Store): void;
};

// dynalite's validations call these parsers through their module objects: each parse goes
// through the cache of parsed expressions (expression-cache.ts) from here on.
for (const name of ['conditionParser', 'updateParser', 'projectionParser']) {
  const parser = require(`dynalite/db/${name}`) as { parse: Parse; cached?: boolean };
  if (!parser.cached) Object.assign(parser, { parse: cachedParse(parser.parse.bind(parser)), cached: true });
}

const actionNames = [
  'batchGetItem', 'batchWriteItem', 'createTable', 'deleteItem', 'deleteTable', 'describeTable',
  'getItem', 'listTables', 'listTagsOfResource', 'putItem', 'query', 'scan', 'tagResource',
  'untagResource', 'updateItem', 'updateTable',
] as const;
export type ActionName = (typeof actionNames)[number];

const actions = new Map<string, { run: Action; validation: ActionValidation }>(
  actionNames.map((name) => [
    name,
    {
      run: require(`dynalite/actions/${name}`) as Action,
      validation: require(`dynalite/validations/${name}`) as ActionValidation,
    },
  ]),
);

export const isDynaliteOperation = (operation: string): boolean => actions.has(lowerFirst(operation));
export const lowerFirst = (s: string) => s.charAt(0).toLowerCase() + s.slice(1);

export function createStore(path: string | undefined, region: string, accountId: string): Store {
  // Tables become ACTIVE at once: the CREATING phase only slows tests down.
  const store = dbHelpers.create({ path, createTableMs: 0, deleteTableMs: 0, updateTableMs: 0 });
  // dynalite takes these from the environment; the endpoint's options win (they build table ARNs).
  Object.assign(store.tableDb, { awsRegion: region, awsAccountId: accountId });
  cacheActiveTables(store);
  return store;
}

/**
 * dynalite reads (and JSON-decodes) the table's description from its store for every item
 * request, and once more per action of a transaction: with a few indexes that decoding was
 * the endpoint's largest single cost. Item requests (getTable with checkStatus) get the
 * description of an ACTIVE table from memory instead, shared and never modified by them (no
 * item action writes to it); any write to the table store drops what is kept. Table
 * operations (checkStatus false: describe, update, delete, tags) still read their own copy,
 * which UpdateTable and DeleteTable change before writing it back.
 */
function cacheActiveTables(store: Store): void {
  const active = new Map<string, TableDescription>();
  // a read that began before a write may answer what the write replaced: it is not kept
  let writes = 0;
  const tableDb = store.tableDb as SubDb & Record<'put' | 'del' | 'batch', (...args: unknown[]) => unknown>;
  for (const write of ['put', 'del', 'batch'] as const) {
    const original = tableDb[write]!.bind(tableDb);
    tableDb[write] = (...args: unknown[]) => {
      writes++;
      active.clear();
      return original(...args);
    };
  }
  const read = store.getTable.bind(store);
  store.getTable = (name, checkStatus, cb) => {
    if (typeof checkStatus === 'function') [cb, checkStatus] = [checkStatus as Callback<TableDescription>, true];
    if (!checkStatus) return read(name, false, cb);
    const kept = active.get(name);
    if (kept) return process.nextTick(cb, null, kept);
    const seen = writes;
    read(name, true, (err, table) => {
      if (!err && table?.TableStatus === 'ACTIVE' && seen === writes) active.set(name, table);
      cb(err, table);
    });
  };
}

export function closeStore(store: Store): Promise<void> {
  return new Promise((resolve, reject) => store.db.close((err) => (err ? reject(err) : resolve())));
}

/** Runs dynalite's type checks and validations (which also parse the expressions). Throws ApiError-shaped errors. */
export function validate(action: ActionName, request: Parsed, store: Store): Parsed {
  const { validation } = actions.get(action)!;
  // checkTypes drops the request's unknown top-level fields in place and builds new values for
  // the rest (it also drops null and unknown members of attribute values, which have no meaning):
  // a shallow copy keeps the caller's request whole, without cloning every item it carries.
  const data = validations.checkTypes({ ...request }, validation.types);
  validations.checkValidations(data, validation.types, validation.custom, store);
  return data;
}

/** Runs an action on an already validated request. */
export function run(action: ActionName, data: Parsed, store: Store): Promise<Record<string, unknown>> {
  const { run: fn } = actions.get(action)!;
  return new Promise((resolve, reject) => {
    try {
      fn(store, data, (err, out) => (err ? reject(err) : resolve(out ?? {})));
    } catch (err) {
      reject(err);
    }
  });
}

export const call = (action: ActionName, request: Parsed, store: Store) => run(action, validate(action, request, store), store);

export function getTable(store: Store, name: string, checkStatus = true): Promise<TableDescription> {
  return new Promise((resolve, reject) =>
    store.getTable(name, checkStatus, (err, table) => (err ? reject(err) : resolve(table!))),
  );
}

export function readItem(store: Store, table: TableDescription, key: Item): Promise<Item | undefined> {
  const itemDb = store.getItemDb(table.TableName);
  return new Promise((resolve, reject) =>
    itemDb.get(dbHelpers.createKey(key, table), (err, item) => {
      if (err && (err as Error).name !== 'NotFoundError') return reject(err);
      resolve((item ?? undefined) as Item | undefined);
    }),
  );
}

export const itemKey = (table: TableDescription, item: Item) => dbHelpers.createKey(item, table);
export const itemSize = (item: Item) => dbHelpers.itemSize(item);

export function keyAttributes(table: TableDescription, item: Item): Item {
  return Object.fromEntries(table.KeySchema.map((k) => [k.AttributeName, item[k.AttributeName]!]));
}

/** Throws dynalite's validation error if the key does not match the table's key schema. */
export function assertKey(table: TableDescription, key: Item): void {
  const err = dbHelpers.validateKey(key, table);
  if (err) throw err;
}
export function assertItem(table: TableDescription, item: Item): void {
  const err = dbHelpers.validateItem(item, table);
  if (err) throw err;
}
export function assertUpdates(table: TableDescription, data: Parsed): void {
  const err = dbHelpers.validateUpdates(data.AttributeUpdates, data._updates, table);
  if (err) throw err;
}

/** True when the request's condition (ConditionExpression or legacy Expected) holds for `item`. */
export function conditionHolds(data: Parsed, item: Item | undefined): boolean {
  const err = dbHelpers.checkConditional(data, item);
  if (err && !(isApiError(err) && err.body.__type.endsWith('ConditionalCheckFailedException'))) throw err;
  return !err;
}
