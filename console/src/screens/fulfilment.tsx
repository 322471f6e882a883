import { useState } from 'preact/hooks';
import { ApiError, call } from '../api';
import { dateTime } from '../format';
import { defineStrings, statusLabel } from '../i18n';
import { useListKeys } from '../keys';
import type { ScreenProps } from '../screens';
import type { Fulfilment, OrderSummary, OrderSummaryList, PickList, ShipmentInput } from '../types';
import { ErrorBox, Loading, Notice, Status, useLoad } from '../ui';

// Fulfilment: the paid orders waiting for outbound work and the ones being fulfilled,
// oldest first; for one order, open the pick work, print its pick list, mark it packed,
// and ship it with a carrier and tracking number.

const s = defineStrings(
  {
    title: 'Fulfilment', order: 'Order', placed: 'Placed', status: 'Status', total: 'Channel', empty: 'No outbound work.',
    open: 'Open pick work', print: 'Print pick list', pack: 'Mark packed', ship: 'Ship', carrier: 'Carrier',
    tracking: 'Tracking number', pickList: 'Pick list', sku: 'SKU', name: 'Product', quantity: 'Qty', location: 'Location',
    shipTo: 'Ship to', packed: 'Packed.', shipped: 'Shipped with {carrier}: {tracking}.', pick: 'Select an order (j/k, Enter).',
  },
  {
    title: '出貨作業', order: '訂單', placed: '下單時間', status: '狀態', total: '通路', empty: '沒有待出貨的工作。',
    open: '開立揀貨單', print: '列印揀貨單', pack: '標記已包裝', ship: '出貨', carrier: '物流商',
    tracking: '追蹤號碼', pickList: '揀貨單', sku: 'SKU', name: '商品', quantity: '數量', location: '倉位',
    shipTo: '收件', packed: '已包裝。', shipped: '已由 {carrier} 出貨：{tracking}。', pick: '選擇訂單（j/k、Enter）。',
  },
);
const CARRIERS = ['sandbox', 'easypost', 'kuaidi100', 'aftership', '17track'] as const;

