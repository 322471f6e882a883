import { createPrivateKey, createPublicKey, type KeyObject } from 'node:crypto';
import type * as z from 'zod';
import type { Money } from '../../domain/money';

// What the three adapters share: credentials given as values or loaded on first use,
// provider call failures, PEM handling and exact decimal <-> minor-unit conversion.

/** Credentials as a value (tests) or a loader called on first use (Secrets Manager, cached by the loader). */
export type CredentialSource<C> = C | (() => Promise<C>);

export function lazyCredentials<C>(source: CredentialSource<C>): () => Promise<C> {
  if (typeof source !== 'function') return () => Promise.resolve(source);
  return source as () => Promise<C>;
}

export interface AdapterOptions<C> {
  /** the provider's API base URL (real API or the local sandbox) */
  baseUrl: string;
  credentials: CredentialSource<C>;
  /** clock for request timestamps and callback freshness */
  now?: () => Date;
}

/**
 * A provider API call that did not give a usable answer: a transport error, a 5xx,
 * a refused request or a response whose signature does not verify. Never carries
 * credentials; `body` is the provider's answer, trimmed.
 */
export class ProviderCallError extends Error {
  constructor(
    readonly provider: string,
    message: string,
    readonly status?: number,
    readonly body?: string,
  ) {
    super(`${provider}: ${message}`);
    this.name = 'ProviderCallError';
  }
}

/** A verified callback whose content we cannot read as the provider documents it. */
export class MalformedCallbackError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'MalformedCallbackError';
  }
}

export async function send(provider: string, url: string, init: RequestInit): Promise<{ status: number; headers: Headers; text: string }> {
  let res: Response;
  try {
    res = await fetch(url, { ...init, signal: AbortSignal.timeout(8000) });
  } catch (err) {
    throw new ProviderCallError(provider, `request failed: ${err instanceof Error ? err.message : String(err)}`);
  }
  return { status: res.status, headers: res.headers, text: await res.text() };
}

export function parseJson(provider: string, text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    throw new ProviderCallError(provider, 'response is not JSON', undefined, text.slice(0, 300));
  }
}

/** A provider's answer in the shape we read from it (extra fields kept), or a ProviderCallError. */
export function shaped<S extends z.ZodType>(provider: string, what: string, schema: S, value: unknown): z.infer<S> {
  const r = schema.safeParse(value);
  if (!r.success) throw new ProviderCallError(provider, `unexpected ${what}: ${r.error.issues.map((i) => `${i.path.join('.')} ${i.message}`).join('; ')}`);
  return r.data;
}

/** A verified callback's content in the shape we read from it, or a MalformedCallbackError. */
export function callbackShaped<S extends z.ZodType>(what: string, schema: S, value: unknown): z.infer<S> {
  const r = schema.safeParse(value);
  if (!r.success) throw new MalformedCallbackError(`not ${what}: ${r.error.issues.map((i) => `${i.path.join('.')} ${i.message}`).join('; ')}`);
  return r.data;
}

const wrap = (body: string, label: string) =>
  `-----BEGIN ${label}-----\n${body.replace(/\s+/g, '').replace(/(.{64})/g, '$1\n').replace(/\n$/, '')}\n-----END ${label}-----\n`;

/** A private key from PEM (PKCS#1 or PKCS#8), or the bare base64 PKCS#8 body the provider consoles hand out. */
export function privateKey(pemOrBase64: string): KeyObject {
  const pem = pemOrBase64.includes('-----BEGIN') ? pemOrBase64 : wrap(pemOrBase64, 'PRIVATE KEY');
  return createPrivateKey(pem);
}

/** A public key from PEM (SPKI, PKCS#1 or a certificate), or a bare base64 SPKI body. */
export function publicKey(pemOrBase64: string): KeyObject {
  const pem = pemOrBase64.includes('-----BEGIN') ? pemOrBase64 : wrap(pemOrBase64, 'PUBLIC KEY');
  return createPublicKey(pem);
}

/** "12.34" (yuan) -> 1234 (fen), by string arithmetic: no float ever holds money. */
export function decimalToMinor(value: unknown): number {
  if (typeof value !== 'string') throw new MalformedCallbackError(`amount ${JSON.stringify(value)} is not a decimal string`);
  const m = /^(0|[1-9]\d{0,12})(?:\.(\d{1,2}))?$/.exec(value);
  if (!m) throw new MalformedCallbackError(`amount ${JSON.stringify(value)} is not a decimal with at most two places`);
  return Number(m[1]) * 100 + Number((m[2] ?? '').padEnd(2, '0'));
}

/** 1234 (fen) -> "12.34" */
export function minorToDecimal(amount: number): string {
  if (!Number.isSafeInteger(amount) || amount < 0) throw new RangeError(`amount ${amount} is not a non-negative integer`);
  return `${Math.floor(amount / 100)}.${String(amount % 100).padStart(2, '0')}`;
}

/** An integer of minor units as a provider sends it (Stripe amounts, WeChat fen). */
export function integerMinor(value: unknown): number {
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 0) {
    throw new MalformedCallbackError(`amount ${JSON.stringify(value)} is not an integer of minor units`);
  }
  return value;
}

export function requireCurrency(amount: Money, currency: string, provider: string): void {
  if (amount.currency !== currency) throw new ProviderCallError(provider, `only ${currency} is supported, not ${amount.currency}`);
}
