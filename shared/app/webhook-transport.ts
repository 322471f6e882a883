import { lookup as dnsLookup, type LookupAddress } from 'node:dns';
import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import type { LookupFunction } from 'node:net';
import { createCipheriv, createDecipheriv, createHash, randomBytes } from 'node:crypto';
import { RefusedUrl, checkAddress, checkUrl, type UrlRules } from '../domain/webhook-urls';
import type { AttemptOutcome } from '../domain/webhooks';

// The two things a webhook needs from outside the domain: an HTTP POST that connects
// only to addresses the stage's rules allow, and a box that keeps signing secrets
// encrypted at rest.

/** Resolves a host to every address it has (node's dns.lookup by default; tests pass their own). */
export type Resolve = (host: string) => Promise<LookupAddress[]>;

export const systemResolve: Resolve = (host) =>
  new Promise((ok, fail) => dnsLookup(host, { all: true, verbatim: true }, (err, addresses) => (err ? fail(err) : ok(addresses))));

/** Every address of `host`, each checked against the rules: refused if any one is not allowed. */
export async function checkedAddresses(host: string, rules: UrlRules, resolve: Resolve): Promise<LookupAddress[]> {
  const addresses = await resolve(host);
  if (addresses.length === 0) throw new RefusedUrl('resolves to no address');
  for (const a of addresses) checkAddress(host, a.address, rules);
  return addresses;
}

export interface PostOptions {
  rules: UrlRules;
  timeoutMs: number;
  resolve?: Resolve;
}

export type WebhookPost = (url: string, headers: Record<string, string>, body: string) => Promise<AttemptOutcome>;

/**
 * POSTs `body` to `url` and answers the status (the response body is read and dropped).
 * The connection goes to an address that was checked in the same lookup that chose it:
 * the socket's own `lookup` resolves, checks every address and hands over a checked one,
 * so a DNS answer cannot change between the check and the connect. Redirects are not
 * followed (a 3xx is a failure), and the whole exchange has a deadline.
 */
export function webhookPost(opts: PostOptions): WebhookPost {
  const resolve = opts.resolve ?? systemResolve;
  const lookup: LookupFunction = (hostname, options, callback) => {
    checkedAddresses(hostname, opts.rules, resolve).then(
      (addresses) => {
        if (options.all) (callback as unknown as (e: null, a: LookupAddress[]) => void)(null, addresses);
        else callback(null, addresses[0]!.address, addresses[0]!.family);
      },
      (err: Error) => callback(err as NodeJS.ErrnoException, '', 0),
    );
  };
  return async (raw, headers, body) => {
    let url: URL;
    try {
      url = checkUrl(raw, opts.rules);
    } catch (err) {
      return { error: `refused: the URL ${(err as Error).message}` };
    }
    const send = url.protocol === 'https:' ? httpsRequest : httpRequest;
    return new Promise<AttemptOutcome>((done) => {
      const req = send(url, { method: 'POST', headers: { ...headers, 'content-length': String(Buffer.byteLength(body)) }, lookup, signal: AbortSignal.timeout(opts.timeoutMs) }, (res) => {
        res.on('data', () => undefined);
        res.on('end', () => done({ status: res.statusCode ?? 0 }));
        res.on('error', (err) => done({ error: err.message }));
      });
      req.on('error', (err) => done({ error: err instanceof RefusedUrl ? `refused: the URL's host ${err.message}` : err.name === 'AbortError' ? `no answer within ${opts.timeoutMs} ms` : err.message }));
      req.end(body);
    });
  };
}

// --- secrets at rest -----------------------------------------------------------------

export interface SecretBox {
  seal(secret: string): string;
  open(sealed: string): string;
}

/** AES-256-GCM under a key derived from the stage's webhook key (WEBHOOK_SECRET_KEY): `v1.<iv>.<tag>.<ciphertext>`. */
export function secretBox(stageKey: string): SecretBox {
  const key = createHash('sha256').update(`oms-webhook-secrets\n${stageKey}`).digest();
  return {
    seal(secret) {
      const iv = randomBytes(12);
      const cipher = createCipheriv('aes-256-gcm', key, iv);
      const data = Buffer.concat([cipher.update(secret, 'utf8'), cipher.final()]);
      return ['v1', iv, cipher.getAuthTag(), data].map((p) => (typeof p === 'string' ? p : p.toString('base64url'))).join('.');
    },
    open(sealed) {
      const [v, iv, tag, data] = sealed.split('.');
      if (v !== 'v1' || !iv || !tag || data === undefined) throw new Error('Not a sealed webhook secret');
      const decipher = createDecipheriv('aes-256-gcm', key, Buffer.from(iv, 'base64url'));
      decipher.setAuthTag(Buffer.from(tag, 'base64url'));
      return Buffer.concat([decipher.update(Buffer.from(data, 'base64url')), decipher.final()]).toString('utf8');
    },
  };
}

/** A new signing secret for a subscription created without one. */
export const generateSecret = () => `whsec_${randomBytes(24).toString('base64url')}`;
