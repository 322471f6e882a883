import { useEffect, useState } from 'preact/hooks';
import { call } from '../api';
import { dateTime, money } from '../format';
import { defineStrings, statusLabel } from '../i18n';
import { useListKeys } from '../keys';
import { may } from '../permissions';
import type { ScreenProps } from '../screens';
import { session } from '../session';
import type { OrderResponse, ReturnList, ReturnPage, ReturnRecord } from '../types';
import { ErrorBox, Loading, Notice, Status, useLoad } from '../ui';

// After-sales: returns, exchanges and claims by state, each state a queue oldest first
// (GET /returns?status=); j/k and Enter open one with its lines and the actions its state
// and the user's role allow: approve or reject a request, receive the parcel line by line
// (resellable units go back on hand, damaged ones are written off; the received units are
// refunded), close a settled one. An order number shows that order's returns instead.

const s = defineStrings(
  {
    title: 'After-sales', orderNumber: 'Order number', find: 'Find', clear: 'All orders', state: 'State', all: 'All types', type: 'Type', lines: 'Lines',
    requested: 'Requested', approve: 'Approve', reject: 'Reject', reason: 'Reason', receive: 'Receive', close: 'Close',
    resellable: 'resellable', damaged: 'damaged', refund: 'Refund', none: 'This order has no return yet.', empty: 'No {type} in this state.',
    order: 'Order', more: 'More', hint: 'j/k move, Enter opens a return.', open: 'Open one of the list to see its lines and act on it.',
    done: '{id}: {status}', return: 'Return', exchange: 'Exchange', claim: 'Claim',
  },
  {
    title: '售後服務', orderNumber: '訂單編號', find: '查詢', clear: '所有訂單', state: '狀態', all: '全部類型', type: '類型', lines: '品項',
    requested: '申請時間', approve: '核准', reject: '拒絕', reason: '理由', receive: '收貨', close: '結案',
    resellable: '可再售', damaged: '損壞', refund: '退款', none: '此訂單尚無退貨。', empty: '此狀態沒有{type}。',
    order: '訂單', more: '載入更多', hint: 'j/k 移動，Enter 開啟退貨單。', open: '從清單開啟一筆以查看品項並處理。',
    done: '{id}：{status}', return: '退貨', exchange: '換貨', claim: '索賠',
  },
);
const STATES = ['REQUESTED', 'APPROVED', 'RECEIVED', 'REFUNDED', 'EXCHANGED', 'RESHIPPED', 'REJECTED', 'CLOSED'] as const;
const TYPES = ['return', 'exchange', 'claim'] as const;
type State = (typeof STATES)[number];
type Type = (typeof TYPES)[number];

const oneOf = <T extends string>(list: readonly T[], value: string | null): T | undefined => (list as readonly string[]).includes(value ?? '') ? (value as T) : undefined;

