// The HTTP face: AWS JSON protocol 1.0, `x-amz-target: DynamoDB_20120810.<Op>` for tables and items,
// `DynamoDBStreams_20120810.<Op>` for streams. Requests are not authenticated (any signature passes).
import type { IncomingMessage, ServerResponse } from 'node:http';
import { randomBytes } from 'node:crypto';
import { crc32 } from 'node:zlib';
import type { Context } from './context';
import type { ActionName, Parsed } from './dynalite';
import { call, isDynaliteOperation, lowerFirst } from './dynalite';
import { isApiError } from './errors';
import type { FaultInjector } from './faults';
import { callerOf, METERED, type RequestStats } from './stats';
import { UnknownOperation } from './streams';
import { createTable, deleteTable, describeTable, updateTable } from './tables';
import { Transactions } from './transactions';
import { batchWrite, singleWrite } from './writes';

type Handler = (body: Parsed) => Promise<unknown>;

const MAX_BODY_BYTES = 16 * 1024 * 1024;

export function dynamoOperations(ctx: Context): Record<string, Handler> {
  const transactions = new Transactions(ctx);
  // Item reads share the lock so they wait for an in-flight transaction to commit.
  const read = (action: ActionName): Handler => (body) => ctx.lock.read(() => call(action, body, ctx.store));
  return {
    PutItem: (body) => singleWrite(ctx, 'putItem', body),
    UpdateItem: (body) => singleWrite(ctx, 'updateItem', body),
    DeleteItem: (body) => singleWrite(ctx, 'deleteItem', body),
    BatchWriteItem: (body) => batchWrite(ctx, body),
    GetItem: read('getItem'),
    BatchGetItem: read('batchGetItem'),
    Query: read('query'),
    Scan: read('scan'),
    TransactWriteItems: (body) => transactions.write(body),
    TransactGetItems: (body) => transactions.get(body),
    CreateTable: (body) => createTable(ctx, body),
    DescribeTable: (body) => describeTable(ctx, body),
    UpdateTable: (body) => updateTable(ctx, body),
    DeleteTable: (body) => deleteTable(ctx, body),
    UpdateTimeToLive: (body) => ctx.lock.write(() => ctx.ttl.update(body)),
    DescribeTimeToLive: (body) => ctx.ttl.describe(body),
  };
}

export function requestHandler(ctx: Context, log: (line: string) => void, stats?: RequestStats, faults?: FaultInjector) {
  const operations = dynamoOperations(ctx);

  async function dispatch(target: string, body: Parsed): Promise<unknown> {
    const [service, operation = ''] = target.split('.');
    if (service === 'DynamoDB_20120810') {
      const fault = faults?.pick(operation, body);
      if (fault) throw fault;
      const handler = operations[operation];
      if (handler) return handler(body);
      if (isDynaliteOperation(operation)) return call(lowerFirst(operation) as ActionName, body, ctx.store);
    }
    if (service === 'DynamoDBStreams_20120810') return ctx.streams.handle(operation, body);
    throw new UnknownOperation();
  }

  return (req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('error', (err) => log(`request error: ${err.message}`));
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size <= MAX_BODY_BYTES) chunks.push(chunk);
    });
    req.on('end', () => {
      if (req.method === 'GET') return send(res, 200, 'healthy: dynamodb.local', 'text/plain');
      if (size > MAX_BODY_BYTES) return send(res, 413, '');
      let body: Parsed;
      try {
        body = JSON.parse(Buffer.concat(chunks).toString('utf8') || 'null') as Parsed;
        if (body === null || typeof body !== 'object') throw new Error('not an object');
      } catch {
        return sendJson(res, 400, { __type: 'com.amazon.coral.service#SerializationException' });
      }
      const target = String(req.headers['x-amz-target'] ?? '');
      // Capacity is counted for every metered request; the caller sees it only if it asked.
      const operation = target.startsWith('DynamoDB_20120810.') ? target.slice(18) : '';
      const metered = stats !== undefined && METERED.has(operation);
      const asked = body.ReturnConsumedCapacity;
      if (metered && (asked === undefined || asked === 'NONE')) body.ReturnConsumedCapacity = 'TOTAL';
      dispatch(target, body).then(
        (out) => {
          if (metered) {
            const result = (out ?? {}) as { ConsumedCapacity?: never };
            stats.record(callerOf(req.headers.authorization), operation, result.ConsumedCapacity);
            if (asked === undefined || asked === 'NONE') delete result.ConsumedCapacity;
          }
          sendJson(res, 200, out ?? {});
        },
        (err: unknown) => {
          // A refused request still counts (a failed condition costs capacity in AWS too; not counted here).
          if (metered) stats.record(callerOf(req.headers.authorization), operation, undefined);
          if (err instanceof UnknownOperation)
            return sendJson(res, 400, { __type: 'com.amazon.coral.service#UnknownOperationException' });
          if (isApiError(err)) return sendJson(res, err.statusCode, err.body);
          log(`internal error in ${target}: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
          sendJson(res, 500, { __type: 'com.amazonaws.dynamodb.v20120810#InternalServerError', message: 'Internal server error' });
        },
      );
    });
  };
}

function sendJson(res: ServerResponse, status: number, body: unknown) {
  send(res, status, JSON.stringify(body), 'application/x-amz-json-1.0');
}

// Unique per endpoint run, without drawing random bytes for every response.
const REQUEST_ID_PREFIX = randomBytes(16).toString('hex').toUpperCase();
let requestCount = 0;
const nextRequestId = () => `${REQUEST_ID_PREFIX}${(++requestCount).toString().padStart(20, '0')}`;

function send(res: ServerResponse, status: number, text: string, contentType = 'text/plain') {
  const payload = Buffer.from(text, 'utf8');
  res.writeHead(status, {
    'content-type': contentType,
    'content-length': payload.length,
    'x-amzn-requestid': nextRequestId(),
    // The SDK checks this header against the body when present.
    'x-amz-crc32': String(crc32(payload)),
  });
  res.end(payload);
}
