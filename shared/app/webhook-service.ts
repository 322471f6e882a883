import * as z from 'zod';
import { Config, parseConfig } from '../config';
import { UrlRules } from '../domain/webhook-urls';
import { DEFAULT_RETRY_POLICY } from '../domain/webhooks';
import type { TableContext } from '../store/table';
import { webhookRepository } from '../store/webhook-repository';
import { makeWriter } from '../store/writer';
import { makeWebhooks, type WebhookDeps } from './webhooks';
import { secretBox, systemResolve, webhookPost } from './webhook-transport';

// The environment of the functions that deliver webhooks or manage them (integrations,
// webhook-deliveries, webhook-retries), set per stage by the CDK app.
const json = <S extends z.ZodType>(schema: S) => z.string().transform((s, ctx) => {
  try {
    return schema.parse(JSON.parse(s)) as z.output<S>;
  } catch (err) {
    ctx.addIssue({ code: 'custom', message: `is not valid JSON of the expected shape: ${(err as Error).message}` });
    return z.NEVER;
  }
});

export const WebhookConfig = Config.extend({
  /** the stage's key that seals subscriptions' signing secrets at rest (a Secrets Manager secret, resolved at deploy) */
  WEBHOOK_SECRET_KEY: z.string().min(32, 'must be at least 32 characters (a generated secret)'),
  /** where webhooks may point in this stage (domain/webhook-urls.ts); AWS stages: https to public addresses only */
  WEBHOOK_URL_RULES: json(UrlRules),
  WEBHOOK_PAUSE_AFTER_FAILURES: z.coerce.number().int().min(1).default(DEFAULT_RETRY_POLICY.pauseAfterFailures),
  WEBHOOK_SECRET_OVERLAP_SECONDS: z.coerce.number().int().min(0).default(24 * 3600),
  WEBHOOK_TIMEOUT_MS: z.coerce.number().int().min(100).default(5000),
});
export type WebhookConfig = z.infer<typeof WebhookConfig>;

export const loadWebhookConfig = (env?: Record<string, string | undefined>) => parseConfig(WebhookConfig, env);

/** How long an attempt holds its delivery: twice the partner call's timeout, and 5 s for the record. */
export const deliveryClaimMs = (callTimeoutMs: number) => callTimeoutMs * 2 + 5000;

/** The webhook use cases over one table, as the stage's configuration says. */
export function webhookService(ctx: TableContext, config: WebhookConfig, overrides: Partial<WebhookDeps> = {}) {
  const resolve = overrides.resolve ?? systemResolve;
  return makeWebhooks({
    repo: webhookRepository(ctx),
    writer: makeWriter(ctx),
    box: secretBox(config.WEBHOOK_SECRET_KEY),
    post: webhookPost({ rules: config.WEBHOOK_URL_RULES, timeoutMs: config.WEBHOOK_TIMEOUT_MS, resolve }),
    resolve,
    rules: config.WEBHOOK_URL_RULES,
    policy: { ...DEFAULT_RETRY_POLICY, pauseAfterFailures: config.WEBHOOK_PAUSE_AFTER_FAILURES },
    secretOverlapMs: config.WEBHOOK_SECRET_OVERLAP_SECONDS * 1000,
    // an attempt's claim outlasts its POST's deadline, so a slow partner is not sent the same delivery twice at once
    claimMs: deliveryClaimMs(config.WEBHOOK_TIMEOUT_MS),
    now: () => new Date(),
    random: Math.random,
    ...overrides,
  });
}
