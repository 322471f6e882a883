import ipaddr from 'ipaddr.js';
import * as z from 'zod';
import { lazySchema } from './lazy-schema';

// Where a webhook may point. A subscription is an admin-supplied URL that our
// functions call from inside the network, so it must never reach a private address:
// the URL is checked when stored, and every address its host resolves to is checked
// again at each attempt, right before connecting to exactly that address (a DNS answer
// that changes in between cannot slip past). The rules are the stage's configuration
// (WEBHOOK_URL_RULES): AWS stages allow https only and public addresses only; the
// local stage adds http and loopback for the hosts it names (localhost).

export const UrlRules = lazySchema(() =>
  z.strictObject({
    /** hosts that may be called over plain http, and whose addresses may be loopback */
    localHosts: z.array(z.string().min(1)).default([]),
  }),
);
export type UrlRules = z.infer<typeof UrlRules>;

/** AWS stages: https to public addresses, nothing else. */
export const STRICT_URL_RULES: UrlRules = { localHosts: [] };

/** The address ranges (ipaddr.js names) a delivery may connect to: public unicast only. */
const PUBLIC = new Set(['unicast']);

export class RefusedUrl extends Error {}

const bare = (host: string) => host.replace(/^\[|\]$/g, '').toLowerCase();

/** The URL's own rules (scheme, host, no credentials); the addresses are checked at each attempt. */
export function checkUrl(raw: string, rules: UrlRules): URL {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new RefusedUrl('is not an absolute URL');
  }
  const host = bare(url.hostname);
  const local = rules.localHosts.includes(host);
  if (url.protocol !== 'https:' && !(url.protocol === 'http:' && local)) {
    throw new RefusedUrl(local ? 'must use http or https' : 'must use https');
  }
  if (url.username || url.password) throw new RefusedUrl('must not carry credentials');
  if (url.hash) throw new RefusedUrl('must not have a fragment');
  if (ipaddr.isValid(host)) checkAddress(host, host, rules);
  return url;
}

/** Refuses an address `host` resolved to unless it is public (or loopback of a local host). */
export function checkAddress(host: string, address: string, rules: UrlRules): void {
  if (!ipaddr.isValid(address)) throw new RefusedUrl(`resolved to an invalid address ${address}`);
  // IPv4-mapped IPv6 (::ffff:10.0.0.1) is judged as the IPv4 address it is
  const range = ipaddr.process(address).range();
  if (PUBLIC.has(range)) return;
  if (range === 'loopback' && rules.localHosts.includes(bare(host))) return;
  throw new RefusedUrl(`resolves to ${address}, a ${range} address`);
}
