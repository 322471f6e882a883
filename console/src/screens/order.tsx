import { useLayoutEffect, useRef, useState } from 'preact/hooks';
import type { RouteName } from '../../../shared/api/routes';
import { ApiError, call, newKey, type CallOptions } from '../api';
import { dateTime, money, parseAmount } from '../format';
import { defineStrings, t } from '../i18n';
import { may } from '../permissions';
import { actionsFor, type Action } from '../order-actions';
import type { ScreenProps } from '../screens';
import { session } from '../session';
import type { OrderStory } from '../types';
import { ErrorBox, Loading, Notice, Status, errorText, useLoad } from '../ui';

// The order page: the whole story (GET /orders/{id}/story) and the actions its status and
// the user's role allow. Whether a status allows a command comes from the domain's own
// transition table (order-transitions.ts has no runtime imports); whether the role may
// call the route comes from the route table. A change someone else made meanwhile comes
// back as 409 (If-Match) and is shown, and the page reloads instead of retrying.

const s = defineStrings(
  {
    back: '← Orders', customer: 'Customer', channel: 'Channel', placed: 'Placed', updated: 'Updated', version: 'Version', shipTo: 'Ship to',
    total: 'Total', paid: 'Paid', refunded: 'Refunded', balance: 'Balance', reasons: 'Review reasons', rejection: 'Rejected because', cancellation: 'Cancelled because',
    lines: 'Lines', sku: 'SKU', name: 'Product', qty: 'Qty', unit: 'Unit price', shipped: 'Shipped', delivered: 'Delivered',
    story: 'Story', payments: 'Payments and refunds', method: 'Method', status: 'Status', amount: 'Amount', reason: 'Reason',
    outbound: 'Fulfilment and shipping', tracking: 'Tracking', returns: 'Returns', notes: 'Notes', notifications: 'Notifications sent', none: 'None yet.',
    note: 'Add a note', cancel: 'Cancel order', refund: 'Refund', fulfil: 'Start fulfilment', pack: 'Mark {id} packed', ship: 'Ship', ret: 'Open a return',
    noteText: 'Note', cancelReason: 'Why is it cancelled?', refundAmount: 'Amount ({currency})', refundReason: 'Reason', payment: 'Payment',
    carrier: 'Carrier', trackingNumber: 'Tracking number (optional)', fulfilment: 'Fulfilment', returnReason: 'Reason for the return', returnQty: 'Quantity',
    done: 'Done: {what}.', conflict: 'The order changed since you opened it ({detail}). Nothing was done; it is reloaded.', maxRefund: 'at most {amount}',
  },
  {
    back: '← 訂單查詢', customer: '顧客', channel: '通路', placed: '下單時間', updated: '更新時間', version: '版本', shipTo: '收件地址',
    total: '總額', paid: '已付', refunded: '已退款', balance: '餘額', reasons: '待審原因', rejection: '拒絕原因', cancellation: '取消原因',
    lines: '商品明細', sku: 'SKU', name: '商品', qty: '數量', unit: '單價', shipped: '已發貨', delivered: '已送達',
    story: '訂單歷程', payments: '付款與退款', method: '付款方式', status: '狀態', amount: '金額', reason: '原因',
    outbound: '出庫與發貨', tracking: '物流追蹤', returns: '退貨', notes: '備註', notifications: '已發送通知', none: '尚無。',
    note: '新增備註', cancel: '取消訂單', refund: '退款', fulfil: '開始出庫', pack: '將 {id} 標記為已包裝', ship: '發貨', ret: '建立退貨',
    noteText: '備註', cancelReason: '取消原因？', refundAmount: '金額（{currency}）', refundReason: '原因', payment: '付款',
    carrier: '物流商', trackingNumber: '物流單號（選填）', fulfilment: '出庫單', returnReason: '退貨原因', returnQty: '數量',
    done: '完成：{what}。', conflict: '訂單在你開啟後已變更（{detail}）。未執行任何動作，已重新載入。', maxRefund: '最多 {amount}',
  },
);

