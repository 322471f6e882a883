import { useState } from 'preact/hooks';
import { ApiError, call } from '../api';
import { dateTime } from '../format';
import { defineStrings } from '../i18n';
import { useListKeys } from '../keys';
import { may } from '../permissions';
import type { ScreenProps } from '../screens';
import { session } from '../session';
import type { AdjustmentInput, LedgerList, ReplenishmentItem, StockDetail, StockList } from '../types';
import { ErrorBox, Loading, Notice, useLoad } from '../ui';

// Stock: levels per SKU (and, for the selected SKU, per location), an adjustment with a
// reason, the SKU's ledger, and the products at or below their reorder point with the
// quantity to order.

const s = defineStrings(
  {
    title: 'Stock', all: 'All levels', below: 'Below reorder point', sku: 'SKU', onHand: 'On hand', reserved: 'Reserved',
    available: 'Available', location: 'Location', ledger: 'Ledger', at: 'When', movement: 'Movement', quantity: 'Qty',
    cause: 'Cause', adjust: 'Adjust', delta: 'Change (+/-)', reason: 'Reason', note: 'Note', save: 'Record adjustment',
    saved: 'Adjusted {sku} by {delta}.', reorderPoint: 'Reorder point', position: 'Position', demand: 'Daily demand',
    suggested: 'Suggested order', empty: 'No stock yet.', pick: 'Select a SKU (j/k, Enter) to see its locations and ledger.',
  },
  {
    title: '庫存', all: '全部庫存', below: '低於再訂購點', sku: 'SKU', onHand: '在庫', reserved: '已保留',
    available: '可用', location: '倉位', ledger: '異動紀錄', at: '時間', movement: '異動', quantity: '數量',
    cause: '原因', adjust: '調整', delta: '增減 (+/-)', reason: '理由', note: '備註', save: '記錄調整',
    saved: '已調整 {sku}：{delta}。', reorderPoint: '再訂購點', position: '庫存部位', demand: '日需求',
    suggested: '建議訂購量', empty: '尚無庫存。', pick: '選擇 SKU（j/k、Enter）以查看倉位與異動紀錄。',
  },
);
const REASONS = ['RECEIVED', 'COUNT', 'DAMAGED', 'RETURNED', 'OTHER'] as const;

export default function Stock({ query }: ScreenProps) {
  const [view, setView] = useState<'all' | 'below'>(query.get('below') ? 'below' : 'all');
  const [sku, setSku] = useState<string | undefined>(query.get('sku') ?? undefined);
  const list = useLoad(
    () => call<StockList>('listStock', { query: { limit: 100, ...(view === 'below' ? { below: 'reorderPoint' } : {}) } }).then((r) => r.body.items),
    [view],
  );
  const rows = list.data ?? [];
  const [selected] = useListKeys(rows.length, { open: (i) => setSku(rows[i]?.sku) });

  return (
    <section class="stock">
      <div class="screen-head">
        <h1>{s('title')}</h1>
        <div class="tabs" role="tablist">
          {(['all', 'below'] as const).map((v) => (
            <button type="button" role="tab" key={v} aria-selected={view === v} data-view={v} onClick={() => setView(v)}>{s(v)}</button>
          ))}
        </div>
      </div>
      {list.error !== undefined && <ErrorBox error={list.error} onRetry={list.reload} />}
      {!list.data && !list.error ? <Loading /> : (
        <table class="list">
          <colgroup><col /><col style="width:100px" /><col style="width:100px" /><col style="width:100px" />{view === 'below' && <><col style="width:110px" /><col style="width:100px" /><col style="width:110px" /><col style="width:130px" /></>}</colgroup>
          <thead>
            <tr>
              <th>{s('sku')}</th><th class="num">{s('onHand')}</th><th class="num">{s('reserved')}</th><th class="num">{s('available')}</th>
              {view === 'below' && <><th class="num">{s('reorderPoint')}</th><th class="num">{s('position')}</th><th class="num">{s('demand')}</th><th class="num">{s('suggested')}</th></>}
            </tr>
          </thead>
          <tbody>
            {rows.length === 0 && <tr class="empty-row"><td colSpan={view === 'below' ? 8 : 4}>{s('empty')}</td></tr>}
            {rows.map((r, i) => {
              const advice = view === 'below' ? (r as ReplenishmentItem) : undefined;
              return (
                <tr key={r.sku} aria-selected={i === selected} class={r.sku === sku ? 'current' : undefined} data-sku={r.sku} onClick={() => setSku(r.sku)}>
                  <td class="mono">{r.sku}</td><td class="num">{r.onHand}</td><td class="num">{r.reserved}</td><td class="num">{r.available}</td>
                  {advice && <><td class="num">{advice.reorderPoint}</td><td class="num">{advice.position}</td><td class="num">{advice.averageDailyDemand.toFixed(1)}</td><td class="num"><strong>{advice.suggestedQuantity}</strong></td></>}
                </tr>
              );
            })}
          </tbody>
        </table>
      )}
      {sku ? <SkuPanel key={sku} sku={sku} onChanged={list.reload} /> : <p class="hint">{s('pick')}</p>}
    </section>
  );
}

