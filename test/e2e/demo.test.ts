import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, inject, it } from 'vitest';
import { apiUrl } from './client';

// `npm run demo` itself, run against this run's local cloud: the story it tells is the
// lifecycle working end to end, so it must finish clean and say what happened.
describe('npm run demo', () => {
  const dir = mkdtempSync(join(tmpdir(), 'oms-demo-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('tells the whole story against the local cloud', async () => {
    const handshake = join(dir, 'local.json');
    writeFileSync(handshake, JSON.stringify({ apiUrl: apiUrl(), tokens: inject('tokens') }));
    const { stdout } = await promisify(execFile)(process.execPath, ['--import', 'tsx', 'scripts/demo.ts', '--handshake', handshake], {
      timeout: 330_000,
    });
    const ended = (kind: string) => new RegExp(`^ {3}[A-Z]\\d{8}-\\d{4,}: ${kind}`, 'm');
    const summary = stdout.slice(stdout.indexOf('== 8.'));
    expect(summary).toMatch(ended('AWAITING_PAYMENT'));
    expect(summary).toMatch(ended('REJECTED, .*Insufficient stock'));
    expect(summary).toMatch(ended('CANCELLED'));
    expect(summary).toMatch(ended('EXPIRED'));
    expect(stdout).toContain('(the same order)');
    expect(stdout).toMatch(/P\d{8}-\d{4,}: IN_REVIEW/);
    expect(stdout).toMatch(/customer-service: [1-9]\d* notification/);
    expect(stdout).toMatch(/warehouse: [1-9]\d* notification/);
    // shipping: two parcels tracked to delivery and completed, the public answer shown, cash on delivery collected
    expect(stdout, stdout).not.toContain('!! FAILED');
    expect(stdout).toMatch(/: PARTIALLY_DELIVERED\n/);
    expect(stdout).toMatch(/the hourly completion job ran: [A-Z]\d{8}-\d{4,} -> COMPLETED/);
    expect(stdout).toMatch(/"status": "DELIVERED"/);
    expect(stdout).toContain('delivered and cash collected');
    expect(summary).toMatch(ended('COMPLETED'));
    // after-sales: a return with one line damaged (refunded), sent twice with one key; an exchange; a claim reshipped
    expect(stdout).toMatch(/return ret_\w+: REFUNDED, refund 728\.00 CNY/);
    expect(stdout).toContain('its Idempotency-Key: the same return');
    expect(stdout).toMatch(/exchange ret_\w+: EXCHANGED -> replacement X\d{8}-\d{4,}: PAID \(credit 48\.00 CNY, to pay 0\.00 CNY\)/);
    expect(stdout).toMatch(/claim ret_\w+: RESHIPPED -> replacement X\d{8}-\d{4,}: PAID/);
    // integrations: the partner's ERP got paid and shipped orders through the API destination and the webhook
    const integrations = stdout.slice(stdout.indexOf('== 11.'));
    expect(integrations).toMatch(/ERP feed \(API destination, x-api-key\): [1-9]\d* event/);
    expect(integrations).toMatch(/webhook demo-erp-\w+ \(signature verified\): [1-9]\d* event/);
    expect(integrations).toMatch(/- OrderPaid [A-Z]\d{8}-\d{4,} PAID -> 204/);
    expect(integrations).toMatch(/- ShipmentCreated [A-Z]\d{8}-\d{4,} tracking \S+ -> 204/);
    expect(stdout.trim().endsWith('Demo complete.')).toBe(true);
  }, 360_000);
});
