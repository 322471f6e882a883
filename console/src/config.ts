// The deployment's own settings, read at start-up from config.json beside index.html:
// the local cloud serves it; a deployed stage uploads it with the site.
export interface ConsoleConfig {
  /** Base URL of the HTTP API; '' = this origin (the local cloud). */
  apiUrl: string;
  /** How staff sign in: through the Cognito hosted UI (on the local cloud, its stand-in). */
  signIn: 'cognito';
  /** Stage name shown in the header. */
  stage?: string;
  /** The hosted UI: filled by the deployment (the local cloud: its own /_local/auth). */
  cognito?: { domain: string; clientId: string; redirectUri?: string; scopes?: string[] };
}

let config: ConsoleConfig = { apiUrl: '', signIn: 'cognito' };

export async function loadConfig(): Promise<ConsoleConfig> {
  const res = await fetch('./config.json', { cache: 'no-store' });
  if (!res.ok) throw new Error(`config.json: HTTP ${res.status}`);
  config = { ...config, ...((await res.json()) as Partial<ConsoleConfig>) };
  return config;
}

export const getConfig = () => config;
