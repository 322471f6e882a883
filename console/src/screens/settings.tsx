import { useEffect, useState } from 'preact/hooks';
import { ApiError, call } from '../api';
import { dateTime, minorDigits, parseAmount, timeZone } from '../format';
import { defineStrings, t } from '../i18n';
import type { ScreenProps } from '../screens';
import type { WorkflowSettings, WorkflowSettingsHistory } from '../types';
import { ErrorBox, Loading, Notice, errorText, useLoad } from '../ui';

// The workflow settings (admin): one form over GET/PUT /settings/workflow. The PUT names
// the version the form was loaded from (If-Match), so a change someone made meanwhile is
// a 409 shown here, never overwritten; the API's field errors (problem+json `errors`)
// are shown at their fields. Below: every earlier version, newest first.

const s = defineStrings(
  {
    title: 'Workflow settings', version: 'Version {v}, changed {at} by {by}', save: 'Save settings', saved: 'Saved: version {v}.',
    conflict: 'Someone changed the settings since you opened them ({detail}). Nothing was saved; reload to see their version.',
    invalid: 'Some fields are not valid: see below.',
    autoApprove: 'Approve orders automatically when no review rule matches', paymentDeadlineMinutes: 'Payment deadline (minutes)',
    timeZone: 'Business time zone (IANA, e.g. Asia/Taipei)', returnWindowDays: 'Return window (days after delivery)',
    allowCashOnDelivery: 'Cash-on-delivery orders may ship before payment',
    review: 'Review rules: an order waits for a person when…', totalAbove: 'its total is above (per currency, e.g. "CNY 5000.00; USD 800")',
    channels: 'it came from these channels', firstTimeCustomers: "it is the customer's first order", shippingCountries: 'it ships to one of these countries (ISO codes, comma-separated)',
    skus: 'it contains one of these SKUs (comma-separated)', emails: 'the customer is flagged (one e-mail a line)',
    returns: 'Returns approve themselves when…', autoApproveBelow: 'worth less than (per currency)', autoApproveWithinDays: 'requested within this many days of delivery (0: never by age)',
    history: 'History', changedFields: 'Changed', at: 'When', by: 'By', badAmounts: 'write "CUR amount", separated by ";"',
  },
  {
    title: '流程設定', version: '版本 {v}，{at} 由 {by} 變更', save: '儲存設定', saved: '已儲存：版本 {v}。',
    conflict: '設定在你開啟後已被他人變更（{detail}）。未儲存；請重新載入查看新版本。',
    invalid: '部分欄位無效，請見下方。',
    autoApprove: '未符合任何審核規則時自動核准訂單', paymentDeadlineMinutes: '付款期限（分鐘）',
    timeZone: '營業時區（IANA，例如 Asia/Taipei）', returnWindowDays: '退貨期限（送達後天數）',
    allowCashOnDelivery: '貨到付款訂單可於付款前出貨',
    review: '審核規則：符合以下任一項時需人工審核', totalAbove: '金額高於（依幣別，例如「CNY 5000.00; USD 800」）',
    channels: '來自以下通路', firstTimeCustomers: '顧客的第一筆訂單', shippingCountries: '寄送至以下國家（ISO 代碼，逗號分隔）',
    skus: '包含以下 SKU（逗號分隔）', emails: '顧客已被標記（每行一個電子郵件）',
    returns: '退貨自動核准條件', autoApproveBelow: '金額低於（依幣別）', autoApproveWithinDays: '送達後幾天內申請（0：不依天數）',
    history: '變更紀錄', changedFields: '變更欄位', at: '時間', by: '變更者', badAmounts: '格式為「幣別 金額」，以「;」分隔',
  },
);

const CHANNELS = ['web', 'app', 'phone', 'email', 'marketplace', 'store'] as const;

interface Draft {
  autoApprove: boolean;
  paymentDeadlineMinutes: string;
  timeZone: string;
  returnWindowDays: string;
  allowCashOnDelivery: boolean;
  totalAbove: string;
  channels: string[];
  firstTimeCustomers: boolean;
  shippingCountries: string;
  skus: string;
  emails: string;
  autoApproveBelow: string;
  autoApproveWithinDays: string;
}

const amountsText = (r: Record<string, number>) =>
  Object.entries(r).map(([c, a]) => `${c} ${(a / 10 ** minorDigits(c)).toFixed(minorDigits(c))}`).join('; ');

