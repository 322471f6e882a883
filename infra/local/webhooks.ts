// The local stage's rules for outbound webhooks: besides https to public addresses (the
// AWS stages' rules, which the template carries), plain http to this machine, so a
// partner started beside the local cloud (npm run partner, a test's receiver) can be
// registered. Functions read the rules from their environment like in AWS; only the
// value differs, as the provider sandbox URLs do.

export const LOCAL_WEBHOOK_URL_RULES = { localHosts: ['localhost', '127.0.0.1', '::1'] };

export function withLocalWebhookRules(env: Record<string, string>): Record<string, string> {
  return 'WEBHOOK_URL_RULES' in env ? { ...env, WEBHOOK_URL_RULES: JSON.stringify(LOCAL_WEBHOOK_URL_RULES) } : env;
}
