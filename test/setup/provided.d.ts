// Values the integration project's global setup hands to tests through `inject()`.
declare module 'vitest' {
  export interface ProvidedContext {
    dynamoUrl: string;
  }
}

export {};
