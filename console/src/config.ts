// The deployment's own settings, read at start-up from config.json beside index.html:
// the local cloud serves it; a deployed stage uploads it with the site.
export interface ConsoleConfig {
  /** Base URL of the HTTP API; '' = this origin (the local cloud). */
  apiUrl: string;
  /** How staff sign in: the local cloud's dev tokens, or the stage's Cognito hosted UI. */
  signIn: 'local' | 'cognito';
  /** Stage name shown in the header. */
  stage?: string;
  /** The hosted UI (signIn 'cognito'): filled by the deployment. */
  cognito?: { domain: string; clientId: string; redirectUri?: string; scopes?: string[] };
}

let config: ConsoleConfig = { apiUrl: '', signIn: 'local' };

export async function loadConfig(): Promise<ConsoleConfig> {
  const res = await fetch('./config.json', { cache: 'no-store' });
  if (!res.ok) throw new Error(`config.json: HTTP ${res.status}`);
  config = { ...config, ...((await res.json()) as Partial<ConsoleConfig>) };
  return config;
}

export const getConfig = () => config;