export default function OrderPage({ params }: ScreenProps) {
  const orderId = params.orderId!;
  const roles = session.use()?.roles ?? [];
  const story = useLoad(() => call<OrderStory>('orderStory', { params: { orderId } }).then((r) => r.body), [orderId]);
  const [open, setOpen] = useState<Action>();
  const [notice, setNotice] = useState<{ kind: 'ok' | 'warn' | 'error'; text: string }>();
  const [busy, setBusy] = useState(false);

  const run = async (what: string, route: RouteName, opts: CallOptions) => {
    setBusy(true);
    try {
      await call(route, opts);
      setNotice({ kind: 'ok', text: s('done', { what }) });
      setOpen(undefined);
    } catch (err) {
      if (err instanceof ApiError && err.isConflict) {
        setNotice({ kind: 'warn', text: s('conflict', { detail: err.problem.detail ?? err.problem.title ?? '' }) });
        setOpen(undefined);
      } else {
        setNotice({ kind: 'error', text: t('error', { detail: errorText(err) }) });
        setBusy(false);
        return err;
      }
    }
    setBusy(false);
    story.reload();
    return undefined;
  };

  if (story.error && !story.data) return <ErrorBox error={story.error} onRetry={story.reload} />;
  const o = story.data;
  if (!o) return <Loading />;
  const actions = actionsFor(o, roles);
  const labels: Record<Action, string> = { note: s('note'), cancel: s('cancel'), refund: s('refund'), fulfil: s('fulfil'), ship: s('ship'), return: s('ret') };
  const by = (orderPart: Record<string, string>) => ({ params: { orderId, ...orderPart } });

  return (
    <section class="order-page">
      <div class="screen-head">
        <a href="#/orders">{s('back')}</a>
        <h1 class="mono">{o.orderNumber}</h1>
        <Status status={o.status} />
      </div>
      {notice && <Notice kind={notice.kind}>{notice.text}</Notice>}
      <div class="actions" role="toolbar">
        {actions.map((a) => (
          <button type="button" key={a} data-action={a} class={open === a ? 'primary' : a === 'cancel' ? 'danger' : ''} onClick={() => setOpen(open === a ? undefined : a)}>{labels[a]}</button>
        ))}
        {(o.outbound?.fulfilments ?? []).filter((f) => f.status === 'OPEN' && may(roles, 'packFulfilment')).map((f) => (
          <button type="button" key={f.fulfillmentId} disabled={busy} onClick={() => void run(s('pack', { id: f.fulfillmentId }), 'packFulfilment', { params: { fulfillmentId: f.fulfillmentId } })}>
            {s('pack', { id: f.fulfillmentId.slice(-6) })}
          </button>
        ))}
      </div>
      {open === 'note' && (
        <TextAction label={s('noteText')} submit={s('note')} busy={busy} multiline onSubmit={(text) => run(s('note'), 'addOrderNote', { ...by({}), body: { text } })} onCancel={() => setOpen(undefined)} />
      )}
      {open === 'cancel' && (
        <TextAction label={s('cancelReason')} submit={s('cancel')} busy={busy} onSubmit={(reason) => run(s('cancel'), 'cancelOrder', { ...by({}), body: { reason }, ifMatch: o.version })} onCancel={() => setOpen(undefined)} />
      )}
      {open === 'refund' && <RefundAction order={o} busy={busy} onCancel={() => setOpen(undefined)} onSubmit={(body, key) => run(s('refund'), 'requestRefund', { ...by({}), body, idempotencyKey: key })} />}
      {open === 'fulfil' && (
        <ConfirmAction text={s('fulfil')} busy={busy} onCancel={() => setOpen(undefined)} onSubmit={(key) => run(s('fulfil'), 'createFulfilment', { ...by({}), body: {}, idempotencyKey: key })} />
      )}
      {open === 'ship' && <ShipAction order={o} busy={busy} onCancel={() => setOpen(undefined)} onSubmit={(body, key) => run(s('ship'), 'createShipment', { ...by({}), body, idempotencyKey: key })} />}
      {open === 'return' && <ReturnAction order={o} busy={busy} onCancel={() => setOpen(undefined)} onSubmit={(body) => run(s('ret'), 'createReturn', { ...by({}), body })} />}

      <div class="grid2">
        <div class="panel">
          <dl class="facts">
            <dt>{s('customer')}</dt><dd>{o.customer.name} · {o.customer.email}{o.customer.phone ? ` · ${o.customer.phone}` : ''}</dd>
            <dt>{s('channel')}</dt><dd>{o.channel}{o.externalRef ? ` · ${o.externalRef}` : ''}</dd>
            <dt>{s('placed')}</dt><dd>{dateTime(o.createdAt)}</dd>
            <dt>{s('updated')}</dt><dd>{dateTime(o.updatedAt)} · {s('version')} {o.version}</dd>
            <dt>{s('shipTo')}</dt><dd>{[o.shippingAddress.name, o.shippingAddress.line1, o.shippingAddress.city, o.shippingAddress.country].filter(Boolean).join(', ')}</dd>
            {o.reviewReasons?.length ? <><dt>{s('reasons')}</dt><dd>{o.reviewReasons.join('; ')}</dd></> : null}
            {o.rejectionReason && <><dt>{s('rejection')}</dt><dd>{o.rejectionReason}</dd></>}
            {o.cancellationReason && <><dt>{s('cancellation')}</dt><dd>{o.cancellationReason}</dd></>}
          </dl>
        </div>
        <div class="panel">
          <dl class="facts money">
            <dt>{s('total')}</dt><dd>{money(o.totals.total)}</dd>
            <dt>{s('paid')}</dt><dd>{money(o.money.paid)}</dd>
            <dt>{s('refunded')}</dt><dd>{money(o.money.refunded)}</dd>
            <dt>{s('balance')}</dt><dd>{money(o.money.balance)}</dd>
          </dl>
        </div>
      </div>

      <h2>{s('lines')}</h2>
      <table class="list">
        <colgroup><col style="width:160px" /><col /><col style="width:70px" /><col style="width:120px" /><col style="width:80px" /><col style="width:80px" /></colgroup>
        <thead><tr><th>{s('sku')}</th><th>{s('name')}</th><th class="num">{s('qty')}</th><th class="num">{s('unit')}</th><th class="num">{s('shipped')}</th><th class="num">{s('delivered')}</th></tr></thead>
        <tbody>
          {o.lines.map((l) => {
            const q = o.outbound?.lines.find((x) => x.sku === l.sku);
            return <tr key={l.sku}><td class="mono">{l.sku}</td><td>{l.name}</td><td class="num">{l.quantity}</td><td class="num">{money(l.unitPrice)}</td><td class="num">{q?.shipped ?? 0}</td><td class="num">{q?.delivered ?? 0}</td></tr>;
          })}
        </tbody>
      </table>

      <div class="grid2">
        <div>
          <h2>{s('payments')}</h2>
          <table class="list">
            <colgroup><col /><col style="width:100px" /><col style="width:100px" /><col style="width:160px" /></colgroup>
            <thead><tr><th>{s('method')}</th><th>{s('status')}</th><th class="num">{s('amount')}</th><th>{s('placed')}</th></tr></thead>
            <tbody>
              {o.payments.length + o.refunds.length === 0 && <tr class="empty-row"><td colSpan={4}>{s('none')}</td></tr>}
              {o.payments.map((p) => <tr key={p.paymentId}><td>{p.method}</td><td>{p.status}</td><td class="num">{money(p.amount)}</td><td>{dateTime(p.createdAt)}</td></tr>)}
              {o.refunds.map((r) => <tr key={r.refundId}><td>{s('refund')}: {r.reason}</td><td>{r.status}</td><td class="num">−{money(r.amount)}</td><td>{dateTime(r.createdAt)}</td></tr>)}
            </tbody>
          </table>
        </div>
        <div>
          <h2>{s('outbound')}</h2>
          <table class="list">
            <thead><tr><th>{s('fulfilment')}</th><th>{s('status')}</th><th>{s('tracking')}</th></tr></thead>
            <tbody>
              {(o.outbound?.fulfilments.length ?? 0) + (o.outbound?.shipments.length ?? 0) === 0 && <tr class="empty-row"><td colSpan={3}>{s('none')}</td></tr>}
              {o.outbound?.fulfilments.map((f) => <tr key={f.fulfillmentId}><td class="mono">{f.fulfillmentId}</td><td>{f.status}</td><td /></tr>)}
              {o.outbound?.shipments.map((sh) => <tr key={sh.shipmentId}><td>{sh.carrier}</td><td>{sh.status}</td><td class="mono">{sh.trackingNumber}</td></tr>)}
            </tbody>
          </table>
          {o.tracking.map((tr) => (
            <div key={tr.trackingNumber} class="panel">
              <strong class="mono">{tr.trackingNumber}</strong> · {tr.carrier} · {tr.status}
              <ol class="story">{tr.checkpoints.map((c, i) => <li key={i}><time>{dateTime(c.at)}</time><span>{c.status} · {c.description}{c.location ? ` · ${c.location}` : ''}</span></li>)}</ol>
            </div>
          ))}
        </div>
      </div>

      <div class="grid2">
        <div>
          <h2>{s('notes')}</h2>
          <ol class="story notes">
            {o.notes.length === 0 && <li><span /><span class="hint">{s('none')}</span></li>}
            {o.notes.map((n, i) => <li key={i}><time>{dateTime(n.at)}</time><span>{n.detail} <span class="hint">— {n.actor}</span></span></li>)}
          </ol>
          <h2>{s('returns')}</h2>
          <ol class="story">
            {!o.returns?.length && <li><span /><span class="hint">{s('none')}</span></li>}
            {o.returns?.map((r, i) => <li key={i}><time>{dateTime(String(r.createdAt ?? ''))}</time><span class="mono">{String(r.returnId ?? '')} · {String(r.type ?? '')} · {String(r.status ?? '')}</span></li>)}
          </ol>
          <h2>{s('notifications')}</h2>
          <ol class="story">
            {o.notifications.length === 0 && <li><span /><span class="hint">{s('none')}</span></li>}
            {o.notifications.map((n, i) => <li key={i}><time>{dateTime(n.recordedAt)}</time><span>{n.department}: {n.subject}</span></li>)}
          </ol>
        </div>
        <div>
          <h2>{s('story')}</h2>
          <ol class="story timeline">
            {o.story.map((e, i) => <li key={i}><time>{dateTime(e.at)}</time><span>{e.summary}{e.actor ? <span class="hint"> — {e.actor}</span> : null}</span></li>)}
          </ol>
        </div>
      </div>
    </section>
  );
}

