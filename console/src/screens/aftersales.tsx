import { useState } from 'preact/hooks';
import { call } from '../api';
import { dateTime, money } from '../format';
import { defineStrings } from '../i18n';
import { may } from '../permissions';
import type { ScreenProps } from '../screens';
import { session } from '../session';
import type { OrderResponse, ReturnList, ReturnRecord } from '../types';
import { ErrorBox, Loading, Notice, Status, useLoad } from '../ui';

// After-sales: an order's returns, exchanges and claims by state; approve or reject a
// request, receive the parcel line by line (resellable units go back on hand, damaged ones
// are written off; the received units are refunded), close a settled one. The API lists
// returns per order, so the screen starts from an order number.

const s = defineStrings(
  {
    title: 'After-sales', orderNumber: 'Order number', find: 'Find', state: 'State', all: 'All', type: 'Type', lines: 'Lines',
    requested: 'Requested', approve: 'Approve', reject: 'Reject', reason: 'Reason', receive: 'Receive', close: 'Close',
    resellable: 'resellable', damaged: 'damaged', refund: 'Refund', none: 'This order has no return yet.',
    start: 'Enter an order number to see its returns and claims.', done: '{id}: {status}',
  },
  {
    title: '售後服務', orderNumber: '訂單編號', find: '查詢', state: '狀態', all: '全部', type: '類型', lines: '品項',
    requested: '申請時間', approve: '核准', reject: '拒絕', reason: '理由', receive: '收貨', close: '結案',
    resellable: '可再售', damaged: '損壞', refund: '退款', none: '此訂單尚無退貨。',
    start: '輸入訂單編號以查看其退貨與索賠。', done: '{id}：{status}',
  },
);
const STATES = ['REQUESTED', 'APPROVED', 'RECEIVED', 'REFUNDED', 'REJECTED', 'CLOSED'] as const;

export default function AfterSales({ query }: ScreenProps) {
  const [number, setNumber] = useState(query.get('order') ?? '');
  const [searched, setSearched] = useState(query.get('order') ?? '');
  const [state, setState] = useState<string>('');
  const found = useLoad(async () => {
    if (!searched) return undefined;
    const order = (await call<OrderResponse>('getOrderByNumber', { params: { orderNumber: searched } })).body;
    const returns = (await call<ReturnList>('listOrderReturns', { params: { orderId: order.orderId } })).body.items;
    return { order, returns };
  }, [searched]);
  const returns = (found.data?.returns ?? []).filter((r) => !state || r.status === state);

  return (
    <section class="aftersales">
      <div class="screen-head">
        <h1>{s('title')}</h1>
        <form class="row" onSubmit={(e) => (e.preventDefault(), setSearched(number.trim()))}>
          <input name="orderNumber" aria-label={s('orderNumber')} placeholder={s('orderNumber')} value={number} onInput={(e) => setNumber((e.target as HTMLInputElement).value)} />
          <button type="submit">{s('find')}</button>
        </form>
        <select name="state" aria-label={s('state')} value={state} onChange={(e) => setState((e.target as HTMLSelectElement).value)}>
          <option value="">{s('all')}</option>
          {STATES.map((x) => <option key={x} value={x}>{x}</option>)}
        </select>
      </div>
      {!searched && <p class="hint">{s('start')}</p>}
      {found.error !== undefined && <ErrorBox error={found.error} onRetry={found.reload} />}
      {searched && !found.data && !found.error && <Loading />}
      {found.data && returns.length === 0 && <p class="hint">{s('none')}</p>}
      {returns.map((r) => <ReturnCard key={r.returnId} ret={r} onChanged={found.reload} />)}
    </section>
  );
}

function ReturnCard({ ret, onChanged }: { ret: ReturnRecord; onChanged: () => void }) {
  const roles = session.get()?.roles ?? [];
  const [reason, setReason] = useState('');
  const [conditions, setConditions] = useState<Record<string, 'resellable' | 'damaged'>>({});
  const [done, setDone] = useState<string>();
  const [error, setError] = useState<unknown>();
  const act = async (name: 'approveReturn' | 'rejectReturn' | 'receiveReturn' | 'closeReturn', body?: unknown) => {
    setError(undefined);
    try {
      const r = (await call<ReturnRecord>(name, { params: { returnId: ret.returnId }, ...(body ? { body } : {}) })).body;
      setDone(s('done', { id: ret.returnId.slice(-8), status: r.status }));
      onChanged();
    } catch (err) {
      setError(err);
    }
  };
  const receive = () =>
    act('receiveReturn', { lines: ret.lines.map((l) => ({ sku: l.sku, quantity: l.quantity, condition: conditions[l.sku] ?? 'resellable' })) });

  return (
    <div class="panel return" data-return={ret.returnId}>
      <div class="row">
        <strong>{ret.type}</strong> <Status status={ret.status} /> <span class="hint">{s('requested')} {dateTime(ret.createdAt)}</span>
        {ret.refund && <span>{s('refund')}: {money(ret.refund.amount)}</span>}
      </div>
      <table class="list">
        <colgroup><col style="width:160px" /><col /><col style="width:60px" /><col style="width:200px" /><col style="width:150px" /></colgroup>
        <tbody>
          {ret.lines.map((l) => (
            <tr key={l.sku}>
              <td class="mono">{l.sku}</td><td>{l.name}</td><td class="num">{l.quantity}</td><td>{l.reason}</td>
              <td>
                {ret.status === 'APPROVED' && may(roles, 'receiveReturn') ? (
                  <select name={`condition-${l.sku}`} value={conditions[l.sku] ?? 'resellable'} onChange={(e) => setConditions({ ...conditions, [l.sku]: (e.target as HTMLSelectElement).value as 'resellable' | 'damaged' })}>
                    <option value="resellable">{s('resellable')}</option><option value="damaged">{s('damaged')}</option>
                  </select>
                ) : ''}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      <div class="actions">
        {ret.status === 'REQUESTED' && may(roles, 'approveReturn') && <button type="button" class="primary" onClick={() => void act('approveReturn')}>{s('approve')}</button>}
        {ret.status === 'REQUESTED' && may(roles, 'rejectReturn') && (
          <>
            <input name="reason" placeholder={s('reason')} value={reason} onInput={(e) => setReason((e.target as HTMLInputElement).value)} />
            <button type="button" disabled={!reason.trim()} onClick={() => void act('rejectReturn', { reason })}>{s('reject')}</button>
          </>
        )}
        {ret.status === 'APPROVED' && may(roles, 'receiveReturn') && <button type="button" class="primary" onClick={() => void receive()}>{s('receive')}</button>}
        {(ret.status === 'REFUNDED' || ret.status === 'RECEIVED') && may(roles, 'closeReturn') && <button type="button" onClick={() => void act('closeReturn')}>{s('close')}</button>}
        <a href={`#/orders/${ret.orderId}`}>→ {ret.orderNumber}</a>
      </div>
      {done && <Notice kind="ok">{done}</Notice>}
      {error !== undefined && <ErrorBox error={error} />}
    </div>
  );
}
