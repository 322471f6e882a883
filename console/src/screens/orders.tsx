import { useEffect, useLayoutEffect, useRef, useState } from 'preact/hooks';
import { ApiError, call } from '../api';
import { dateTime, money } from '../format';
import { defineStrings } from '../i18n';
import { useListKeys } from '../keys';
import { KINDS, lookupsFor, type Kind } from '../lookups';
import { navigate } from '../router';
import type { ScreenProps } from '../screens';
import type { OrderResponse, OrderSummary, OrderSummaryList } from '../types';
import { ErrorBox, Loading, Status } from '../ui';

// Order search: by order number, e-mail, phone, tracking number or payment reference.
// "Any" guesses from the text (an order number's shape, an @, digits) and asks the API
// the look-ups that fit; the query lives in the URL, so Back returns to the results.

const s = defineStrings(
  {
    title: 'Orders', search: 'Search', placeholder: 'Order number, e-mail, phone, tracking number or payment reference',
    by: 'Search by', any: 'Any', number: 'Order number', email: 'E-mail', phone: 'Phone', tracking: 'Tracking number', payment: 'Payment reference',
    status: 'Status', placed: 'Placed', customer: 'Customer', channel: 'Channel', total: 'Total',
    none: 'No order matches “{q}”.', hint: 'Type and press Enter; then j/k and Enter open an order.', recent: 'Newest orders',
  },
  {
    title: '訂單查詢', search: '搜尋', placeholder: '訂單編號、電子郵件、電話、物流單號或付款參考號',
    by: '搜尋欄位', any: '全部', number: '訂單編號', email: '電子郵件', phone: '電話', tracking: '物流單號', payment: '付款參考號',
    status: '狀態', placed: '下單時間', customer: '顧客', channel: '通路', total: '金額',
    none: '沒有符合「{q}」的訂單。', hint: '輸入後按 Enter；再以 j/k 與 Enter 開啟訂單。', recent: '最新訂單',
  },
);

async function lookup(q: string, kind: Exclude<Kind, 'any'>): Promise<OrderSummary[]> {
  const list = async (query: Record<string, string>) => (await call<OrderSummaryList>('listOrders', { query: { ...query, limit: 50 } })).body.items;
  try {
    switch (kind) {
      case 'number': return [(await call<OrderResponse>('getOrderByNumber', { params: { orderNumber: q.toUpperCase() } })).body];
      case 'email': return await list({ customerEmail: q });
      case 'phone': return await list({ phone: q });
      case 'tracking': return await list({ trackingNumber: q });
      case 'payment': return await list({ paymentRef: q });
    }
  } catch (err) {
    // not found, or not a valid value of this kind: no match of this kind
    if (err instanceof ApiError && (err.status === 404 || err.status === 400)) return [];
    throw err;
  }
}

async function search(q: string, kind: Kind): Promise<OrderSummary[]> {
  if (!q) return (await call<OrderSummaryList>('listOrders', { query: { limit: 25 } })).body.items;
  const found = (await Promise.all(lookupsFor(q, kind).map((k) => lookup(q, k)))).flat();
  return [...new Map(found.map((o) => [o.orderId, o])).values()];
}

export default function Orders({ query }: ScreenProps) {
  const q = query.get('q') ?? '';
  const kind = (KINDS as readonly string[]).includes(query.get('by') ?? '') ? (query.get('by') as Kind) : 'any';
  const [text, setText] = useState(q);
  const [by, setBy] = useState<Kind>(kind);
  const [result, setResult] = useState<{ q: string; items?: OrderSummary[]; error?: unknown }>();
  const input = useRef<HTMLInputElement>(null);

  useEffect(() => {
    let live = true;
    setResult({ q });
    search(q, kind).then((items) => live && setResult({ q, items }), (error: unknown) => live && setResult({ q, error }));
    return () => void (live = false);
  }, [q, kind]);
  // in the commit that shows the screen: what is typed as soon as it opens lands in the field
  useLayoutEffect(() => input.current?.focus(), []);

  const items = result?.items ?? [];
  const [selected, select] = useListKeys(items.length, { open: (i) => items[i] && navigate(`/orders/${items[i].orderId}`) });

  return (
    <section>
      <div class="screen-head"><h1>{s('title')}</h1><span class="hint">{s('hint')}</span></div>
      <form
        class="row panel"
        role="search"
        onSubmit={(e) => {
          e.preventDefault();
          navigate(`/orders?${new URLSearchParams({ q: text.trim(), by })}`);
          input.current?.blur();
        }}
      >
        <input ref={input} name="q" type="search" style="flex:1;min-width:240px" value={text} placeholder={s('placeholder')} aria-label={s('search')} onInput={(e) => setText((e.target as HTMLInputElement).value)} />
        <select name="by" value={by} aria-label={s('by')} onChange={(e) => setBy((e.target as HTMLSelectElement).value as Kind)}>
          {KINDS.map((k) => <option key={k} value={k}>{s(k)}</option>)}
        </select>
        <button type="submit" class="primary">{s('search')}</button>
      </form>
      {!q && <h2>{s('recent')}</h2>}
      {result?.error !== undefined && <ErrorBox error={result.error} />}
      {!result?.items && !result?.error ? <Loading /> : (
        <table class="list orders">
          <thead>
            <tr>
              <th style="width:160px">{s('number')}</th><th style="width:130px">{s('status')}</th><th style="width:160px">{s('placed')}</th>
              <th>{s('customer')}</th><th class="wide" style="width:90px">{s('channel')}</th><th class="num" style="width:120px">{s('total')}</th>
            </tr>
          </thead>
          <tbody>
            {items.map((o, i) => (
              <tr key={o.orderId} class="clickable" aria-selected={i === selected} onClick={() => { select(i); navigate(`/orders/${o.orderId}`); }}>
                <td class="mono"><a href={`#/orders/${o.orderId}`}>{o.orderNumber}</a></td>
                <td><Status status={o.status} /></td>
                <td>{dateTime(o.createdAt)}</td>
                <td>{o.customer.name} · {o.customer.email}</td>
                <td class="wide">{o.channel}</td>
                <td class="num">{money(o.totals.total)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {items.length === 0 && result?.items && <p class="empty">{s('none', { q })}</p>}
    </section>
  );
}