/** A one-field action: a note, a reason. Enter submits (Ctrl+Enter in a multi-line field), Esc closes. */
function TextAction(p: { label: string; submit: string; busy: boolean; multiline?: boolean; onSubmit: (text: string) => unknown; onCancel: () => void }) {
  const [text, setText] = useState('');
  const ref = useRef<HTMLInputElement & HTMLTextAreaElement>(null);
  // in the commit that shows the field: a key typed right after the one that opened it lands in it
  useLayoutEffect(() => ref.current?.focus(), []);
  const submit = () => text.trim() && !p.busy && void p.onSubmit(text.trim());
  return (
    <form class="dialog stack" onSubmit={(e) => { e.preventDefault(); submit(); }} onKeyDown={(e) => {
      if (e.key === 'Escape') p.onCancel();
      if (e.key === 'Enter' && e.ctrlKey) submit();
    }}>
      <label>{p.label}
        {p.multiline
          ? <textarea ref={ref} name="text" rows={3} maxLength={2000} value={text} onInput={(e) => setText((e.target as HTMLTextAreaElement).value)} />
          : <input ref={ref} name="text" maxLength={500} value={text} onInput={(e) => setText((e.target as HTMLInputElement).value)} />}
      </label>
      <div class="row"><button type="submit" class="primary" disabled={p.busy || !text.trim()}>{p.submit}</button><button type="button" onClick={p.onCancel}>{t('cancel')}</button></div>
    </form>
  );
}

