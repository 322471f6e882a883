// Table-level operations: dynalite keeps the table; we add what it does not know about
// (StreamSpecification and the stream ARN/label on DescribeTable, TTL settings).
import type { Context } from './context';
import type { Parsed, TableDescription } from './dynalite';
import { call, getTable, run, validate } from './dynalite';

type StreamSpec = { StreamEnabled?: unknown; StreamViewType?: unknown } | undefined;

function withStream(ctx: Context, table: TableDescription): TableDescription {
  return { ...table, ...ctx.streams.describe(table.TableName) };
}

export async function createTable(ctx: Context, request: Parsed) {
  const spec = request.StreamSpecification as StreamSpec;
  const data = validate('createTable', request, ctx.store);
  return ctx.lock.write(async () => {
    await run('createTable', data, ctx.store);
    const table = await waitUntilActive(ctx, data.TableName as string);
    if (spec?.StreamEnabled === true) await ctx.streams.enable(table, spec.StreamViewType);
    return { TableDescription: withStream(ctx, table) };
  });
}

export async function describeTable(ctx: Context, request: Parsed) {
  const out = await call('describeTable', request, ctx.store);
  return { Table: withStream(ctx, out.Table as TableDescription) };
}

export async function updateTable(ctx: Context, request: Parsed) {
  const spec = request.StreamSpecification as StreamSpec;
  const { StreamSpecification: _spec, ...rest } = request;
  const onlyStream = spec !== undefined && !['ProvisionedThroughput', 'BillingMode', 'GlobalSecondaryIndexUpdates'].some((f) => rest[f] != null);
  return ctx.lock.write(async () => {
    const table = onlyStream
      ? await getTable(ctx.store, rest.TableName as string, false)
      : ((await call('updateTable', rest, ctx.store)).TableDescription as TableDescription);
    if (spec?.StreamEnabled === true) await ctx.streams.enable(table, spec.StreamViewType);
    if (spec?.StreamEnabled === false) await ctx.streams.disable(table.TableName);
    return { TableDescription: withStream(ctx, table) };
  });
}

export async function deleteTable(ctx: Context, request: Parsed) {
  return ctx.lock.write(async () => {
    const out = await call('deleteTable', request, ctx.store);
    const table = out.TableDescription as TableDescription;
    const description = withStream(ctx, table);
    await ctx.streams.detach(table.TableName);
    await ctx.ttl.forget(table.TableName);
    // dynalite removes the table after deleteTableMs; wait so a re-create with the same name works at once.
    await waitUntilGone(ctx, table.TableName);
    return { TableDescription: description };
  });
}

async function waitUntilActive(ctx: Context, name: string): Promise<TableDescription> {
  for (;;) {
    const table = await getTable(ctx.store, name, false);
    if (table.TableStatus === 'ACTIVE') return table;
    await new Promise((r) => setTimeout(r, 2));
  }
}

async function waitUntilGone(ctx: Context, name: string): Promise<void> {
  for (let i = 0; i < 5000; i++) {
    const exists = await getTable(ctx.store, name, false).then(() => true, () => false);
    if (!exists) return;
    await new Promise((r) => setTimeout(r, 2));
  }
}
