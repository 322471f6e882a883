import * as z from 'zod';
import { Role } from './roles';
import { lazySchema } from './lazy-schema';

// Who did something, and how every timeline entry, event and ledger entry names
// them: `<role>:<principal>` for people and clients (`ops:u-42`,
// `storefront:shop-client-1`), `system:<job>` for jobs and workers
// (`system:expire-unpaid`). One format, built here only.

export const Actor = lazySchema(() =>
  z.strictObject({
    kind: z.enum(['user', 'system', 'storefront']),
    /** user `sub`, machine `client_id`, or the job's name (system:expire-unpaid) */
    id: z.string().min(1),
    /** for users: the role they act in (a user may hold several; the caller picks one that may issue the command) */
    role: Role.optional(),
  }),
);
export type Actor = z.infer<typeof Actor>;

/** How the actor appears in the timeline, events and the ledger, e.g. "ops:u-42", "system:expire-unpaid". */
export function actorLabel(actor: Actor): string {
  return `${actor.kind === 'user' ? (actor.role ?? 'user') : actor.kind}:${actor.id}`;
}

/** A job or queue worker acting on its own. */
export const systemActor = (job: string): Actor => ({ kind: 'system', id: job });

/**
 * The capacity a caller acts in: the first of its staff roles that `allowed` lists,
 * else the storefront, else its first role (which may then be refused).
 */
export function actorOf(caller: { principal: string; roles: readonly Role[] }, allowed: readonly string[] = caller.roles): Actor {
  const role = caller.roles.find((r) => r !== 'storefront' && allowed.includes(r));
  if (role) return { kind: 'user', id: caller.principal, role };
  if (caller.roles.includes('storefront')) return { kind: 'storefront', id: caller.principal };
  return { kind: 'user', id: caller.principal, ...(caller.roles[0] ? { role: caller.roles[0] } : {}) };
}