function SkuPanel({ sku, onChanged }: { sku: string; onChanged: () => void }) {
  const detail = useLoad(() => call<StockDetail>('getStock', { params: { sku } }).then((r) => r.body), [sku]);
  const ledger = useLoad(() => call<LedgerList>('stockLedger', { params: { sku }, query: { limit: 20 } }).then((r) => r.body.items), [sku]);
  const canAdjust = may(session.get()?.roles ?? [], 'adjustStock');
  const [delta, setDelta] = useState('');
  const [reason, setReason] = useState<AdjustmentInput['reason']>('COUNT');
  const [note, setNote] = useState('');
  const [locationId, setLocationId] = useState('');
  const [done, setDone] = useState<string>();
  const [error, setError] = useState<unknown>();

  const submit = async (e: Event) => {
    e.preventDefault();
    setDone(undefined);
    setError(undefined);
    try {
      const body: AdjustmentInput = { delta: Number(delta), reason, ...(note ? { note } : {}), ...(locationId ? { locationId } : {}) };
      await call('adjustStock', { params: { sku }, body, idempotencyKey: crypto.randomUUID() });
      setDone(s('saved', { sku, delta }));
      setDelta('');
      setNote('');
      detail.reload();
      ledger.reload();
      onChanged();
    } catch (err) {
      setError(err);
    }
  };
  const fieldErrors = error instanceof ApiError ? error.fieldErrors() : {};

  return (
    <div class="sku-panel">
      <h2 class="mono">{sku}</h2>
      <div class="two-columns">
        <div class="panel">
          {detail.error !== undefined && <ErrorBox error={detail.error} />}
          <table class="list">
            <colgroup><col /><col style="width:90px" /><col style="width:90px" /><col style="width:90px" /></colgroup>
            <thead><tr><th>{s('location')}</th><th class="num">{s('onHand')}</th><th class="num">{s('reserved')}</th><th class="num">{s('available')}</th></tr></thead>
            <tbody>
              {(detail.data?.locations ?? []).map((l) => (
                <tr key={l.locationId} data-location={l.locationId}><td class="mono">{l.locationId}</td><td class="num">{l.onHand}</td><td class="num">{l.reserved}</td><td class="num">{l.available}</td></tr>
              ))}
            </tbody>
          </table>
        </div>
        {canAdjust && (
          <form class="panel adjust" onSubmit={(e) => void submit(e)}>
            <h3>{s('adjust')}</h3>
            <label>{s('delta')}<input name="delta" inputMode="numeric" required value={delta} onInput={(e) => setDelta((e.target as HTMLInputElement).value)} /></label>
            <div class="field-error">{fieldErrors.delta}</div>
            <label>{s('reason')}
              <select name="reason" value={reason} onChange={(e) => setReason((e.target as HTMLSelectElement).value as AdjustmentInput['reason'])}>
                {REASONS.map((r) => <option key={r} value={r}>{r}</option>)}
              </select>
            </label>
            <label>{s('location')}
              <select name="locationId" value={locationId} onChange={(e) => setLocationId((e.target as HTMLSelectElement).value)}>
                <option value="">—</option>
                {(detail.data?.locations ?? []).map((l) => <option key={l.locationId} value={l.locationId}>{l.locationId}</option>)}
              </select>
            </label>
            <label>{s('note')}<input name="note" value={note} onInput={(e) => setNote((e.target as HTMLInputElement).value)} /></label>
            <div class="field-error">{fieldErrors.note}</div>
            <button type="submit" class="primary" disabled={!delta.trim()}>{s('save')}</button>
            {done && <Notice kind="ok">{done}</Notice>}
            {error !== undefined && !Object.keys(fieldErrors).length && <ErrorBox error={error} />}
          </form>
        )}
      </div>
      <h3>{s('ledger')}</h3>
      {ledger.error !== undefined && <ErrorBox error={ledger.error} />}
      {!ledger.data && !ledger.error ? <Loading /> : (
        <table class="list ledger">
          <colgroup><col style="width:170px" /><col style="width:120px" /><col style="width:110px" /><col style="width:70px" /><col style="width:80px" /><col /></colgroup>
          <thead><tr><th>{s('at')}</th><th>{s('movement')}</th><th>{s('location')}</th><th class="num">{s('quantity')}</th><th class="num">{s('onHand')}</th><th>{s('cause')}</th></tr></thead>
          <tbody>
            {(ledger.data ?? []).map((l) => (
              <tr key={l.entryId}>
                <td>{dateTime(l.at)}</td><td>{l.movement}</td><td class="mono">{l.locationId}</td><td class="num">{l.quantity}</td>
                <td class="num">{l.onHandDelta > 0 ? `+${l.onHandDelta}` : l.onHandDelta}</td>
                <td>{l.cause.orderId ? <a href={`#/orders/${l.cause.orderId}`}>→ {l.cause.orderId.slice(-8)}</a> : [l.cause.reason, l.cause.note].filter(Boolean).join(' · ')}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </div>
  );
}
