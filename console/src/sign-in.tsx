import { useState } from 'preact/hooks';
import { cognitoProblem, logoutUrl, redirectUriOf, startCognitoSignIn } from './auth-cognito';
import { getConfig } from './config';
import { t } from './i18n';
import { signIn, signOut, type SessionResult } from './session';

// Signing in, the same on every stage: the Cognito hosted UI with the authorization code
// and PKCE (auth-cognito.ts); on the local cloud the hosted UI is the local cloud's own
// stand-in (infra/local/hosted-ui.ts), where a person picks a staff role. Any stage also
// takes a pasted token.

const SAID: Record<Exclude<SessionResult, { ok: true }>['reason'] | 'state', () => string> = {
  'not-staff': () => t('notStaff'),
  expired: () => t('expired'),
  malformed: () => t('malformed'),
  state: () => t('signInState'),
};

/** What went wrong, in the reader's language: the session's or the hosted UI's reason, else the token endpoint's error. */
const said = (problem: string) => (problem in SAID ? SAID[problem as keyof typeof SAID]() : t('signInRefused', { detail: problem }));

/** Signs out here, then at the hosted UI, which sends the browser back to the sign-in page. */
export function signOutEverywhere() {
  signOut();
  const cognito = getConfig().cognito;
  if (cognito) location.assign(logoutUrl(cognito, redirectUriOf(cognito, location)));
}

export function SignIn() {
  const [problem, setProblem] = useState<string | undefined>(cognitoProblem());
  const [pasted, setPasted] = useState('');
  const cognito = getConfig().cognito;

  const use = (token: string) => {
    const result = signIn(token);
    if (!result.ok) setProblem(result.reason);
  };

  return (
    <main class="sign-in">
      <h1>{t('appName')}</h1>
      {cognito && (
        <section>
          <p class="hint">{t('signInHint')}</p>
          <button type="button" class="primary" data-sign-in="cognito" onClick={() => void startCognitoSignIn(cognito)}>
            {t('signIn')}
          </button>
        </section>
      )}
      <form
        class="paste-token"
        onSubmit={(e) => {
          e.preventDefault();
          use(pasted);
        }}
      >
        <label>
          {t('orPasteToken')}
          <textarea name="token" rows={3} value={pasted} onInput={(e) => setPasted((e.target as HTMLTextAreaElement).value)} placeholder={t('token')} />
        </label>
        <button type="submit" disabled={!pasted.trim()}>{t('useToken')}</button>
      </form>
      {problem && <div class="notice error" role="alert">{said(problem)}</div>}
    </main>
  );
}
