// CDK entry (cdk.json): `npx cdk synth -c stage=prod`. The stage comes from context.
import { App } from 'aws-cdk-lib';
import { checkDeployAccount, stageConfig } from './config';

// Before any construct exists: the wrong profile for a pinned stage ends the run here, so
// `cdk deploy` and `cdk diff` never reach CloudFormation with it.
try {
  checkDeployAccount(stageConfig(new App({ autoSynth: false }).node.tryGetContext('stage') ?? 'dev'));
} catch (error) {
  console.error((error as Error).message);
  process.exit(1);
}

const { buildApp } = await import('./build-app');
buildApp().synth();
