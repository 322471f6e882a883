import { useEffect, useState } from 'preact/hooks';
import { call } from '../api';
import { dateTime, time } from '../format';
import { defineStrings, t } from '../i18n';
import { useListKeys } from '../keys';
import { navigate } from '../router';
import type { ScreenProps } from '../screens';
import { session, type StaffRole } from '../session';
import type { Notification, NotificationList } from '../types';
import { ErrorBox, Loading } from '../ui';

// A department's notifications, newest first, read again every few seconds (the local
// cloud has no push channel; polling one small page is cheap).

const s = defineStrings(
  {
    title: 'Notifications', department: 'Department', at: 'When', event: 'Event', subject: 'Subject', order: 'Order',
    empty: 'No notification for this department yet.', live: 'Live: refreshed every {n} s',
  },
  {
    title: '通知', department: '部門', at: '時間', event: '事件', subject: '主旨', order: '訂單',
    empty: '此部門尚無通知。', live: '即時：每 {n} 秒更新',
  },
);

const DEPARTMENT_NAMES: Record<string, [string, string]> = {
  warehouse: ['Warehouse', '倉儲'], finance: ['Finance', '財務'], 'customer-service': ['Customer service', '客服'], purchasing: ['Purchasing', '採購'],
};
const HOME: Record<StaffRole, string> = { ops: 'warehouse', cs: 'customer-service', finance: 'finance', admin: 'warehouse' };
const POLL_SECONDS = 5;

export default function Notifications({ query }: ScreenProps) {
  const roles = session.use()?.roles ?? [];
  const [department, setDepartment] = useState(query.get('department') ?? HOME[roles[0] ?? 'ops']);
  const [items, setItems] = useState<Notification[]>();
  const [error, setError] = useState<unknown>();
  const [at, setAt] = useState<Date>();

  useEffect(() => {
    let live = true;
    setItems(undefined);
    const load = () =>
      call<NotificationList>('listNotifications', { query: { department, limit: 50 } }).then(
        (r) => live && (setItems(r.body.items), setError(undefined), setAt(new Date())),
        (err: unknown) => live && setError(err),
      );
    void load();
    const timer = setInterval(() => document.visibilityState === 'visible' && void load(), POLL_SECONDS * 1000);
    return () => {
      live = false;
      clearInterval(timer);
    };
  }, [department]);

  const rows = items ?? [];
  const [selected] = useListKeys(rows.length, { open: (i) => rows[i]?.orderId && navigate(`/orders/${rows[i].orderId}`) });
  const zh = document.documentElement.lang === 'zh-Hant' ? 1 : 0;

  return (
    <section>
      <div class="screen-head">
        <h1>{s('title')}</h1>
        <select name="department" aria-label={s('department')} value={department} onChange={(e) => setDepartment((e.target as HTMLSelectElement).value)}>
          {OMS_DEPARTMENTS.map((d) => <option key={d} value={d}>{DEPARTMENT_NAMES[d]?.[zh] ?? d}</option>)}
        </select>
        <span class="hint">{s('live', { n: POLL_SECONDS })}{at ? ` · ${t('refreshed', { time: time(at) })}` : ''}</span>
      </div>
      {error !== undefined && <ErrorBox error={error} />}
      {!items && !error ? <Loading /> : (
        <table class="list notifications">
          <colgroup><col style="width:170px" /><col style="width:190px" /><col /><col style="width:110px" /></colgroup>
          <thead><tr><th>{s('at')}</th><th>{s('event')}</th><th>{s('subject')}</th><th>{s('order')}</th></tr></thead>
          <tbody>
            {rows.length === 0 && <tr class="empty-row"><td colSpan={4}>{s('empty')}</td></tr>}
            {rows.map((n, i) => (
              <tr key={n.eventId} aria-selected={i === selected} title={n.text}>
                <td>{dateTime(n.recordedAt)}</td><td>{n.detailType}</td><td>{n.subject}</td>
                <td>{n.orderId ? <a href={`#/orders/${n.orderId}`}>→</a> : ''}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}