/** "CNY 5000.00; USD 800" -> { CNY: 500000, USD: 80000 }; undefined if a part is not "CUR amount". */
export function parseAmounts(text: string): Record<string, number> | undefined {
  const out: Record<string, number> = {};
  for (const part of text.split(';').map((p) => p.trim()).filter(Boolean)) {
    const m = /^([A-Za-z]{3})\s+(\S+)$/.exec(part);
    const currency = m?.[1]?.toUpperCase();
    let minor: number | undefined;
    try {
      minor = currency ? parseAmount(m![2]!, currency) : undefined;
    } catch {
      minor = undefined; // not a currency Intl knows
    }
    if (minor === undefined) return undefined;
    out[currency!] = minor;
  }
  return out;
}

const list = (text: string) => text.split(/[,\n]/).map((x) => x.trim()).filter(Boolean);
/** a number field: a number when it is one, else the text as typed (the API then says what is wrong with it, at the field) */
const numberOrText = (text: string) => (/^-?\d+$/.test(text.trim()) ? Number(text) : text);

function draftOf(w: WorkflowSettings): Draft {
  return {
    autoApprove: w.autoApprove, paymentDeadlineMinutes: String(w.paymentDeadlineMinutes), timeZone: w.timeZone, returnWindowDays: String(w.returnWindowDays),
    allowCashOnDelivery: w.allowCashOnDelivery, totalAbove: amountsText(w.review.totalAbove), channels: [...w.review.channels],
    firstTimeCustomers: w.review.firstTimeCustomers, shippingCountries: w.review.shippingCountries.join(', '), skus: w.review.skus.join(', '),
    emails: w.review.flaggedCustomers.emails.join('\n'), autoApproveBelow: amountsText(w.returns.autoApproveBelow), autoApproveWithinDays: String(w.returns.autoApproveWithinDays),
  };
}

