import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Validations } from 'aws-cdk-lib';
import { Queue } from 'aws-cdk-lib/aws-sqs';
import { afterAll, describe, expect, it } from 'vitest';
import { buildApp, stackIds } from '../../infra/build-app';
import { stackEnv, stageConfig } from '../../infra/config';
import { synthStage, type Synthesized } from './synth';

// The AwsSolutions pack runs inside every synthesis (buildApp registers it), and an
// unacknowledged error makes synthesis throw. These tests pin down that it does, and
// which findings we accept and why.

// Every accepted finding, by rule; a new acknowledgement must be added here on purpose.
const ACCEPTED = new Set([
  'AwsSolutions-L1', // Node.js 22 runtime, matching the local toolchain
  'AwsSolutions-APIG4', // GET /health and GET /openapi.json are public by contract
  'AwsSolutions-IAM5[Resource::*]', // dynamodb:ListStreams has no resource-level permission
  'AwsSolutions-SQS3', // the stream failure queue is itself a dead-letter destination
  'AwsSolutions-COG8', // Cognito Plus tier outside prod
  'AwsSolutions-DDB3', // no PITR on dev's disposable data
  'AwsSolutions-SMG4', // the cursor-signing key is rotated by hand (a redeploy), not by a rotation Lambda
  // the event lake: no access logs on buckets only Firehose and Athena use; the CDK's S3 destination grant
  'AwsSolutions-S1',
  'AwsSolutions-IAM5[Resource::<EventLakeBucket08FD9772.Arn>/*]',
  'AwsSolutions-IAM5[Action::s3:GetObject*]',
  'AwsSolutions-IAM5[Action::s3:GetBucket*]',
  'AwsSolutions-IAM5[Action::s3:List*]',
  'AwsSolutions-IAM5[Action::s3:DeleteObject*]',
  'AwsSolutions-IAM5[Action::s3:Abort*]',
  // the public edge (CloudFront + WAF): no geo restriction, the API's access log, the default certificate
  'AwsSolutions-CFR1',
  'AwsSolutions-CFR3',
  'AwsSolutions-CFR4',
  // the $default route that answers unknown paths with a 404 problem
  'AwsSolutions-APIG4',
  // the console: CloudFront on its default certificate, open to every country, no WAF in
  // front of static files; CDK's bucket-deployment function (its managed log policy, the
  // assets bucket, the console bucket, invalidations)
  'AwsSolutions-CFR2',
  'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole]',
  'AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:s3:::cdk-hnb659fds-assets-<AWS::AccountId>-<AWS::Region>/*]',
  // a stage pinned to an account and region (infra/config.ts) names its assets bucket
  ...['dev', 'prod'].map((stage) => Object.values(stackEnv(stageConfig(stage)))).filter((e) => e.length === 2)
    .map(([account, region]) => `AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:s3:::cdk-hnb659fds-assets-${account}-${region}/*]`),
  // CDK's own: the console's log bucket takes S3 access logs by the log-delivery ACL, as CloudFront's logs need ACLs
  'CloudFormation-Validate::W3045',
  ...['dev', 'prod'].map((stage) => `AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:s3:::oms-${stage}-console-<AWS::AccountId>-<AWS::Region>/*]`),
]);

function acknowledgements(s: Synthesized) {
  return s.app.node.findAll().flatMap((c) =>
    c.node.metadata
      .filter((m) => m.type === Validations.ACKNOWLEDGED_RULES_METADATA_KEY)
      .flatMap((m) =>
        Object.entries(m.data as Record<string, string>).map(([id, reason]) => ({
          path: c.node.path,
          id: id.replace(/^Annotation::/, ''),
          reason,
        })),
      ),
  );
}

const done: Synthesized[] = [];
afterAll(() => done.forEach((s) => s.cleanup()));

describe('cdk-nag AwsSolutions', () => {
  it.each(['dev', 'prod'])('%s synthesizes with every finding fixed or acknowledged with a reason', (stage) => {
    const s = synthStage(stage);
    done.push(s);
    const acks = acknowledgements(s);
    expect(acks.length).toBeGreaterThan(0);
    for (const ack of acks) {
      expect(ACCEPTED, `${ack.path}: ${ack.id}`).toContain(ack.id);
      expect(ack.reason.length, `${ack.path}: ${ack.id} needs a concrete reason`).toBeGreaterThan(40);
    }
    if (stage === 'prod') {
      // Prod pays for what dev skips.
      expect(acks.map((a) => a.id)).not.toContain('AwsSolutions-COG8');
      expect(acks.map((a) => a.id)).not.toContain('AwsSolutions-DDB3');
    }
  });

  it('fails synthesis on an unacknowledged finding', () => {
    const outdir = mkdtempSync(join(tmpdir(), 'oms-nag-'));
    try {
      const app = buildApp({ stage: 'dev', outdir, bundle: false });
      const api = app.node.findChild(stackIds('dev').api);
      // A queue with neither a DLQ nor TLS enforcement.
      new Queue(api, 'CarelessQueue');
      expect(() => app.synth()).toThrow(/AwsSolutions-SQS(3|4)/);
    } finally {
      rmSync(outdir, { recursive: true, force: true });
    }
  });
});
