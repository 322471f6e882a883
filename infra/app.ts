// CDK entry (cdk.json): `npx cdk synth -c stage=prod`. The stage comes from context.
import { buildApp } from './build-app';

buildApp().synth();
