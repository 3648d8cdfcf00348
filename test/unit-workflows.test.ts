/**
 * The repository's own workflows, checked here because GitHub runs them only after a push: they
 * parse, hold least privileges, pin every action by commit SHA, and give `uses: ./` only inputs
 * that action.yml declares.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { readActionYml, ROOT } from './harness.ts';
import { SIM_DEFAULTS } from './simulator.ts';

interface Step {
  uses?: string;
  with?: Record<string, unknown>;
}
interface Workflow {
  on: unknown;
  permissions?: Record<string, string>;
  jobs: Record<string, { 'runs-on': string; permissions?: Record<string, string>; steps: Step[] }>;
}

const folder = join(ROOT, '.github', 'workflows');
const files = readdirSync(folder).filter((f) => /\.ya?ml$/.test(f));

describe.each(files)('.github/workflows/%s', (file) => {
  const text = readFileSync(join(folder, file), 'utf8');
  const workflow = parse(text) as Workflow;
  const steps = Object.values(workflow.jobs).flatMap((job) => job.steps);

  it('is a workflow: triggers, and jobs with a runner and steps', () => {
    expect(workflow.on).toBeTruthy();
    for (const job of Object.values(workflow.jobs)) {
      expect(job['runs-on']).toBeTruthy();
      expect(job.steps.length).toBeGreaterThan(0);
    }
  });

  it('reads the repository and nothing more', () => {
    expect(workflow.permissions).toEqual({ contents: 'read' });
    for (const job of Object.values(workflow.jobs)) expect(job.permissions ?? { contents: 'read' }).toEqual({ contents: 'read' });
  });

  it('pins every action by a full commit SHA, with the version in a comment', () => {
    const remote = text.split('\n').filter((line) => /^\s*(-\s+)?uses:\s+(?!\.\/)/.test(line));
    expect(remote.length).toBeGreaterThan(0);
    for (const line of remote) expect(line, line).toMatch(/uses:\s+[\w.-]+\/[\w.-]+@[0-9a-f]{40} # v\d+\.\d+\.\d+$/);
  });

  it('does not leave the checkout token on disk', () => {
    for (const step of steps.filter((s) => s.uses?.startsWith('actions/checkout@'))) {
      expect(step.with?.['persist-credentials']).toBe(false);
    }
  });

  it('gives `uses: ./` only inputs action.yml declares', () => {
    const inputs = Object.keys(readActionYml().inputs);
    for (const step of steps.filter((s) => s.uses === './')) {
      for (const name of Object.keys(step.with ?? {})) expect(inputs, name).toContain(name);
    }
  });
});

describe('the self-test job', () => {
  it('uses the credentials the simulator accepts and expects the seeded topic of its user', () => {
    const text = readFileSync(join(folder, 'ci.yml'), 'utf8');
    const step = (parse(text) as Workflow).jobs['self-test']?.steps.find((s) => s.uses === './');
    expect(step?.with).toMatchObject({
      x_api_key: SIM_DEFAULTS.xApiKey,
      instance: SIM_DEFAULTS.instance,
      api_key: SIM_DEFAULTS.apiKey,
      user_id: 123456789,
    });
    expect(text).toContain('https://t.me/c/2101424779/5343');
  });
});
