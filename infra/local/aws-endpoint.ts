// One local endpoint speaking the AWS JSON protocol for the services the functions
// call besides DynamoDB: EventBridge (AWSEvents.*, JSON 1.1) and SQS (AmazonSQS.*,
// JSON 1.0), Secrets Manager GetSecretValue (secretsmanager.*, JSON 1.1), plus SNS
// Publish and PublishBatch over the AWS query protocol (form-encoded, XML answer). The SDK picks it up
// from AWS_ENDPOINT_URL_EVENTBRIDGE / _SQS / _SECRETS_MANAGER / AWS_ENDPOINT_URL.
import { createHash, randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { LocalBus } from './bus';
import { QueueError, type LocalQueues, type ReceivedMessage } from './queues';

export interface AwsEndpointDeps {
  bus: () => LocalBus | undefined;
  queues: () => LocalQueues | undefined;
  queueUrl: (name: string) => string;
  /** The template's secret a SecretId names (secrets.ts). */
  secret?: (secretId: string) => { arn: string; name: string; value: string } | undefined;
  log: (line: string) => void;
  /** SES v2 (REST JSON under /v2/email/): the local mailbox (mailbox.ts); true when it answered. */
  mail?: (req: IncomingMessage, res: ServerResponse) => boolean;
}

class ServiceError extends Error {
  constructor(
    readonly type: string,
    message: string,
    readonly status = 400,
    readonly queryCode?: string,
  ) {
    super(message);
  }
}

const SQS_ERROR_TYPES: Record<string, string> = {
  'AWS.SimpleQueueService.NonExistentQueue': 'QueueDoesNotExist',
  ReceiptHandleIsInvalid: 'ReceiptHandleIsInvalid',
  MessageNotInflight: 'MessageNotInflight',
  InvalidParameterValue: 'InvalidParameterValueException',
  MissingParameter: 'MissingRequiredParameterException',
};

function send(res: ServerResponse, status: number, contentType: string, body: unknown, extra: Record<string, string> = {}) {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': contentType, 'content-length': String(Buffer.byteLength(text)), ...extra });
  res.end(text);
}

async function readJson(req: IncomingMessage): Promise<any> {
  const chunks: Buffer[] = [];
  for await (const c of req) chunks.push(c as Buffer);
  const text = Buffer.concat(chunks).toString('utf8');
  if (!text) return {};
  try {
    return JSON.parse(text);
  } catch {
    throw new ServiceError('SerializationException', 'Request body is not valid JSON.');
  }
}

export async function handleAwsRequest(deps: AwsEndpointDeps, req: IncomingMessage, res: ServerResponse): Promise<void> {
  if (deps.mail?.(req, res)) return;
  const target = String(req.headers['x-amz-target'] ?? '');
  if (!target && String(req.headers['content-type'] ?? '').startsWith('application/x-www-form-urlencoded')) {
    return handleQueryRequest(deps, req, res);
  }
  const [service, action] = target.split('.');
  const contentType = service === 'AmazonSQS' ? 'application/x-amz-json-1.0' : 'application/x-amz-json-1.1';
  try {
    const input = await readJson(req);
    let out: unknown;
    if (service === 'AWSEvents') out = await events(deps, action!, input);
    else if (service === 'AmazonSQS') out = await sqs(deps, action!, input);
    else if (service === 'secretsmanager') out = secretsManager(deps, action!, input);
    else throw new ServiceError('UnknownOperationException', `The local cloud does not serve ${target || 'this request'}.`);
    send(res, 200, contentType, out);
  } catch (err) {
    let e: ServiceError;
    if (err instanceof ServiceError) e = err;
    else if (err instanceof QueueError) e = new ServiceError(SQS_ERROR_TYPES[err.code] ?? err.code, err.message, err.status, err.code);
    else {
      deps.log(`aws endpoint: ${target} failed: ${(err as Error).stack ?? err}`);
      e = new ServiceError('InternalFailure', (err as Error).message, 500);
    }
    const prefix = service === 'AmazonSQS' ? 'com.amazonaws.sqs#' : '';
    send(res, e.status, contentType, { __type: `${prefix}${e.type}`, message: e.message }, e.queryCode ? { 'x-amzn-query-error': `${e.queryCode};Sender` } : {});
  }
}

async function events(deps: AwsEndpointDeps, action: string, input: any): Promise<unknown> {
  const bus = deps.bus();
  if (!bus) throw new ServiceError('ServiceUnavailable', 'The local cloud is starting.', 503);
  if (action !== 'PutEvents') throw new ServiceError('UnknownOperationException', `EventBridge ${action} is not served locally.`);
  const entries = input.Entries;
  if (!Array.isArray(entries) || entries.length < 1 || entries.length > 10) {
    throw new ServiceError('ValidationException', "1 validation error detected: Value at 'entries' failed to satisfy constraint: Member must have length between 1 and 10");
  }
  return bus.putEvents(entries);
}

// Secrets Manager: GetSecretValue of the template's secrets, current version only. The
// version id is derived from the value, so it changes when the value does.
function secretsManager(deps: AwsEndpointDeps, action: string, input: any): unknown {
  if (action !== 'GetSecretValue') throw new ServiceError('UnknownOperationException', `Secrets Manager ${action} is not served locally.`);
  if (typeof input.SecretId !== 'string' || !input.SecretId) throw new ServiceError('InvalidParameterException', 'You must provide a SecretId.');
  if (input.VersionStage !== undefined && input.VersionStage !== 'AWSCURRENT') {
    throw new ServiceError('ResourceNotFoundException', `Secrets Manager can't find the specified secret value for staging label: ${input.VersionStage}`);
  }
  const secret = deps.secret?.(input.SecretId);
  if (!secret) throw new ServiceError('ResourceNotFoundException', "Secrets Manager can't find the specified secret.");
  const versionId = createHash('sha256').update(secret.value).digest('hex').slice(0, 32).replace(/^(.{8})(.{4})(.{4})(.{4})/, '$1-$2-$3-$4-');
  if (input.VersionId !== undefined && input.VersionId !== versionId) {
    throw new ServiceError('ResourceNotFoundException', `Secrets Manager can't find the specified secret value for VersionId: ${input.VersionId}`);
  }
  return { ARN: secret.arn, Name: secret.name, VersionId: versionId, SecretString: secret.value, VersionStages: ['AWSCURRENT'], CreatedDate: 0 };
}

function pickAttributes(m: ReceivedMessage, names: string[] | undefined, messageAttributeNames: string[] | undefined) {
  const out: Record<string, unknown> = { MessageId: m.MessageId, ReceiptHandle: m.ReceiptHandle, MD5OfBody: m.MD5OfBody, Body: m.Body };
  if (names?.length) {
    const all = names.includes('All');
    const attrs = Object.fromEntries(Object.entries(m.Attributes).filter(([k]) => all || names.includes(k)));
    if (Object.keys(attrs).length) out.Attributes = attrs;
  }
  if (messageAttributeNames?.length && m.MessageAttributes) {
    const all = messageAttributeNames.includes('All') || messageAttributeNames.includes('.*');
    const attrs = Object.fromEntries(
      Object.entries(m.MessageAttributes).filter(([k]) => all || messageAttributeNames.some((n) => n === k || (n.endsWith('.*') && k.startsWith(n.slice(0, -1))))),
    );
    if (Object.keys(attrs).length) {
      out.MessageAttributes = attrs;
      out.MD5OfMessageAttributes = m.MD5OfMessageAttributes;
    }
  }
  return out;
}

async function sqs(deps: AwsEndpointDeps, action: string, input: any): Promise<unknown> {
  const queues = deps.queues();
  if (!queues) throw new ServiceError('ServiceUnavailable', 'The local cloud is starting.', 503);
  const url = () => {
    if (!input.QueueUrl) throw new QueueError('MissingParameter', 'The request must contain the parameter QueueUrl.');
    return String(input.QueueUrl);
  };
  switch (action) {
    case 'GetQueueUrl':
      return { QueueUrl: deps.queueUrl(queues.find(String(input.QueueName)).name) };
    case 'ListQueues':
      return { QueueUrls: queues.specs().filter((q) => !input.QueueNamePrefix || q.name.startsWith(input.QueueNamePrefix)).map((q) => deps.queueUrl(q.name)) };
    case 'GetQueueAttributes': {
      const attrs = queues.attributes(url());
      const names: string[] = input.AttributeNames ?? ['All'];
      return { Attributes: names.includes('All') ? attrs : Object.fromEntries(Object.entries(attrs).filter(([k]) => names.includes(k))) };
    }
    case 'SendMessage': {
      const r = await queues.send(url(), {
        body: input.MessageBody,
        delaySeconds: input.DelaySeconds,
        messageAttributes: input.MessageAttributes,
        groupId: input.MessageGroupId,
      });
      return r;
    }
    case 'SendMessageBatch': {
      const Successful: unknown[] = [];
      const Failed: unknown[] = [];
      for (const e of input.Entries ?? []) {
        try {
          const r = await queues.send(url(), { body: e.MessageBody, delaySeconds: e.DelaySeconds, messageAttributes: e.MessageAttributes, groupId: e.MessageGroupId });
          Successful.push({ Id: e.Id, ...r });
        } catch (err) {
          if (!(err instanceof QueueError)) throw err;
          Failed.push({ Id: e.Id, SenderFault: true, Code: err.code, Message: err.message });
        }
      }
      return { Successful, Failed };
    }
    case 'ReceiveMessage': {
      const max = Number(input.MaxNumberOfMessages ?? 1);
      if (max < 1 || max > 10) throw new QueueError('InvalidParameterValue', 'Value for parameter MaxNumberOfMessages is invalid. Reason: Must be between 1 and 10.');
      const got = await queues.receive(url(), max, input.VisibilityTimeout, Math.min(20, Number(input.WaitTimeSeconds ?? 0)));
      const names = [...(input.AttributeNames ?? []), ...(input.MessageSystemAttributeNames ?? [])];
      return { Messages: got.map((m) => pickAttributes(m, names, input.MessageAttributeNames)) };
    }
    case 'DeleteMessage':
      await queues.delete(url(), String(input.ReceiptHandle));
      return {};
    case 'DeleteMessageBatch': {
      const Successful: unknown[] = [];
      const Failed: unknown[] = [];
      for (const e of input.Entries ?? []) {
        try {
          await queues.delete(url(), String(e.ReceiptHandle));
          Successful.push({ Id: e.Id });
        } catch (err) {
          if (!(err instanceof QueueError)) throw err;
          Failed.push({ Id: e.Id, SenderFault: true, Code: err.code, Message: err.message });
        }
      }
      return { Successful, Failed };
    }
    case 'ChangeMessageVisibility':
      await queues.changeVisibility(url(), String(input.ReceiptHandle), Number(input.VisibilityTimeout));
      return {};
    case 'ChangeMessageVisibilityBatch': {
      const Successful: unknown[] = [];
      const Failed: unknown[] = [];
      for (const e of input.Entries ?? []) {
        try {
          await queues.changeVisibility(url(), String(e.ReceiptHandle), Number(e.VisibilityTimeout));
          Successful.push({ Id: e.Id });
        } catch (err) {
          if (!(err instanceof QueueError)) throw err;
          Failed.push({ Id: e.Id, SenderFault: true, Code: err.code, Message: err.message });
        }
      }
      return { Successful, Failed };
    }
    case 'StartMessageMoveTask': {
      if (!input.SourceArn) throw new QueueError('MissingParameter', 'The request must contain the parameter SourceArn.');
      const task = await queues.startMoveTask(String(input.SourceArn), input.DestinationArn === undefined ? undefined : String(input.DestinationArn));
      return { TaskHandle: task.TaskHandle };
    }
    case 'ListMessageMoveTasks': {
      if (!input.SourceArn) throw new QueueError('MissingParameter', 'The request must contain the parameter SourceArn.');
      const max = Number(input.MaxResults ?? 1);
      if (!(Number.isInteger(max) && max >= 1 && max <= 10)) throw new QueueError('InvalidParameterValue', 'Value for parameter MaxResults is invalid. Reason: Must be between 1 and 10.');
      // The handle is only given for a task still running (as SQS does); local tasks complete at once.
      return { Results: queues.listMoveTasks(String(input.SourceArn), max).map(({ TaskHandle, ...t }) => (t.Status === 'RUNNING' ? { TaskHandle, ...t } : t)) };
    }
    default:
      throw new ServiceError('UnsupportedOperation', `SQS ${action} is not served locally.`);
  }
}

// --- SNS (AWS query protocol) ---------------------------------------------------------
// Publish and PublishBatch: each message is written to the log, readably, which is how
// department notifications show up in `npm start`. Subscriptions (e-mail) are not delivered.

const SNS_XMLNS = 'http://sns.amazonaws.com/doc/2010-03-31/';
/** SNS's limit of entries in one PublishBatch. */
const MAX_BATCH_ENTRIES = 10;

const xmlEscape = (s: string) => s.replace(/[<>&'"]/g, (c) => `&#${c.charCodeAt(0)};`);

function sendXml(res: ServerResponse, status: number, xml: string) {
  res.writeHead(status, { 'content-type': 'text/xml', 'content-length': String(Buffer.byteLength(xml)) });
  res.end(xml);
}

/** A message as SNS takes it: to the log, readably; its MessageId. */
function published(deps: AwsEndpointDeps, topicArn: string, message: string, subject: string | null): string {
  const topic = topicArn.split(':').pop();
  deps.log(`sns ${topic}: ${subject ?? message.split('\n')[0]}`);
  for (const line of message.split('\n')) deps.log(`  ${topic} | ${line}`);
  return randomUUID();
}

type BatchEntry = { Id?: string; Message?: string; Subject?: string };

/** PublishBatch's entries (`PublishBatchRequestEntries.member.N.<field>`), in N's order. */
function batchEntries(form: URLSearchParams): BatchEntry[] {
  const members = new Map<number, BatchEntry>();
  for (const [key, value] of form) {
    const m = /^PublishBatchRequestEntries\.member\.(\d+)\.(Id|Message|Subject)$/.exec(key);
    if (!m) continue;
    const n = Number(m[1]);
    members.set(n, { ...members.get(n), [m[2]!]: value });
  }
  return [...members.entries()].sort(([a], [b]) => a - b).map(([, e]) => e);
}

async function handleQueryRequest(deps: AwsEndpointDeps, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const chunks: Buffer[] = [];
  for await (const c of req) chunks.push(c as Buffer);
  const form = new URLSearchParams(Buffer.concat(chunks).toString('utf8'));
  const action = form.get('Action') ?? '';
  const requestId = randomUUID();
  const fail = (code: string, message: string, status = 400) =>
    sendXml(res, status, `<ErrorResponse xmlns="${SNS_XMLNS}"><Error><Type>Sender</Type><Code>${code}</Code><Message>${xmlEscape(message)}</Message></Error><RequestId>${requestId}</RequestId></ErrorResponse>`);
  if (action !== 'Publish' && action !== 'PublishBatch') return fail('InvalidAction', `${action || 'This action'} is not served locally (SNS Publish and PublishBatch only).`);
  const topicArn = form.get('TopicArn') ?? (action === 'Publish' ? form.get('TargetArn') : null);
  if (!topicArn) return fail('InvalidParameter', 'Invalid parameter: TopicArn or TargetArn Reason: no value for required parameter');
  const metadata = `<ResponseMetadata><RequestId>${requestId}</RequestId></ResponseMetadata>`;

  if (action === 'Publish') {
    const message = form.get('Message');
    if (message === null || message === '') return fail('InvalidParameter', 'Invalid parameter: Empty message');
    const messageId = published(deps, topicArn, message, form.get('Subject'));
    return sendXml(res, 200, `<PublishResponse xmlns="${SNS_XMLNS}"><PublishResult><MessageId>${messageId}</MessageId></PublishResult>${metadata}</PublishResponse>`);
  }

  // PublishBatch: the request is refused as a whole for a malformed batch; an entry SNS would
  // not take fails alone, in the answer's Failed list beside the Successful ones
  const entries = batchEntries(form);
  if (entries.length === 0) return fail('EmptyBatchRequest', 'The batch request doesn\'t contain any entries.');
  if (entries.length > MAX_BATCH_ENTRIES) return fail('TooManyEntriesInBatchRequest', `The batch request contains more entries than permissible (${MAX_BATCH_ENTRIES}).`);
  const invalid = entries.find((e) => !e.Id || !/^[A-Za-z0-9_-]{1,80}$/.test(e.Id));
  if (invalid) return fail('InvalidBatchEntryId', 'A batch entry id can only contain alphanumeric characters, hyphens and underscores. It can be at most 80 letters long.');
  if (new Set(entries.map((e) => e.Id)).size !== entries.length) return fail('BatchEntryIdsNotDistinct', 'Two or more batch entries in the request have the same Id.');
  const successful: string[] = [];
  const failed: string[] = [];
  for (const e of entries) {
    const id = xmlEscape(e.Id!);
    if (!e.Message) {
      failed.push(`<member><Id>${id}</Id><Code>InvalidParameter</Code><Message>Invalid parameter: Empty message</Message><SenderFault>true</SenderFault></member>`);
      continue;
    }
    successful.push(`<member><Id>${id}</Id><MessageId>${published(deps, topicArn, e.Message, e.Subject ?? null)}</MessageId></member>`);
  }
  sendXml(res, 200, `<PublishBatchResponse xmlns="${SNS_XMLNS}"><PublishBatchResult><Successful>${successful.join('')}</Successful><Failed>${failed.join('')}</Failed></PublishBatchResult>${metadata}</PublishBatchResponse>`);
}
