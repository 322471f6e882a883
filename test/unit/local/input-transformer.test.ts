import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { stageConfig } from '../../../infra/config';
import { jsonPath, transformInput } from '../../../infra/local/input-transformer';

// EventBridge's input transformer, as the local cloud applies it to rule targets.

const sample = (name: string) => JSON.parse(readFileSync(new URL(`../../../events/samples/${name}.eventbridge.json`, import.meta.url), 'utf8'));
const event = {
  version: '0',
  id: 'ev-1',
  'detail-type': 'OrderPaid',
  source: 'oms.orders',
  time: '2026-11-27T03:05:00Z',
  detail: { data: { orderNumber: 'W1', note: 'said "hi"\\', total: 12.5, lines: [{ sku: 'A' }, { sku: 'B' }], paid: true, gone: null } },
};
const apply = (InputPathsMap: Record<string, string>, InputTemplate: string) => transformInput({ InputPathsMap, InputTemplate }, event);

describe('input transformer', () => {
  it('paths: dots, dashes and indexes; a missing step is undefined', () => {
    expect(jsonPath(event, '$.detail-type')).toBe('OrderPaid');
    expect(jsonPath(event, '$.detail.data.lines[1].sku')).toBe('B');
    expect(jsonPath(event, '$.detail.data.nope.deeper')).toBeUndefined();
    expect(jsonPath(event, '$')).toBe(event);
  });

  it('outside quotes a value is written as JSON: strings get their quotes, objects and numbers stay', () => {
    const out = apply({ n: '$.detail.data.orderNumber', t: '$.detail.data.total', l: '$.detail.data.lines', p: '$.detail.data.paid' }, '{"order": <n>, "total": <t>, "lines": <l>, "paid": <p>}');
    expect(JSON.parse(out)).toEqual({ order: 'W1', total: 12.5, lines: [{ sku: 'A' }, { sku: 'B' }], paid: true });
  });

  it('inside quotes a string is inserted without quotes, escaped so the body stays JSON', () => {
    const out = apply({ n: '$.detail.data.orderNumber', note: '$.detail.data.note' }, '{"text": "order <n>: <note>"}');
    expect(JSON.parse(out)).toEqual({ text: 'order W1: said "hi"\\' });
  });

  it('a path that names nothing is null (empty inside a string); an unknown <tag> stays as written', () => {
    const out = apply({ x: '$.detail.data.missing', g: '$.detail.data.gone' }, '{"x": <x>, "g": <g>, "s": "[<x>]", "html": "<b>bold</b>"}');
    expect(JSON.parse(out)).toEqual({ x: null, g: null, s: '[]', html: '<b>bold</b>' });
  });

  it('a plain-text template gets strings as they are', () => {
    expect(apply({ n: '$.detail.data.orderNumber', t: '$.detail.data.total' }, 'Order <n> paid <t>')).toBe('Order W1 paid 12.5');
  });

  it('predefined placeholders: the rule and the whole event', () => {
    const out = transformInput({ InputTemplate: '{"rule": <aws.events.rule-name>, "arn": "<aws.events.rule-arn>", "e": <aws.events.event.json>}' }, event, { ruleName: 'oms-dev-erp', ruleArn: 'arn:aws:events:us-east-1:0:rule/oms-dev-erp' });
    expect(JSON.parse(out)).toEqual({ rule: 'oms-dev-erp', arn: 'arn:aws:events:us-east-1:0:rule/oms-dev-erp', e: event });
  });

  it("the dev ERP's transformer turns each of its three events into the envelope the ERP takes", () => {
    const { transform } = stageConfig('dev').apiDestinations!.find((d) => d.name === 'erp')!;
    for (const name of ['order-paid', 'shipment-created', 'stock-adjusted']) {
      const e = sample(name);
      const body = JSON.parse(transformInput({ InputPathsMap: { ...transform.inputPaths }, InputTemplate: transform.template }, e));
      expect(body).toEqual({ eventId: e.detail.metadata.eventId, type: e['detail-type'], occurredAt: e.detail.metadata.occurredAt, source: 'oms', data: e.detail.data });
    }
  });
});
