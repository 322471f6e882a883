import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Stack } from 'aws-cdk-lib';
import { stackIds } from '../../infra/build-app';
import { stageConfig } from '../../infra/config';
import { OmsFunction, REPO_ROOT } from '../../infra/constructs/oms-function';
import { QUEUED_STEPS } from '../../infra/queued-steps';
import { HTTP_FUNCTIONS } from '../../infra/routes';
import { SCHEDULED_STEPS } from '../../infra/scheduled-steps';
import { resourcesOfType, stepOf, synthStage, type CfnResource, type Synthesized } from './synth';

// Every folder with a handler is deployed exactly once, and nothing deployed points at
// a folder that does not exist. A new step without infrastructure fails here.
const handlerSteps = readdirSync(join(REPO_ROOT, 'functions'), { withFileTypes: true })
  .filter((d) => d.isDirectory() && existsSync(join(REPO_ROOT, 'functions', d.name, 'handler.ts')))
  .map((d) => d.name)
  .sort();

let synthesized: Synthesized;
beforeAll(() => {
  synthesized = synthStage('dev');
});
afterAll(() => synthesized?.cleanup());

describe('functions/ and the synthesized app agree', () => {
  // The console stack holds only CDK's bucket-deployment function (deploy time, not ours).
  const lambdas = () =>
    synthesized.assembly.stacks.filter((stack) => stack.stackName !== stackIds('dev').console).flatMap((stack) =>
      Object.values((stack.template as { Resources: Record<string, CfnResource> }).Resources).filter(
        (r) => r.Type === 'AWS::Lambda::Function',
      ),
    );

  it('finds handlers to check', () => {
    expect(handlerSteps.length).toBeGreaterThan(0);
  });

  it.each(handlerSteps)('functions/%s/handler.ts has exactly one Lambda', (step) => {
    const matching = lambdas().filter((fn) => stepOf(fn) === step);
    expect(matching).toHaveLength(1);
  });

  it('every Lambda is built from an existing functions/<step>/handler.ts', () => {
    const steps = lambdas().map((fn) => stepOf(fn));
    expect(steps.filter((s) => s === undefined), 'Lambdas not built by OmsFunction').toEqual([]);
    for (const step of steps) expect(handlerSteps).toContain(step);
  });

  it('every step of the routes, queued-steps and scheduled-steps tables has a handler folder', () => {
    const steps = [...Object.keys(HTTP_FUNCTIONS), ...Object.keys(QUEUED_STEPS), ...Object.keys(SCHEDULED_STEPS)];
    for (const step of steps) expect(handlerSteps).toContain(step);
  });

  it('only the API stack holds functions; the stateful stack holds data', () => {
    expect(Object.keys(resourcesOfType(synthesized.stateful, 'AWS::Lambda::Function'))).toEqual([]);
  });

  it('a function without a handler folder fails with the path it expected', () => {
    const props = { config: stageConfig('dev'), tableName: 't', eventBusName: 'b' };
    expect(() => new OmsFunction(new Stack(), 'no-such-step', props)).toThrow(
      'Function "no-such-step" has no handler: expected functions/no-such-step/handler.ts',
    );
  });
});
