import type { ComponentType } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import { call } from './api';
import { getConfig } from './config';
import { timeZone } from './format';
import { lang, LANGS, setLang, t, type Lang } from './i18n';
import { may } from './permissions';
import { hashQuery, matchPath, navigate, usePath } from './router';
import { allowed, SCREENS, type ScreenDef, type ScreenProps } from './screens';
import { session, type Session } from './session';
import { SignIn, signOutEverywhere } from './sign-in';
import { ErrorBox, Loading } from './ui';

// The shell: sign-in, the header (language, who is signed in), the nav of the screens the
// role may use, and the screen the URL names.

const LANG_NAMES: Record<Lang, string> = { en: 'English', 'zh-Hant': '繁體中文' };

/** The business time zone from the workflow settings, for roles that may read them. */
function useBusinessTimeZone(s: Session | undefined) {
  useEffect(() => {
    if (!s || !may(s.roles, 'getWorkflowSettings')) return;
    call<{ timeZone: string }>('getWorkflowSettings').then(
      (r) => timeZone.set(r.body.timeZone),
      () => undefined, // the stage's default stays
    );
  }, [s?.token]);
}

const loaded = new Map<string, ComponentType<ScreenProps>>();

function Screen({ screen, props }: { screen: ScreenDef; props: ScreenProps }) {
  const [, setReady] = useState(0);
  const [error, setError] = useState<unknown>();
  const Component = loaded.get(screen.id);
  useEffect(() => {
    if (Component) return;
    screen.load().then(
      (m) => {
        loaded.set(screen.id, m.default);
        setReady((n) => n + 1);
      },
      setError,
    );
  }, [screen.id]);
  if (error) return <ErrorBox error={error} />;
  return Component ? <Component {...props} /> : <Loading />;
}

export function App() {
  const s = session.use();
  const current = lang.use();
  timeZone.use();
  const path = usePath();
  useBusinessTimeZone(s);
  if (!s) return <SignIn />;

  const visible = SCREENS.filter((x) => allowed(x, s.roles));
  const found = SCREENS.map((screen) => ({ screen, params: matchPath(screen.path, path) })).find((m) => m.params);
  const home = visible.find((x) => x.nav);
  if (path === '/' && home) {
    navigate(home.path);
    return null;
  }
  const activeNav = found && (found.screen.nav ? found.screen.id : found.screen.path.startsWith('/orders') ? 'orders' : undefined);

  return (
    <div class="shell">
      <header class="top">
        <a class="brand" href={`#${home?.path ?? '/'}`}>{t('appName')}</a>
        {getConfig().stage && <span class="stage">{getConfig().stage}</span>}
        <span class="spacer" />
        <label class="lang">
          <span class="sr-only">{t('language')}</span>
          <select value={current} onChange={(e) => setLang((e.target as HTMLSelectElement).value as Lang)} aria-label={t('language')}>
            {LANGS.map((l) => <option key={l} value={l}>{LANG_NAMES[l]}</option>)}
          </select>
        </label>
        <span class="who" title={s.name}>{s.roles.map((r) => t(`role_${r}`)).join(' · ')}</span>
        <button type="button" class="link" onClick={signOutEverywhere}>{t('signOut')}</button>
      </header>
      <nav class="side" aria-label="screens">
        {visible.filter((x) => x.nav).map((x) => (
          <a key={x.id} href={`#${x.path}`} class={activeNav === x.id ? 'active' : ''} aria-current={activeNav === x.id ? 'page' : undefined}>
            {x.nav![current]}
          </a>
        ))}
        <a class="docs-link" href="../docs/" target="_blank" rel="noopener">{t('apiReference')}</a>
      </nav>
      <main class="main" id="main">
        {!found ? (
          <p class="notice warn">{t('notFound')}</p>
        ) : !allowed(found.screen, s.roles) ? (
          <p class="notice warn" role="alert">{t('forbidden')}</p>
        ) : (
          <Screen key={found.screen.id} screen={found.screen} props={{ params: found.params!, query: hashQuery(path) }} />
        )}
      </main>
    </div>
  );
}
