import { describe, expect, it } from 'vitest';
import { customerMessage, formatAmount, type CustomerMessageEvent } from '../../../shared/domain/customer-messages';

const opts = { trackingBaseUrl: 'https://api.oms.example.com/' };
const shipped: CustomerMessageEvent = {
  detailType: 'ShipmentCreated',
  data: { orderId: 'o1', orderNumber: 'WEB-20261201-0001', carrier: 'kuaidi100', trackingNumber: 'SF 123/45' },
};

describe('customer messages', () => {
  it('tells the customer the carrier, the tracking number and where to follow it', () => {
    const m = customerMessage(shipped, { email: 'ana@example.com', name: 'Ana', language: 'en' }, opts)!;
    expect(m.to).toBe('ana@example.com');
    expect(m.subject).toBe('Your order WEB-20261201-0001 has shipped');
    expect(m.text).toContain('Hello Ana,');
    expect(m.text).toContain('has shipped with kuaidi100, tracking number SF 123/45');
    expect(m.text).toContain('https://api.oms.example.com/tracking/SF%20123%2F45');
    expect(m.languages).toEqual(['en']);
  });

  it('writes in the order language when it has one', () => {
    const hant = customerMessage(shipped, { email: 'a@example.com', language: 'zh-Hant' }, opts)!;
    expect(hant.subject).toBe('您的訂單 WEB-20261201-0001 已出貨');
    expect(hant.text).toContain('追蹤編號 SF 123/45');
    expect(hant.text).not.toContain('Hello');
    const hans = customerMessage(shipped, { email: 'a@example.com', language: 'zh-Hans' }, opts)!;
    expect(hans.subject).toBe('您的订单 WEB-20261201-0001 已发货');
    expect(hans.text).toContain('运单号 SF 123/45');
  });

  it('writes English and Traditional Chinese side by side when the order names no language', () => {
    const m = customerMessage(shipped, { email: 'a@example.com', name: '陳小明' }, opts)!;
    expect(m.languages).toEqual(['en', 'zh-Hant']);
    expect(m.subject).toBe('Your order WEB-20261201-0001 has shipped / 您的訂單 WEB-20261201-0001 已出貨');
    expect(m.text.indexOf('Hello 陳小明,')).toBeLessThan(m.text.indexOf('陳小明 您好：'));
    expect(m.text.match(/tracking\/SF%20123%2F45/g)).toHaveLength(2);
  });

  it('sends nothing for an order without an e-mail address', () => {
    expect(customerMessage(shipped, { name: 'Ana' }, opts)).toBeUndefined();
    expect(customerMessage(shipped, { email: '  ' }, opts)).toBeUndefined();
  });

  it('tells of a delivery and of a refund with its amount in major units', () => {
    const delivered = customerMessage({ detailType: 'OrderDelivered', data: { orderId: 'o1', orderNumber: 'N1' } }, { email: 'a@example.com', language: 'en' }, opts)!;
    expect(delivered.subject).toBe('Your order N1 has been delivered');
    const refund = customerMessage(
      { detailType: 'RefundIssued', data: { orderId: 'o1', orderNumber: 'N1', amount: { amount: 1999, currency: 'CNY' } } },
      { email: 'a@example.com', language: 'zh-Hans' },
      opts,
    )!;
    expect(refund.subject).toBe('您的订单 N1 已退款');
    expect(refund.text).toMatch(/退款 CNY\s?19\.99/);
  });

  it('formats amounts with the currency decimals', () => {
    expect(formatAmount({ amount: 1999, currency: 'CNY' }, 'en')).toMatch(/^CNY\s19\.99$/);
    expect(formatAmount({ amount: 500, currency: 'JPY' }, 'en')).toMatch(/^JPY\s500$/);
  });
});