function ConfirmAction(p: { text: string; busy: boolean; onSubmit: (key: string) => unknown; onCancel: () => void }) {
  const key = useRef(newKey()).current;
  return (
    <form class="dialog row" onSubmit={(e) => { e.preventDefault(); void p.onSubmit(key); }}>
      <button type="submit" class="primary" disabled={p.busy}>{p.text}</button><button type="button" onClick={p.onCancel}>{t('cancel')}</button>
    </form>
  );
}

function RefundAction(p: { order: OrderStory; busy: boolean; onSubmit: (body: unknown, key: string) => Promise<unknown>; onCancel: () => void }) {
  const key = useRef(newKey()).current; // one refund per form: a retried submit is the same refund
  const paid = p.order.payments.filter((x) => x.status === 'SUCCEEDED');
  const currency = p.order.money.balance.currency;
  const [amount, setAmount] = useState('');
  const [reason, setReason] = useState('');
  const [paymentId, setPaymentId] = useState(paid[0]?.paymentId ?? '');
  const [errors, setErrors] = useState<Record<string, string>>({});
  const minor = parseAmount(amount, currency);
  const valid = minor !== undefined && minor > 0 && minor <= p.order.money.balance.amount && reason.trim() !== '';
  return (
    <form class="dialog stack" aria-label={s('refund')} onSubmit={async (e) => {
      e.preventDefault();
      if (!valid) return;
      const err = await p.onSubmit({ amount: { amount: minor, currency }, reason: reason.trim(), ...(paymentId ? { paymentId } : {}) }, key);
      setErrors(err instanceof ApiError ? err.fieldErrors() : {});
    }}>
      {paid.length > 1 && (
        <label>{s('payment')}
          <select name="paymentId" value={paymentId} onChange={(e) => setPaymentId((e.target as HTMLSelectElement).value)}>
            {paid.map((x) => <option key={x.paymentId} value={x.paymentId}>{x.method} · {money(x.amount)}</option>)}
          </select>
        </label>
      )}
      <label class={`field${errors.amount || errors['amount.amount'] ? ' invalid' : ''}`}>{s('refundAmount', { currency })}
        <input name="amount" inputMode="decimal" value={amount} placeholder={s('maxRefund', { amount: money(p.order.money.balance) })} onInput={(e) => setAmount((e.target as HTMLInputElement).value)} />
        <span class="field-error">{errors.amount ?? errors['amount.amount'] ?? ''}</span>
      </label>
      <label class={`field${errors.reason ? ' invalid' : ''}`}>{s('refundReason')}
        <input name="reason" maxLength={500} value={reason} onInput={(e) => setReason((e.target as HTMLInputElement).value)} />
        <span class="field-error">{errors.reason ?? ''}</span>
      </label>
      <div class="row"><button type="submit" class="primary" disabled={p.busy || !valid}>{s('refund')}</button><button type="button" onClick={p.onCancel}>{t('cancel')}</button></div>
    </form>
  );
}

