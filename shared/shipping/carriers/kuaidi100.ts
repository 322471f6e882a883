import * as z from 'zod';
import { lazyCredentials, parseJson, ProviderCallError, send, shaped, type CredentialSource } from '../../payments/providers/common';
import { lazySchema } from '../../domain/lazy-schema';

// Kuaidi100 (快递100) tracks parcels booked elsewhere: a subscription
// (`POST {KUAIDI100_API_URL}/poll`, form `schema=json&param=…`) makes it push each
// parcel's full history to our callback, signed with the salt we give it. It books no
// waybill here (its order API, borderapi.do, is not used): a kuaidi100 shipment brings
// its tracking number, and `waybillCarrierFor('kuaidi100')` is undefined.

export interface Kuaidi100Credentials {
  key: string;
  customer: string;
  salt: string;
}

export interface SubscribeInput {
  trackingNumber: string;
  /** Kuaidi100's company code of the carrier (shunfeng, yuantong, zhongtong, ems…); without it Kuaidi100 recognizes the number (autoCom) */
  company?: string | undefined;
  /** where pushes go: `${publicApiUrl}/webhooks/carriers/kuaidi100` */
  notifyUrl: string;
  /** the receiver's phone: SF Express (shunfeng) answers only with it */
  phone?: string;
}

export interface TrackingSubscriber {
  readonly provider: 'kuaidi100';
  /** Subscribes a parcel's pushes; a parcel already subscribed is not an error. */
  subscribe(input: SubscribeInput): Promise<{ alreadySubscribed: boolean }>;
}

const Answer = lazySchema(() =>
  z.looseObject({ result: z.boolean(), returnCode: z.string(), message: z.string().optional() }),
);

/** returnCode 501: 重复订阅 (already subscribed). */
const DUPLICATE = '501';

export function kuaidi100Subscriber(opts: { baseUrl: string; credentials: CredentialSource<Kuaidi100Credentials> }): TrackingSubscriber {
  const credentials = lazyCredentials(opts.credentials);
  const base = opts.baseUrl.replace(/\/+$/, '');
  return {
    provider: 'kuaidi100',
    async subscribe(input: SubscribeInput) {
      const { key, salt } = await credentials();
      const param = JSON.stringify({
        company: input.company ?? '',
        number: input.trackingNumber,
        key,
        parameters: {
          callbackurl: input.notifyUrl, salt, resultv2: '1', ...(input.company ? {} : { autoCom: '1' }), ...(input.phone ? { phone: input.phone } : {}),
        },
      });
      const res = await send('kuaidi100', `${base}/poll`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded; charset=utf-8', accept: 'application/json' },
        body: new URLSearchParams({ schema: 'json', param }).toString(),
      });
      if (res.status >= 300) throw new ProviderCallError('kuaidi100', `POST /poll answered ${res.status}`, res.status, res.text.slice(0, 300));
      const answer = shaped('kuaidi100', 'subscription answer', Answer, parseJson('kuaidi100', res.text));
      if (answer.result) return { alreadySubscribed: false };
      if (answer.returnCode === DUPLICATE) return { alreadySubscribed: true };
      throw new ProviderCallError('kuaidi100', `subscription refused: ${answer.returnCode} ${answer.message ?? ''}`.trim(), res.status, res.text.slice(0, 300));
    },
  };
}
