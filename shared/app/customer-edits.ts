import { patchedProfile, type Customer, type CustomerPatch } from '../domain/customer';
import { ConflictError, NotFoundError } from '../domain/errors';
import type { CustomerRepository } from '../store/customer-repository';
import type { Writer } from '../store/writer';

export interface CustomerEditsDeps {
  customers: Pick<CustomerRepository, 'get'>;
  writer: Pick<Writer, 'commit'>;
}

/**
 * Staff edits of a customer (preferences, tags): made to the version the caller saw,
 * an UpdateItem conditioned on it, so an edit of a stale copy is a 409 and changes nothing.
 */
export function makeCustomerEdits(deps: CustomerEditsDeps) {
  return async function edit(customerId: string, patch: CustomerPatch, version: number, now: Date): Promise<Customer> {
    const current = await deps.customers.get(customerId, { consistent: true });
    if (!current) throw new NotFoundError(`No customer ${customerId}`);
    if (current.version !== version) {
      throw new ConflictError(`Customer ${customerId} is at version ${current.version}, not ${version}`, { currentVersion: current.version }, 'version-mismatch', 'Changed meanwhile');
    }
    const next = { ...patchedProfile(current, patch), version: version + 1, updatedAt: now.toISOString() };
    await deps.writer.commit({
      aggregate: { entity: 'customer', id: customerId },
      at: next.updatedAt,
      changes: [{ op: 'update', entity: 'customer', id: [customerId], tag: 'customer', expect: { equals: { version } }, set: next }],
      events: [],
      movements: [],
    });
    return { ...current, ...next };
  };
}
