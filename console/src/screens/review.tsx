import { useEffect, useLayoutEffect, useRef, useState } from 'preact/hooks';
import type { OrderSummaryList, OrderResponse } from '../types';
import { ApiError, call } from '../api';
import { dateTime, money } from '../format';
import { defineStrings, t } from '../i18n';
import { useListKeys } from '../keys';
import { navigate } from '../router';
import type { ScreenProps } from '../screens';
import { ErrorBox, Loading, Notice, errorText } from '../ui';

// The review queue: orders waiting for a person, oldest first, with the reasons the
// workflow settings sent them here. `a` approves the selected order, `r` rejects it (then
// 1-3 picks a reason, or type one); both send If-Match with the version shown, so an order
// someone else changed meanwhile is reported, never acted on blindly.

const s = defineStrings(
  {
    title: 'Review queue',
    keys: 'j/k move · Enter opens · a approves · r rejects',
    number: 'Order', placed: 'Placed', customer: 'Customer', total: 'Total', reasons: 'Why it waits', channel: 'Channel',
    empty: 'No order is waiting for review.',
    approve: 'Approve', reject: 'Reject',
    approved: '{number} approved.', rejected: '{number} rejected.',
    conflict: '{number} changed since you saw it ({detail}). Nothing was done; the queue is reloaded.',
    rejectTitle: 'Reject {number}: why?',
    reasonPlaceholder: 'Reason (Enter rejects, Esc cancels)',
    reason1: 'Suspected fraud', reason2: 'Shipping address cannot be verified', reason3: 'Customer asked to cancel',
    refresh: 'Refresh',
    count: '{n} waiting',
  },
  {
    title: '審核佇列',
    keys: 'j/k 移動 · Enter 開啟 · a 核准 · r 拒絕',
    number: '訂單', placed: '下單時間', customer: '顧客', total: '金額', reasons: '待審原因', channel: '通路',
    empty: '沒有待審核的訂單。',
    approve: '核准', reject: '拒絕',
    approved: '已核准 {number}。', rejected: '已拒絕 {number}。',
    conflict: '{number} 在你查看後已變更（{detail}）。未執行任何動作，佇列已重新載入。',
    rejectTitle: '拒絕 {number}：原因？',
    reasonPlaceholder: '原因（Enter 拒絕，Esc 取消）',
    reason1: '疑似詐騙', reason2: '無法核實收件地址', reason3: '顧客要求取消',
    refresh: '重新整理',
    count: '{n} 筆待審',
  },
);

interface Row {
  orderId: string;
  orderNumber: string;
  createdAt: string;
  channel: string;
  customer: string;
  total: OrderResponse['totals']['total'];
  /** from the order itself: the reasons and the version to act on */
  reasons?: string[];
  version?: number;
}

async function loadQueue(): Promise<Row[]> {
  const list = await call<OrderSummaryList>('listOrders', { query: { status: 'IN_REVIEW', limit: 50 } });
  const orders = await Promise.all(
    list.body.items.map((o) => call<OrderResponse>('getOrder', { params: { orderId: o.orderId } }).then((r) => r.body, () => undefined)),
  );
  return list.body.items.map((o, i) => ({
    orderId: o.orderId, orderNumber: o.orderNumber, createdAt: o.createdAt, channel: o.channel, customer: o.customer.name, total: o.totals.total,
    ...(orders[i] ? { reasons: orders[i].reviewReasons ?? [], version: orders[i].version } : {}),
  })).filter((_, i) => !orders[i] || orders[i].status === 'IN_REVIEW');
}

