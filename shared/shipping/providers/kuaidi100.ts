import { createHash } from 'node:crypto';
import * as z from 'zod';
import type { CarrierCallbackReply, Checkpoint, ShipmentStatus, TrackingNotification, TrackingProviderAdapter } from '../port';
import { callbackShaped, lazyCredentials, mapped, sameBytes, text, type CredentialSource } from './common';
import { lazySchema } from '../../domain/lazy-schema';

// Kuaidi100 (快递100) subscription pushes: a form with `param` (JSON text) and `sign` =
// uppercase hex MD5(param + salt), the salt we gave when subscribing. Each push is the
// whole history so far (`lastResult.data`, newest first); times are `yyyy-MM-dd HH:mm:ss`
// in China time. Kuaidi100 repeats a push until it reads its success JSON.

export interface Kuaidi100Credentials {
  key: string;
  customer: string;
  salt: string;
}

/** `lastResult.state` (and a checkpoint's `statusCode`) in our terms. */
export const KUAIDI100_STATES: Readonly<Record<string, ShipmentStatus>> = {
  0: 'IN_TRANSIT', 1: 'PICKED_UP', 2: 'EXCEPTION', 3: 'DELIVERED', 4: 'RETURNED', 5: 'OUT_FOR_DELIVERY', 6: 'RETURNING',
  7: 'IN_TRANSIT', 8: 'IN_TRANSIT', 10: 'IN_TRANSIT', 11: 'IN_TRANSIT', 12: 'IN_TRANSIT', 13: 'EXCEPTION', 14: 'RETURNED',
};
/** A checkpoint's `status` text (resultv2=1) in our terms. */
const STATE_NAMES: Readonly<Record<string, ShipmentStatus>> = {
  在途: 'IN_TRANSIT', 揽收: 'PICKED_UP', 疑难: 'EXCEPTION', 签收: 'DELIVERED', 退签: 'RETURNED', 派件: 'OUT_FOR_DELIVERY', 退回: 'RETURNING',
  转投: 'IN_TRANSIT', 待清关: 'IN_TRANSIT', 清关中: 'IN_TRANSIT', 已清关: 'IN_TRANSIT', 清关异常: 'EXCEPTION', 拒签: 'RETURNED',
};

/** The exact answers Kuaidi100 reads (success stops its retries). */
export const KUAIDI100_OK = '{"result":true,"returnCode":"200","message":"成功"}';
export const kuaidi100Failure = (message: string) => JSON.stringify({ result: false, returnCode: '500', message });

/** Kuaidi100's clock: `yyyy-MM-dd HH:mm:ss` in China Standard Time -> ISO 8601 with +08:00. */
export function fromChinaTime(value: unknown): string | undefined {
  if (typeof value !== 'string' || !/^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$/.test(value)) return undefined;
  return `${value.replace(' ', 'T')}+08:00`;
}

const Point = lazySchema(() =>
  z.looseObject({
    context: z.string().nullish(),
    ftime: z.string().nullish(),
    time: z.string().nullish(),
    status: z.string().nullish(),
    statusCode: z.union([z.string(), z.number()]).nullish(),
    areaName: z.string().nullish(),
    location: z.string().nullish(),
  }),
);
const Push = lazySchema(() =>
  z.looseObject({
    status: z.string().nullish(),
    lastResult: z.looseObject({
      nu: z.string().min(1),
      com: z.string().nullish(),
      state: z.union([z.string(), z.number()]),
      ischeck: z.string().nullish(),
      data: z.array(Point).nullish(),
    }).nullish(),
  }),
);

export function kuaidi100Adapter(opts: { credentials: CredentialSource<Kuaidi100Credentials> }): TrackingProviderAdapter {
  const credentials = lazyCredentials(opts.credentials);
  return {
    provider: 'kuaidi100',

    async verifyCallback(raw) {
      const form = new URLSearchParams(raw.body.toString('utf8'));
      const param = form.get('param');
      const sign = form.get('sign');
      if (param === null || sign === null) return { ok: false, reason: 'malformed', detail: 'form lacks param or sign' };
      const { salt } = await credentials();
      const expected = createHash('md5').update(param + salt, 'utf8').digest('hex').toUpperCase();
      if (!sameBytes(Buffer.from(sign.trim(), 'utf8'), Buffer.from(expected, 'utf8'))) return { ok: false, reason: 'bad-signature', detail: 'sign does not match' };
      try {
        return { ok: true, payload: JSON.parse(param) as unknown };
      } catch {
        return { ok: false, reason: 'malformed', detail: 'param is not JSON' };
      }
    },

    normalize(payload): TrackingNotification[] {
      const push = callbackShaped('a Kuaidi100 push', Push, payload);
      const result = push.lastResult;
      if (!result || push.status === 'abort') return [];
      const state = String(result.state);
      const status = KUAIDI100_STATES[state] ?? (result.ischeck === '1' ? 'DELIVERED' : KUAIDI100_STATES[state.charAt(0)] ?? 'IN_TRANSIT');
      const checkpoints: Checkpoint[] = (result.data ?? []).flatMap((p) => {
        const at = fromChinaTime(p.ftime) ?? fromChinaTime(p.time);
        if (!at) return [];
        // a checkpoint's own status only, so one scan has the same status in every later push
        const own = p.statusCode !== undefined && p.statusCode !== null ? mapped(KUAIDI100_STATES, p.statusCode, 'IN_TRANSIT') : mapped(STATE_NAMES, p.status, 'IN_TRANSIT');
        const location = text(p.areaName ?? p.location, 300);
        return [{ at, status: own, description: text(p.context, 1000) ?? '', ...(location ? { location } : {}) }];
      });
      const newest = (result.data ?? [])[0];
      const occurredAt = fromChinaTime(newest?.ftime) ?? fromChinaTime(newest?.time);
      if (!occurredAt) return [];
      // A push repeats the whole history: its newest scan, state and length name it, so a
      // resend is the same event and a push that adds a late, older scan is a new one.
      return [{
        provider: 'kuaidi100', eventKey: `${result.nu}|${newest!.ftime ?? newest!.time}|${state}|${result.data!.length}`, trackingNumber: result.nu,
        status, occurredAt, checkpoints, providerEventType: `${push.status ?? 'polling'}/state ${state}`,
      }];
    },

    reply(outcome, message): CarrierCallbackReply {
      return outcome === 'accepted'
        ? { statusCode: 200, headers: { 'content-type': 'application/json; charset=utf-8' }, body: KUAIDI100_OK }
        : { statusCode: 400, headers: { 'content-type': 'application/json; charset=utf-8' }, body: kuaidi100Failure(message ?? '失败') };
    },
  };
}
