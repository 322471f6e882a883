import { useEffect, useState } from 'preact/hooks';
import { cognitoProblem, startCognitoSignIn } from './auth-cognito';
import { getConfig } from './config';
import { t } from './i18n';
import { signIn, STAFF_ROLES, type SessionResult, type StaffRole } from './session';

// Signing in. On the local cloud: pick a role and the console uses the local cloud's dev
// token for it (GET /_local/console/tokens, served by the local cloud only); any stage:
// paste a token. A deployed stage signs in through its Cognito hosted UI instead
// (config.signIn = 'cognito').

const refusal = (r: Exclude<SessionResult, { ok: true }>) => t(r.reason === 'not-staff' ? 'notStaff' : r.reason);

export function SignIn() {
  const [tokens, setTokens] = useState<Partial<Record<StaffRole, string>>>();
  const [problem, setProblem] = useState<string | undefined>(cognitoProblem());
  const [pasted, setPasted] = useState('');
  const local = getConfig().signIn === 'local';
  const cognito = getConfig().signIn === 'cognito' ? getConfig().cognito : undefined;

  useEffect(() => {
    if (!local) return;
    fetch(`${getConfig().apiUrl}/_local/console/tokens`)
      .then(async (res) => {
        if (!res.ok) throw new Error(`HTTP ${res.status}`);
        setTokens(((await res.json()) as { tokens: Partial<Record<StaffRole, string>> }).tokens);
      })
      .catch((err: Error) => setProblem(t('noTokens', { detail: err.message })));
  }, [local]);

  const use = (token: string) => {
    const result = signIn(token);
    if (!result.ok) setProblem(refusal(result));
  };

  return (
    <main class="sign-in">
      <h1>{t('appName')}</h1>
      {local && (
        <section>
          <p class="hint">{t('signInLocalHint')}</p>
          <div class="role-buttons">
            {STAFF_ROLES.map((role) => (
              <button type="button" key={role} data-role={role} disabled={!tokens?.[role]} onClick={() => tokens?.[role] && use(tokens[role])}>
                {t('signInAs')} <strong>{t(`role_${role}`)}</strong>
              </button>
            ))}
          </div>
        </section>
      )}
      {cognito && (
        <section>
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
      {problem && <div class="notice error" role="alert">{problem}</div>}
    </main>
  );
}