const CARRIERS = ['sandbox', 'aftership', 'easypost', 'kuaidi100', '17track'] as const;

function ShipAction(p: { order: OrderStory; busy: boolean; onSubmit: (body: unknown, key: string) => unknown; onCancel: () => void }) {
  const key = useRef(newKey()).current;
  const packed = (p.order.outbound?.fulfilments ?? []).filter((f) => f.status === 'PACKED');
  const [fulfillmentId, setFulfilment] = useState(packed[0]?.fulfillmentId ?? '');
  const [carrier, setCarrier] = useState<string>('sandbox');
  const [tracking, setTracking] = useState('');
  return (
    <form class="dialog stack" aria-label={s('ship')} onSubmit={(e) => {
      e.preventDefault();
      void p.onSubmit({ carrier, fulfillmentId, ...(tracking.trim() ? { trackingNumber: tracking.trim() } : {}) }, key);
    }}>
      <label>{s('fulfilment')}
        <select name="fulfillmentId" value={fulfillmentId} onChange={(e) => setFulfilment((e.target as HTMLSelectElement).value)}>
          {packed.map((f) => <option key={f.fulfillmentId} value={f.fulfillmentId}>{f.fulfillmentId}</option>)}
        </select>
      </label>
      <label>{s('carrier')}
        <select name="carrier" value={carrier} onChange={(e) => setCarrier((e.target as HTMLSelectElement).value)}>
          {CARRIERS.map((c) => <option key={c} value={c}>{c}</option>)}
        </select>
      </label>
      <label>{s('trackingNumber')}<input name="trackingNumber" value={tracking} onInput={(e) => setTracking((e.target as HTMLInputElement).value)} /></label>
      <div class="row"><button type="submit" class="primary" disabled={p.busy || !fulfillmentId}>{s('ship')}</button><button type="button" onClick={p.onCancel}>{t('cancel')}</button></div>
    </form>
  );
}

function ReturnAction(p: { order: OrderStory; busy: boolean; onSubmit: (body: unknown) => unknown; onCancel: () => void }) {
  const delivered = p.order.lines.map((l) => ({ sku: l.sku, name: l.name, max: p.order.outbound?.lines.find((x) => x.sku === l.sku)?.delivered ?? l.quantity }));
  const [qty, setQty] = useState<Record<string, number>>({});
  const [reason, setReason] = useState('');
  const lines = delivered.filter((l) => (qty[l.sku] ?? 0) > 0).map((l) => ({ sku: l.sku, quantity: qty[l.sku]!, reason: reason.trim() }));
  return (
    <form class="dialog stack" aria-label={s('ret')} onSubmit={(e) => { e.preventDefault(); void p.onSubmit({ type: 'return', lines }); }}>
      {delivered.map((l) => (
        <label key={l.sku}>{l.sku} · {l.name} ({s('returnQty')} ≤ {l.max})
          <input type="number" min={0} max={l.max} value={qty[l.sku] ?? 0} onInput={(e) => setQty({ ...qty, [l.sku]: Number((e.target as HTMLInputElement).value) })} />
        </label>
      ))}
      <label>{s('returnReason')}<input name="reason" maxLength={200} value={reason} onInput={(e) => setReason((e.target as HTMLInputElement).value)} /></label>
      <div class="row"><button type="submit" class="primary" disabled={p.busy || !lines.length || !reason.trim()}>{s('ret')}</button><button type="button" onClick={p.onCancel}>{t('cancel')}</button></div>
    </form>
  );
}