export default function FulfilmentScreen(_: ScreenProps) {
  const work = useLoad(async () => {
    const [paid, fulfilling] = await Promise.all(
      (['PAID', 'FULFILLING'] as const).map((status) => call<OrderSummaryList>('listOrders', { query: { status, limit: 50 } }).then((r) => r.body.items)),
    );
    return [...paid!, ...fulfilling!].sort((a, b) => a.createdAt.localeCompare(b.createdAt));
  }, []);
  const rows = work.data ?? [];
  const [chosen, setChosen] = useState<OrderSummary>();
  const [selected] = useListKeys(rows.length, { open: (i) => setChosen(rows[i]) });

  return (
    <section class="fulfilment">
      <div class="screen-head no-print"><h1>{s('title')}</h1></div>
      {work.error !== undefined && <ErrorBox error={work.error} onRetry={work.reload} />}
      {!work.data && !work.error ? <Loading /> : (
        <table class="list no-print">
          <colgroup><col style="width:200px" /><col style="width:180px" /><col style="width:140px" /><col /></colgroup>
          <thead><tr><th>{s('order')}</th><th>{s('placed')}</th><th>{s('status')}</th><th>{s('total')}</th></tr></thead>
          <tbody>
            {rows.length === 0 && <tr class="empty-row"><td colSpan={4}>{s('empty')}</td></tr>}
            {rows.map((o, i) => (
              <tr key={o.orderId} aria-selected={i === selected} class={o.orderId === chosen?.orderId ? 'current' : undefined} data-order={o.orderNumber} onClick={() => setChosen(o)}>
                <td class="mono">{o.orderNumber}</td><td>{dateTime(o.createdAt)}</td><td><Status status={o.status} /></td><td>{o.channel}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {chosen ? <Outbound key={chosen.orderId} order={chosen} onChanged={work.reload} /> : <p class="hint no-print">{s('pick')}</p>}
    </section>
  );
}

function Outbound({ order, onChanged }: { order: OrderSummary; onChanged: () => void }) {
  const [fulfilment, setFulfilment] = useState<Fulfilment>();
  const [pickList, setPickList] = useState<PickList>();
  const [carrier, setCarrier] = useState<ShipmentInput['carrier']>('sandbox');
  const [tracking, setTracking] = useState('');
  const [done, setDone] = useState<string>();
  const [shipped, setShipped] = useState(false);
  const [error, setError] = useState<unknown>();
  const act = async (what: () => Promise<void>) => {
    setError(undefined);
    setDone(undefined);
    try {
      await what();
    } catch (err) {
      setError(err);
    }
  };

  const open = () =>
    act(async () => {
      const f = (await call<Fulfilment>('createFulfilment', { params: { orderId: order.orderId }, body: {}, idempotencyKey: crypto.randomUUID() })).body;
      setFulfilment(f);
      setPickList((await call<PickList>('pickList', { params: { fulfillmentId: f.fulfillmentId } })).body);
      onChanged();
    });
  const pack = () =>
    act(async () => {
      setFulfilment((await call<Fulfilment>('packFulfilment', { params: { fulfillmentId: fulfilment!.fulfillmentId } })).body);
      setDone(s('packed'));
    });
  const ship = (e: Event) => {
    e.preventDefault();
    void act(async () => {
      const body: ShipmentInput = { carrier, fulfillmentId: fulfilment!.fulfillmentId, ...(tracking ? { trackingNumber: tracking } : {}) };
      const shipment = (await call<{ trackingNumber?: string }>('createShipment', { params: { orderId: order.orderId }, body, idempotencyKey: crypto.randomUUID() })).body;
      setDone(s('shipped', { carrier, tracking: shipment.trackingNumber ?? tracking }));
      setFulfilment(undefined);
      setPickList(undefined);
      setShipped(true);
      onChanged();
    });
  };
  const fieldErrors = error instanceof ApiError ? error.fieldErrors() : {};

  return (
    <div class="outbound">
      <div class="actions no-print">
        <a class="mono" href={`#/orders/${order.orderId}`}>{order.orderNumber}</a>
        {!fulfilment && !shipped && <button type="button" class="primary" data-action="open" onClick={() => void open()}>{s('open')}</button>}
        {pickList && <button type="button" data-action="print" onClick={() => window.print()}>{s('print')}</button>}
        {fulfilment?.status === 'OPEN' && <button type="button" data-action="pack" onClick={() => void pack()}>{s('pack')}</button>}
        {fulfilment && <Status status={fulfilment.status} />}
      </div>
      {done && <Notice kind="ok">{done}</Notice>}
      {error !== undefined && !Object.keys(fieldErrors).length && <ErrorBox error={error} />}
      {pickList && (
        <div class="panel pick-list">
          <h2>{s('pickList')} · <span class="mono">{pickList.orderNumber}</span></h2>
          <p>{s('shipTo')}: {pickList.shipTo.name}, {pickList.shipTo.city}, {pickList.shipTo.country}</p>
          <table class="list">
            <colgroup><col style="width:160px" /><col /><col style="width:70px" /><col style="width:120px" /></colgroup>
            <thead><tr><th>{s('sku')}</th><th>{s('name')}</th><th class="num">{s('quantity')}</th><th>{s('location')}</th></tr></thead>
            <tbody>
              {pickList.lines.map((l) => (
                <tr key={`${l.sku}-${l.location}`}><td class="mono">{l.sku}</td><td>{l.name}</td><td class="num">{l.quantity}</td><td class="mono">{l.location}</td></tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      {fulfilment?.status === 'PACKED' && (
        <form class="panel ship no-print" onSubmit={ship}>
          <label>{s('carrier')}
            <select name="carrier" value={carrier} onChange={(e) => setCarrier((e.target as HTMLSelectElement).value as ShipmentInput['carrier'])}>
              {CARRIERS.map((c) => <option key={c} value={c}>{c}</option>)}
            </select>
          </label>
          <label>{s('tracking')}<input name="trackingNumber" value={tracking} onInput={(e) => setTracking((e.target as HTMLInputElement).value)} /></label>
          <div class="field-error">{fieldErrors.trackingNumber}</div>
          <button type="submit" class="primary">{s('ship')}</button>
          <span class="hint">{statusLabel(order.status)}</span>
        </form>
      )}
    </div>
  );
}