export default function AfterSales({ query }: ScreenProps) {
  const roles = session.get()?.roles ?? [];
  const [state, setState] = useState<State>(oneOf(STATES, query.get('state')) ?? 'REQUESTED');
  const [type, setType] = useState<Type | ''>(oneOf(TYPES, query.get('type')) ?? '');
  const [number, setNumber] = useState(query.get('order') ?? '');
  const [searched, setSearched] = useState(query.get('order') ?? '');
  const [opened, setOpened] = useState<ReturnRecord>();
  const [more, setMore] = useState<{ items: ReturnRecord[]; nextCursor?: string | undefined }>();
  const list = useLoad(async (): Promise<ReturnPage> => {
    if (searched) {
      const order = (await call<OrderResponse>('getOrderByNumber', { params: { orderNumber: searched } })).body;
      const items = (await call<ReturnList>('listOrderReturns', { params: { orderId: order.orderId } })).body.items;
      return { items: items.filter((r) => !type || r.type === type) };
    }
    return (await call<ReturnPage>('listReturns', { query: { status: state, type, limit: 50 } })).body;
  }, [state, type, searched]);
  useEffect(() => setMore(undefined), [list.data]);

  const rows = [...(list.data?.items ?? []), ...(more?.items ?? [])];
  const nextCursor = more ? more.nextCursor : list.data?.nextCursor;
  const [selected, select] = useListKeys(rows.length, { open: (i) => rows[i] && setOpened(rows[i]) });
  const loadMore = async () => {
    const page = (await call<ReturnPage>('listReturns', { query: { status: state, type, limit: 50, cursor: nextCursor } })).body;
    setMore({ items: [...(more?.items ?? []), ...page.items], nextCursor: page.nextCursor });
  };
  const changed = (r: ReturnRecord) => {
    setOpened(r);
    list.reload();
  };

  return (
    <section class="aftersales">
      <div class="screen-head">
        <h1>{s('title')}</h1>
        <span class="hint">{s('hint')}</span>
      </div>
      <div class="row panel">
        {!searched && (
          <div class="tabs" role="tablist" aria-label={s('state')}>
            {STATES.map((x) => (
              <button type="button" role="tab" key={x} aria-selected={state === x} data-state={x} onClick={() => (setState(x), select(0))}>{statusLabel(x)}</button>
            ))}
          </div>
        )}
        <select name="type" aria-label={s('type')} value={type} onChange={(e) => setType((e.target as HTMLSelectElement).value as Type | '')}>
          <option value="">{s('all')}</option>
          {TYPES.map((x) => <option key={x} value={x}>{s(x)}</option>)}
        </select>
        {may(roles, 'getOrderByNumber') && may(roles, 'listOrderReturns') && (
          <form class="row" onSubmit={(e) => (e.preventDefault(), setSearched(number.trim()))}>
            <input name="orderNumber" aria-label={s('orderNumber')} placeholder={s('orderNumber')} value={number} onInput={(e) => setNumber((e.target as HTMLInputElement).value)} />
            <button type="submit">{s('find')}</button>
            {searched && <button type="button" onClick={() => (setNumber(''), setSearched(''))}>{s('clear')}</button>}
          </form>
        )}
      </div>
      {list.error !== undefined && <ErrorBox error={list.error} onRetry={list.reload} />}
      {!list.data && !list.error ? <Loading /> : (
        <table class="list returns">
          <colgroup><col style="width:170px" /><col style="width:100px" /><col style="width:120px" /><col style="width:190px" /><col /><col style="width:120px" /></colgroup>
          <thead>
            <tr><th>{s('order')}</th><th>{s('type')}</th><th>{s('state')}</th><th>{s('requested')}</th><th>{s('lines')}</th><th class="num">{s('refund')}</th></tr>
          </thead>
          <tbody>
            {rows.length === 0 && <tr class="empty-row"><td colSpan={6}>{searched ? s('none') : s('empty', { type: type ? s(type) : s('return') })}</td></tr>}
            {rows.map((r, i) => (
              <tr
                key={r.returnId} class={`clickable${r.returnId === opened?.returnId ? ' current' : ''}`} aria-selected={i === selected} data-return={r.returnId}
                onClick={() => (select(i), setOpened(r))}
              >
                <td class="mono">{r.orderNumber}</td><td>{s(r.type)}</td><td><Status status={r.status} /></td><td>{dateTime(r.createdAt)}</td>
                <td>{r.lines.map((l) => `${l.quantity} × ${l.sku}`).join(', ')}</td><td class="num">{r.refund ? money(r.refund.amount) : ''}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {nextCursor && <button type="button" data-action="more" onClick={() => void loadMore().catch(() => undefined)}>{s('more')}</button>}
      {opened ? <ReturnCard key={opened.returnId} ret={opened} onChanged={changed} /> : <p class="hint">{s('open')}</p>}
    </section>
  );
}

function ReturnCard({ ret, onChanged }: { ret: ReturnRecord; onChanged: (r: ReturnRecord) => void }) {
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
      onChanged(r);
    } catch (err) {
      setError(err);
    }
  };
  const receive = () =>
    act('receiveReturn', { lines: ret.lines.map((l) => ({ sku: l.sku, quantity: l.quantity, condition: conditions[l.sku] ?? 'resellable' })) });

  return (
    <div class="panel return" data-return={ret.returnId}>
      <div class="row">
        <strong>{s(ret.type)}</strong> <span class="mono">{ret.returnId}</span> <Status status={ret.status} /> <span class="hint">{s('requested')} {dateTime(ret.createdAt)}</span>
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