export default function ReviewQueue(_: ScreenProps) {
  const [rows, setRows] = useState<Row[]>();
  const [error, setError] = useState<unknown>();
  const [notice, setNotice] = useState<{ kind: 'ok' | 'warn' | 'error'; text: string }>();
  const [rejecting, setRejecting] = useState<Row>();
  const [busy, setBusy] = useState(false);
  const reload = () => loadQueue().then((r) => { setRows(r); setError(undefined); }, setError);
  useEffect(() => void reload(), []);

  const act = async (row: Row, kind: 'approve' | 'reject', reason?: string) => {
    if (busy) return;
    setBusy(true);
    try {
      // a row whose order could not be read with the queue is read now, for the version it acts on
      const version = row.version ?? (await call<OrderResponse>('getOrder', { params: { orderId: row.orderId } })).body.version;
      if (kind === 'approve') await call('approveOrder', { params: { orderId: row.orderId }, ifMatch: version });
      else await call('rejectOrder', { params: { orderId: row.orderId }, ifMatch: version, body: { reason } });
      setRows((list) => list?.filter((r) => r.orderId !== row.orderId));
      setNotice({ kind: 'ok', text: s(kind === 'approve' ? 'approved' : 'rejected', { number: row.orderNumber }) });
    } catch (err) {
      if (err instanceof ApiError && err.isConflict) {
        setNotice({ kind: 'warn', text: s('conflict', { number: row.orderNumber, detail: err.problem.detail ?? err.problem.title ?? '' }) });
        await reload();
      } else setNotice({ kind: 'error', text: t('error', { detail: errorText(err) }) });
    } finally {
      setBusy(false);
      setRejecting(undefined);
    }
  };

  const [selected, select] = useListKeys(rows?.length ?? 0, {
    enabled: !rejecting,
    open: (i) => rows?.[i] && navigate(`/orders/${rows[i].orderId}`),
    keys: {
      a: (i) => rows?.[i] && void act(rows[i], 'approve'),
      r: (i) => rows?.[i] && setRejecting(rows[i]),
    },
  });

  return (
    <section>
      <div class="screen-head">
        <h1>{s('title')}</h1>
        {rows && <span class="count">{s('count', { n: rows.length })}</span>}
        <button type="button" onClick={() => void reload()}>{s('refresh')}</button>
        <span class="hint">{s('keys')}</span>
      </div>
      {notice && <Notice kind={notice.kind}>{notice.text}</Notice>}
      {error !== undefined && <ErrorBox error={error} onRetry={() => void reload()} />}
      {rejecting && <RejectDialog row={rejecting} onCancel={() => setRejecting(undefined)} onReject={(reason) => void act(rejecting, 'reject', reason)} />}
      {!rows && !error ? <Loading /> : (
        <table class="list review">
          <thead>
            <tr>
              <th style="width:150px">{s('number')}</th><th class="wide" style="width:150px">{s('placed')}</th><th class="wide" style="width:80px">{s('channel')}</th>
              <th style="width:120px">{s('customer')}</th><th class="num" style="width:100px">{s('total')}</th><th>{s('reasons')}</th><th style="width:200px" />
            </tr>
          </thead>
          <tbody>
            {rows?.map((row, i) => (
              <tr key={row.orderId} class="clickable" aria-selected={i === selected} data-order={row.orderNumber} onClick={() => select(i)} onDblClick={() => navigate(`/orders/${row.orderId}`)}>
                <td class="mono"><a href={`#/orders/${row.orderId}`}>{row.orderNumber}</a></td>
                <td class="wide">{dateTime(row.createdAt)}</td>
                <td class="wide">{row.channel}</td>
                <td>{row.customer}</td>
                <td class="num">{money(row.total)}</td>
                <td title={row.reasons?.join('\n')}>{row.reasons?.join('; ') ?? '…'}</td>
                <td>
                  <div class="row nowrap">
                    <button type="button" class="primary small" disabled={busy || row.version === undefined} onClick={() => void act(row, 'approve')}><kbd>a</kbd> {s('approve')}</button>
                    <button type="button" class="danger small" disabled={busy || row.version === undefined} onClick={() => setRejecting(row)}><kbd>r</kbd> {s('reject')}</button>
                  </div>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {rows?.length === 0 && <p class="empty">{s('empty')}</p>}
    </section>
  );
}

function RejectDialog({ row, onReject, onCancel }: { row: Row; onReject: (reason: string) => void; onCancel: () => void }) {
  const presets = [s('reason1'), s('reason2'), s('reason3')];
  const [text, setText] = useState('');
  const input = useRef<HTMLInputElement>(null);
  // in the commit that shows the field: a key typed right after the one that opened it lands in it
  useLayoutEffect(() => input.current?.focus(), []);
  return (
    <form
      class="dialog"
      aria-label={s('rejectTitle', { number: row.orderNumber })}
      onSubmit={(e) => {
        e.preventDefault();
        if (text.trim()) onReject(text.trim());
      }}
      onKeyDown={(e) => {
        if (e.key === 'Escape') onCancel();
        const preset = /^[1-3]$/.test(e.key) && !text ? presets[Number(e.key) - 1] : undefined;
        if (preset) {
          e.preventDefault();
          onReject(preset);
        }
      }}
    >
      <strong>{s('rejectTitle', { number: row.orderNumber })}</strong>
      <div class="row" style="margin:8px 0">
        {presets.map((p, i) => (
          <button type="button" key={p} onClick={() => onReject(p)}><kbd>{i + 1}</kbd> {p}</button>
        ))}
      </div>
      <div class="row">
        <input ref={input} name="reason" style="flex:1" value={text} maxLength={500} placeholder={s('reasonPlaceholder')} onInput={(e) => setText((e.target as HTMLInputElement).value)} />
        <button type="submit" class="danger" disabled={!text.trim()}>{s('reject')}</button>
        <button type="button" onClick={onCancel}>{t('cancel')}</button>
      </div>
    </form>
  );
}
