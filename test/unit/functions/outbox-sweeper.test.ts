import type { PutEventsRequestEntry } from '@aws-sdk/client-eventbridge';
import { describe, expect, it } from 'vitest';
import type { EventBusPort } from '../../../functions/outbox-relay/publish';
import { makeHandler } from '../../../functions/outbox-sweeper/outbox-sweeper';
import type { StoredOutboxEvent } from '../../../shared/store/outbox';

const NOW = new Date('2026-11-27T03:10:00.000Z');

/** An in-memory outbox index: unpublished items by createdAt, oldest first. */
function fakeOutbox(count: number, opts: { failClear?: Set<string> } = {}) {
  const marked = new Map<string, StoredOutboxEvent>();
  for (let i = 0; i < count; i++) {
    const eventId = `evt-${String(i).padStart(4, '0')}`;
    marked.set(eventId, {
      key: { pk: 'P', sk: eventId }, eventId, source: 'oms.orders', detailType: 'OrderPlaced',
      detail: JSON.stringify({ metadata: { eventId } }), createdAt: `2026-11-27T03:00:00.${String(i % 1000).padStart(3, '0')}Z`,
    });
  }
  const queries: Date[] = [];
  return {
    marked,
    queries,
    outbox: {
      async unpublishedBefore(at: Date, limit: number) {
        queries.push(at);
        return [...marked.values()].filter((e) => e.createdAt < at.toISOString()).slice(0, limit);
      },
      async removePublished(events: readonly StoredOutboxEvent[]) {
        const left = events.filter((e) => opts.failClear?.has(e.key.sk));
        events.filter((e) => !left.includes(e)).forEach((e) => marked.delete(e.key.sk));
        return left;
      },
    },
  };
}

function recordingBus(refuse = new Set<string>()) {
  const sent: PutEventsRequestEntry[] = [];
  const bus: EventBusPort = {
    async putEvents(entries) {
      sent.push(...entries);
      const results = entries.map((e) => (refuse.has(JSON.parse(e.Detail!).metadata.eventId) ? { ErrorCode: 'InternalFailure' } : { EventId: 'x' }));
      return { FailedEntryCount: results.filter((r) => r.ErrorCode).length, Entries: results };
    },
  };
  return { bus, sent };
}

describe('outbox sweeper', () => {
  it('re-drives only what is older than the threshold, page after page, and deletes each', async () => {
    const { outbox, marked, queries } = fakeOutbox(250);
    const { bus, sent } = recordingBus();
    const run = await makeHandler({ outbox, bus, busName: 'b', now: () => NOW })({});
    expect(run).toEqual({ republished: 250, failed: 0 });
    expect(queries[0]!.toISOString()).toBe('2026-11-27T03:08:00.000Z');
    expect(new Set(sent.map((e) => e.Detail)).size).toBe(250);
    expect(marked.size).toBe(0);
  });

  it('finds nothing to do for items younger than two minutes', async () => {
    const { outbox } = fakeOutbox(5);
    const { bus, sent } = recordingBus();
    const run = await makeHandler({ outbox, bus, busName: 'b', now: () => new Date('2026-11-27T03:01:59.000Z') })({});
    expect(run).toEqual({ republished: 0, failed: 0 });
    expect(sent).toEqual([]);
  });

  it('works as of the tick\'s time when the schedule gives one', async () => {
    const { outbox, marked, queries } = fakeOutbox(5);
    const { bus, sent } = recordingBus();
    const early = new Date('2026-11-27T03:01:59.000Z');
    const run = await makeHandler({ outbox, bus, busName: 'b', now: () => early })({ time: '2026-11-27T03:02:01.000Z' });
    expect(queries[0]!.toISOString()).toBe('2026-11-27T03:00:01.000Z');
    expect(run).toEqual({ republished: 5, failed: 0 });
    expect(sent).toHaveLength(5);
    expect(marked.size).toBe(0);
  });

  it('stops at the first refusal and leaves the refused item in the outbox for the next run', async () => {
    const { outbox, marked } = fakeOutbox(150);
    const { bus } = recordingBus(new Set(['evt-0003']));
    const run = await makeHandler({ outbox, bus, busName: 'b', now: () => NOW })({});
    expect(run).toEqual({ republished: 99, failed: 1 });
    expect([...marked.keys()].slice(0, 2)).toEqual(['evt-0003', 'evt-0100']);
  });

  it('never sends an item twice in one run when it cannot be deleted', async () => {
    const { outbox } = fakeOutbox(100, { failClear: new Set(['evt-0000']) });
    const { bus, sent } = recordingBus();
    const run = await makeHandler({ outbox, bus, busName: 'b', now: () => NOW })({});
    expect(run).toEqual({ republished: 100, failed: 0 });
    expect(sent).toHaveLength(100);
  });

  it('leaves the rest to the next run when the invocation is running out of time', async () => {
    const { outbox, marked } = fakeOutbox(300);
    const { bus } = recordingBus();
    const run = await makeHandler({ outbox, bus, busName: 'b', now: () => NOW })({}, { getRemainingTimeInMillis: () => 1000 });
    expect(run).toEqual({ republished: 100, failed: 0 });
    expect(marked.size).toBe(200);
  });
});
