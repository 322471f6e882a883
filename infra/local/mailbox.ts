// The local cloud's mail: SES v2 SendEmail (REST JSON, `POST /v2/email/outbound-emails`)
// on the AWS endpoint keeps each message instead of delivering it, in memory and in
// <data>/mailbox.json, and `GET /_local/mail[?to=<address>]` on the API port lists them,
// oldest first, so tests and demos can read what a customer was sent.
import { randomUUID } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { join } from 'node:path';

export interface SentMail {
  messageId: string;
  from: string;
  to: string[];
  cc: string[];
  bcc: string[];
  subject: string;
  text?: string;
  html?: string;
  sentAt: string;
}

export interface MailboxOptions {
  dataDir?: string;
  log: (line: string) => void;
}

const SEND_PATH = '/v2/email/outbound-emails';

class BadRequest extends Error {}

const addresses = (v: unknown, field: string): string[] => {
  if (v === undefined) return [];
  if (!Array.isArray(v) || v.some((a) => typeof a !== 'string' || !a.includes('@'))) throw new BadRequest(`${field} must be a list of e-mail addresses.`);
  return v as string[];
};

const content = (v: unknown): string | undefined => {
  if (v === undefined) return undefined;
  const data = (v as { Data?: unknown } | null)?.Data;
  if (typeof data !== 'string') throw new BadRequest('Content must have Data.');
  return data;
};

/** The parts of an SES v2 SendEmail request served locally; checked field by field below. */
interface SendEmailInput {
  FromEmailAddress?: unknown;
  Destination?: { ToAddresses?: unknown; CcAddresses?: unknown; BccAddresses?: unknown };
  Content?: { Simple?: { Subject?: unknown; Body?: { Text?: unknown; Html?: unknown } } };
}

/** A SendEmail request as SES v2 takes it (simple content only) -> the kept message. */
function parseSendEmail(input: SendEmailInput, now: Date): SentMail {
  if (typeof input?.FromEmailAddress !== 'string' || !input.FromEmailAddress.includes('@')) throw new BadRequest('FromEmailAddress is required.');
  const d = input.Destination ?? {};
  const to = addresses(d.ToAddresses, 'ToAddresses');
  const cc = addresses(d.CcAddresses, 'CcAddresses');
  const bcc = addresses(d.BccAddresses, 'BccAddresses');
  if (to.length + cc.length + bcc.length === 0) throw new BadRequest('The message must have at least one recipient.');
  const simple = input.Content?.Simple;
  if (!simple) throw new BadRequest('Only Content.Simple is served locally (not Raw or Template).');
  const subject = content(simple.Subject);
  if (!subject) throw new BadRequest('Subject is required.');
  const text = content(simple.Body?.Text);
  const html = content(simple.Body?.Html);
  if (text === undefined && html === undefined) throw new BadRequest('The message must have a text or HTML body.');
  return { messageId: randomUUID(), from: input.FromEmailAddress as string, to, cc, bcc, subject, text, html, sentAt: now.toISOString() };
}

export class LocalMailbox {
  private readonly mails: SentMail[] = [];
  private readonly file?: string;

  constructor(private readonly opts: MailboxOptions) {
    this.file = opts.dataDir ? join(opts.dataDir, 'mailbox.json') : undefined;
    if (this.file && existsSync(this.file)) this.mails.push(...(JSON.parse(readFileSync(this.file, 'utf8')) as SentMail[]));
  }

  /** Messages sent, oldest first; with `to`, those with that address among their recipients (case-insensitive). */
  list(to?: string): SentMail[] {
    if (!to) return [...this.mails];
    const want = to.trim().toLowerCase();
    return this.mails.filter((m) => [...m.to, ...m.cc, ...m.bcc].some((a) => a.toLowerCase() === want));
  }

  private save() {
    if (!this.file) return;
    mkdirSync(this.opts.dataDir!, { recursive: true });
    writeFileSync(this.file, JSON.stringify(this.mails), { mode: 0o600 });
  }

  /** Answers SES v2 SendEmail on the AWS endpoint; false for any other request. */
  handleAws(req: IncomingMessage, res: ServerResponse): boolean {
    const path = (req.url ?? '/').split('?')[0];
    if (!path?.startsWith('/v2/email/')) return false;
    const reply = (status: number, body: unknown, errorType?: string) => {
      const text = JSON.stringify(body);
      res.writeHead(status, { 'content-type': 'application/json', ...(errorType ? { 'x-amzn-errortype': errorType } : {}) });
      res.end(text);
    };
    if (req.method !== 'POST' || path !== SEND_PATH) {
      reply(404, { message: `SES v2 ${req.method} ${path} is not served locally (SendEmail only).` }, 'NotFoundException');
      return true;
    }
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      try {
        const mail = parseSendEmail((JSON.parse(Buffer.concat(chunks).toString('utf8') || '{}') ?? {}) as SendEmailInput, new Date());
        this.mails.push(mail);
        this.save();
        this.opts.log(`mail ${mail.messageId} to ${mail.to.length + mail.cc.length + mail.bcc.length} recipient(s): ${mail.subject}`);
        reply(200, { MessageId: mail.messageId });
      } catch (err) {
        const bad = err instanceof BadRequest || err instanceof SyntaxError;
        if (!bad) this.opts.log(`mail: SendEmail failed: ${(err as Error).stack ?? err}`);
        reply(bad ? 400 : 500, { message: (err as Error).message }, bad ? 'BadRequestException' : 'InternalFailure');
      }
    });
    return true;
  }

  /** Answers GET /_local/mail[?to=]; false for anything else. */
  control(req: IncomingMessage, res: ServerResponse): boolean {
    const url = new URL(req.url ?? '/', 'http://local');
    if (url.pathname !== '/_local/mail' || req.method !== 'GET') return false;
    const body = JSON.stringify({ messages: this.list(url.searchParams.get('to') ?? undefined) }, null, 2);
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(body);
    return true;
  }
}
