import { store } from './store';

// Two languages: Traditional Chinese (when the browser prefers it) and English; the header
// switches them and the choice is remembered. Each screen keeps its own strings beside its
// code (defineStrings), so adding a screen touches no shared dictionary.

export const LANGS = ['en', 'zh-Hant'] as const;
export type Lang = (typeof LANGS)[number];
const KEY = 'oms.console.lang';

/** The browser's preference: the first of its languages we have (zh-TW, zh-HK, zh-MO, zh-Hant... are Traditional). */
export function preferredLang(languages: readonly string[]): Lang {
  for (const l of languages) {
    const tag = l.toLowerCase();
    if (/^zh-(hant|tw|hk|mo)\b/.test(tag)) return 'zh-Hant';
    if (tag.startsWith('en')) return 'en';
  }
  return 'en';
}

function initial(): Lang {
  const saved = localStorage.getItem(KEY);
  return (LANGS as readonly string[]).includes(saved ?? '') ? (saved as Lang) : preferredLang(navigator.languages ?? [navigator.language]);
}

export const lang = store<Lang>(initial());
document.documentElement.lang = lang.get();

export function setLang(next: Lang) {
  localStorage.setItem(KEY, next);
  document.documentElement.lang = next;
  lang.set(next);
}

export type Translate<K extends string> = (key: K, vars?: Record<string, string | number>) => string;

/** A screen's strings in both languages; `{name}` in a string is filled from vars. */
export function defineStrings<K extends string>(en: Record<K, string>, zh: Record<K, string>): Translate<K> {
  return (key, vars) => {
    const text = (lang.get() === 'zh-Hant' ? zh : en)[key] ?? en[key] ?? key;
    return vars ? text.replace(/\{(\w+)\}/g, (m, v: string) => (v in vars ? String(vars[v]) : m)) : text;
  };
}

/** The shell's strings and words every screen uses (statuses, roles, common buttons). */
export const t = defineStrings(
  {
    appName: 'OMS console',
    signIn: 'Sign in',
    signOut: 'Sign out',
    signInHint: 'Staff sign in through the user pool\'s sign-in page (on the local cloud: its stand-in, where you pick a role).',
    signInState: 'The sign-in answer does not belong to a sign-in started here: sign in again.',
    signInRefused: 'The sign-in was refused ({detail}): sign in again.',
    orPasteToken: 'Or use a token',
    token: 'Bearer token',
    useToken: 'Use this token',
    notStaff: 'This console is for staff: the token has no ops, cs, finance or admin role.',
    expired: 'The token has expired: sign in again.',
    malformed: 'That is not a token.',
    language: 'Language',
    loading: 'Loading…',
    retry: 'Retry',
    reload: 'Reload',
    cancel: 'Cancel',
    save: 'Save',
    submit: 'Submit',
    close: 'Close',
    notFound: 'No such page.',
    forbidden: 'Your role may not use this screen.',
    empty: 'Nothing here.',
    error: 'Something went wrong: {detail}',
    keys: 'Keys: j/k move · Enter opens',
    apiReference: 'API reference',
    role_ops: 'Operations',
    role_cs: 'Customer service',
    role_finance: 'Finance',
    role_admin: 'Admin',
    more: 'Load more',
    refreshed: 'Updated {time}',
  },
  {
    appName: 'OMS 後台',
    signIn: '登入',
    signOut: '登出',
    signInHint: '員工經由使用者集區的登入頁登入（本機雲端為其替身頁面，在那裡選擇角色）。',
    signInState: '這個登入回應不屬於在此開始的登入，請重新登入。',
    signInRefused: '登入遭拒（{detail}），請重新登入。',
    orPasteToken: '或使用權杖',
    token: 'Bearer 權杖',
    useToken: '使用此權杖',
    notStaff: '此後台僅供員工使用：這個權杖沒有營運、客服、財務或管理員角色。',
    expired: '權杖已過期，請重新登入。',
    malformed: '這不是有效的權杖。',
    language: '語言',
    loading: '載入中…',
    retry: '重試',
    reload: '重新載入',
    cancel: '取消',
    save: '儲存',
    submit: '送出',
    close: '關閉',
    notFound: '找不到此頁面。',
    forbidden: '你的角色不能使用此畫面。',
    empty: '沒有資料。',
    error: '發生錯誤：{detail}',
    keys: '快捷鍵：j/k 移動 · Enter 開啟',
    apiReference: 'API 文件',
    role_ops: '營運',
    role_cs: '客服',
    role_finance: '財務',
    role_admin: '管理員',
    more: '載入更多',
    refreshed: '更新於 {time}',
  },
);

const STATUS_ZH: Record<string, string> = {
  PENDING: '已接單', IN_REVIEW: '審核中', AWAITING_PAYMENT: '待付款', PAID: '已付款', FULFILLING: '出庫中',
  PARTIALLY_SHIPPED: '部分發貨', SHIPPED: '已發貨', PARTIALLY_DELIVERED: '部分送達', DELIVERED: '已送達', COMPLETED: '已完成',
  REJECTED: '已拒絕', CANCELLED: '已取消', EXPIRED: '已逾期',
  // returns, exchanges and claims
  REQUESTED: '已申請', APPROVED: '已核准', RECEIVED: '已收貨', REFUNDED: '已退款', EXCHANGED: '已換貨', RESHIPPED: '已補寄', CLOSED: '已結案',
};

/** An order status in the current language. */
export const statusLabel = (status: string) =>
  lang.get() === 'zh-Hant' ? (STATUS_ZH[status] ?? status) : status.charAt(0) + status.slice(1).toLowerCase().replace(/_/g, ' ');
