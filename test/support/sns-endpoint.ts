import { SNSClient } from '@aws-sdk/client-sns';
import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { handleAwsRequest } from '../../infra/local/aws-endpoint';

/**
 * The local cloud's SNS endpoint on its own port, and an SDK client for it: `lines` collects
 * what it logs, `tap` sees each request first (e.g. to count the entries of a batch).
 */
export async function startSnsEndpoint(lines: string[], tap?: (req: IncomingMessage) => void) {
  const server = createServer((req, res) => {
    tap?.(req);
    void handleAwsRequest({ bus: () => undefined, queues: () => undefined, queueUrl: (n) => n, log: (l) => lines.push(l) }, req, res);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as AddressInfo;
  const sns = new SNSClient({ endpoint: `http://127.0.0.1:${port}`, region: 'us-east-1', credentials: { accessKeyId: 'x', secretAccessKey: 'x' } });
  return {
    sns,
    close: async () => {
      sns.destroy();
      await new Promise((r) => server.close(r));
    },
  };
}