export default function Settings(_: ScreenProps) {
  const current = useLoad(() => call<WorkflowSettings>('getWorkflowSettings').then((r) => r.body), []);
  const history = useLoad(() => call<WorkflowSettingsHistory>('workflowSettingsHistory', { query: { limit: 20 } }).then((r) => r.body.items), []);
  const [draft, setDraft] = useState<Draft>();
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [notice, setNotice] = useState<{ kind: 'ok' | 'warn' | 'error'; text: string }>();
  const [busy, setBusy] = useState(false);
  useEffect(() => {
    if (current.data) setDraft(draftOf(current.data));
  }, [current.data?.version]);

  if (current.error && !current.data) return <ErrorBox error={current.error} onRetry={current.reload} />;
  if (!current.data || !draft) return <Loading />;
  const w = current.data;
  const set = (patch: Partial<Draft>) => setDraft({ ...draft, ...patch });
  /** the first API error at this field or inside it */
  const errorAt = (...paths: string[]) => Object.entries(errors).find(([p]) => paths.some((x) => p === x || p.startsWith(`${x}.`)))?.[1];

  const save = async () => {
    const totalAbove = parseAmounts(draft.totalAbove);
    const autoApproveBelow = parseAmounts(draft.autoApproveBelow);
    const local: Record<string, string> = {};
    if (!totalAbove) local['review.totalAbove'] = s('badAmounts');
    if (!autoApproveBelow) local['returns.autoApproveBelow'] = s('badAmounts');
    if (Object.keys(local).length) {
      setErrors(local);
      setNotice({ kind: 'error', text: s('invalid') });
      return;
    }
    const body = {
      autoApprove: draft.autoApprove, paymentDeadlineMinutes: numberOrText(draft.paymentDeadlineMinutes), timeZone: draft.timeZone.trim(),
      returnWindowDays: numberOrText(draft.returnWindowDays), allowCashOnDelivery: draft.allowCashOnDelivery,
      review: {
        totalAbove, channels: draft.channels, firstTimeCustomers: draft.firstTimeCustomers, shippingCountries: list(draft.shippingCountries).map((c) => c.toUpperCase()),
        skus: list(draft.skus), flaggedCustomers: { emails: list(draft.emails), customerIds: w.review.flaggedCustomers.customerIds },
      },
      returns: { autoApproveBelow, autoApproveWithinDays: numberOrText(draft.autoApproveWithinDays) },
    };
    setBusy(true);
    try {
      const saved = await call<WorkflowSettings>('putWorkflowSettings', { body, ifMatch: w.version });
      setErrors({});
      setNotice({ kind: 'ok', text: s('saved', { v: saved.body.version }) });
      timeZone.set(saved.body.timeZone);
      current.reload();
      history.reload();
    } catch (err) {
      if (err instanceof ApiError && err.isConflict) {
        setNotice({ kind: 'warn', text: s('conflict', { detail: err.problem.detail ?? err.problem.title ?? '' }) });
      } else if (err instanceof ApiError && err.status === 400) {
        setErrors(err.fieldErrors());
        setNotice({ kind: 'error', text: s('invalid') });
      } else setNotice({ kind: 'error', text: t('error', { detail: errorText(err) }) });
    } finally {
      setBusy(false);
    }
  };

  const text = (key: keyof Draft & keyof typeof FIELD_PATHS, opts: { type?: string; area?: boolean } = {}) => {
    const error = errorAt(...FIELD_PATHS[key]);
    const onInput = (e: Event) => set({ [key]: (e.target as HTMLInputElement).value });
    return (
      <label class={`field${error ? ' invalid' : ''}`} data-field={key}>
        {s(key)}
        {opts.area
          ? <textarea name={key} rows={3} value={draft[key] as string} onInput={onInput} aria-invalid={!!error} />
          : <input name={key} type={opts.type ?? 'text'} value={draft[key] as string} onInput={onInput} aria-invalid={!!error} />}
        <span class="field-error">{error ?? ''}</span>
      </label>
    );
  };
  const check = (key: 'autoApprove' | 'allowCashOnDelivery' | 'firstTimeCustomers') => (
    <label class="row"><input type="checkbox" name={key} checked={draft[key]} onChange={(e) => set({ [key]: (e.target as HTMLInputElement).checked })} /> {s(key)}</label>
  );

  return (
    <section>
      <div class="screen-head"><h1>{s('title')}</h1><span class="hint">{s('version', { v: w.version, at: dateTime(w.updatedAt), by: w.updatedBy })}</span></div>
      {notice && (
        <Notice kind={notice.kind}>
          {notice.text}
          {notice.kind === 'warn' && <button type="button" onClick={current.reload}>{t('reload')}</button>}
        </Notice>
      )}
      <form class="stack panel" onSubmit={(e) => { e.preventDefault(); void save(); }} noValidate>
        {check('autoApprove')}
        {text('paymentDeadlineMinutes')}
        {text('timeZone')}
        {text('returnWindowDays')}
        {check('allowCashOnDelivery')}
        <h2>{s('review')}</h2>
        {text('totalAbove')}
        <fieldset class={`field${errorAt('review.channels') ? ' invalid' : ''}`}>
          <legend>{s('channels')}</legend>
          <div class="row">
            {CHANNELS.map((c) => (
              <label key={c} class="row"><input type="checkbox" name="channels" value={c} checked={draft.channels.includes(c)} onChange={(e) => set({ channels: (e.target as HTMLInputElement).checked ? [...draft.channels, c] : draft.channels.filter((x) => x !== c) })} /> {c}</label>
            ))}
          </div>
          <span class="field-error">{errorAt('review.channels') ?? ''}</span>
        </fieldset>
        {check('firstTimeCustomers')}
        {text('shippingCountries')}
        {text('skus')}
        {text('emails', { area: true })}
        <h2>{s('returns')}</h2>
        {text('autoApproveBelow')}
        {text('autoApproveWithinDays')}
        <div class="row"><button type="submit" class="primary" disabled={busy}>{s('save')}</button></div>
      </form>
      <h2>{s('history')}</h2>
      {history.error !== undefined && <ErrorBox error={history.error} onRetry={history.reload} />}
      <table class="list history">
        <colgroup><col style="width:80px" /><col style="width:180px" /><col style="width:180px" /><col /></colgroup>
        <thead><tr><th class="num">#</th><th>{s('at')}</th><th>{s('by')}</th><th>{s('changedFields')}</th></tr></thead>
        <tbody>
          {history.data?.length === 0 && <tr class="empty-row"><td colSpan={4}>{t('empty')}</td></tr>}
          {history.data?.map((h) => <tr key={h.version}><td class="num">{h.version}</td><td>{dateTime(h.changedAt)}</td><td>{h.changedBy}</td><td>{h.changed.join(', ')}</td></tr>)}
        </tbody>
      </table>
    </section>
  );
}

/** The API's paths (problem+json errors, without `body.`) each form field shows. */
const FIELD_PATHS = {
  paymentDeadlineMinutes: ['paymentDeadlineMinutes'], timeZone: ['timeZone'], returnWindowDays: ['returnWindowDays'],
  totalAbove: ['review.totalAbove'], shippingCountries: ['review.shippingCountries'], skus: ['review.skus'], emails: ['review.flaggedCustomers'],
  autoApproveBelow: ['returns.autoApproveBelow'], autoApproveWithinDays: ['returns.autoApproveWithinDays'],
} as const;
