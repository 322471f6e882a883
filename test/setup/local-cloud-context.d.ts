// Values the e2e project's global setup hands to tests through `inject()`
// (`dynamoUrl` is declared beside the integration project's setup).
declare module 'vitest' {
  export interface ProvidedContext {
    apiUrl: string;
    tokens: Record<'storefront' | 'ops' | 'cs' | 'finance' | 'admin', string>;
    /** A second storefront principal, and well-signed tokens that must be refused (see local-cloud.ts). */
    testTokens: Record<'storefrontB' | 'expired' | 'wrongIssuer' | 'wrongAudience', string>;
    /** The local SQS / EventBridge endpoint. */
    awsUrl: string;
    /** The synthesized cloud assembly the local cloud serves. */
    assemblyDir: string;
    /** Where the local delivery streams write their objects (<lakeDir>/<stream name>/...). */
    lakeDir: string;
    /** The local stage's payment provider credentials, both sides (`.oms/local.json` `providers`). */
    providers: import('../../infra/local/handshake').ProviderCredentials;
  }
}

export {};
