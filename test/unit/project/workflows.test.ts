/**
 * The repository's own workflows, checked here because GitHub runs them only after a push: they
 * parse, hold least privileges (only the release job that moves the major tag may write), pin
 * every action by commit SHA, keep event text out of shell scripts, and give `uses: ./` only inputs
 * that action.yml declares. The release workflow's scripts are run here against tags in a
 * scratch repository.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { readActionYml, ROOT } from '../../support/harness.ts';
import { SIM_DEFAULTS } from '../../support/simulator.ts';

interface Step {
  id?: string;
  name?: string;
  if?: string;
  uses?: string;
  run?: string;
  with?: Record<string, unknown>;
  env?: Record<string, string>;
}
interface Job {
  'runs-on': string;
  permissions?: Record<string, string>;
  steps: Step[];
}
interface Workflow {
  on: unknown;
  permissions?: Record<string, string>;
  jobs: Record<string, Job>;
}

const folder = join(ROOT, '.github', 'workflows');
const files = readdirSync(folder).filter((f) => /\.ya?ml$/.test(f));
const readWorkflow = (file: string): Workflow => parse(readFileSync(join(folder, file), 'utf8')) as Workflow;

/** The one kind of job that may write: it pushes a tag (release.yml moving v1). */
const movesTag = (job: Job): boolean => job.steps.some((s) => /\bgit push\b.*\brefs\/tags\//.test(s.run ?? ''));
/** The one kind of job that may sign: it publishes the package with provenance (release.yml). */
const publishes = (job: Job): boolean => job.steps.some((s) => /\bnpm publish --provenance\b/.test(s.run ?? ''));

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

  it('reads the repository and nothing more; only the job of release.yml that moves the tag writes, only the one that publishes signs', () => {
    expect(workflow.permissions).toEqual({ contents: 'read' });
    for (const [name, job] of Object.entries(workflow.jobs)) {
      const permissions = job.permissions ?? { contents: 'read' };
      if (file === 'release.yml' && movesTag(job)) expect(permissions, name).toEqual({ contents: 'write' });
      else if (file === 'release.yml' && publishes(job))
        expect(permissions, name).toEqual({ contents: 'read', 'id-token': 'write', attestations: 'write' });
      else expect(permissions, name).toEqual({ contents: 'read' });
    }
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

  it('never puts event text into a shell script (script injection): it goes through env', () => {
    for (const step of steps.filter((s) => s.run !== undefined)) {
      expect(step.run, step.name ?? step.run).not.toMatch(/\$\{\{\s*github\.(event\.|head_ref\b)/);
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

describe('release.yml', () => {
  const text = readFileSync(join(folder, 'release.yml'), 'utf8');
  const workflow = readWorkflow('release.yml');
  const jobs = Object.values(workflow.jobs);
  const steps = jobs.flatMap((job) => job.steps);
  const stepById = (id: string): Step => {
    const step = steps.find((s) => s.id === id);
    if (!step?.run) throw new Error(`release.yml has no step '${id}' with a script`);
    return step;
  };

  const scratch = mkdtempSync(join(tmpdir(), 'release-workflow-'));
  afterAll(() => rmSync(scratch, { recursive: true, force: true }));

  /** Runs a step's script as the runner does (bash -e -o pipefail), with only the env given. */
  function runStep(
    step: Step,
    env: Record<string, string>,
    cwd = scratch,
  ): { code: number | null; log: string; outputs: Record<string, string> } {
    const outputFile = join(scratch, 'github-output');
    writeFileSync(outputFile, '');
    const result = spawnSync('bash', ['--noprofile', '--norc', '-eo', 'pipefail', '-c', step.run!], {
      cwd,
      encoding: 'utf8',
      env: {
        PATH: [join(process.execPath, '..'), process.env.PATH].join(':'),
        GIT_CONFIG_GLOBAL: '/dev/null',
        GIT_CONFIG_NOSYSTEM: '1',
        GITHUB_OUTPUT: outputFile,
        ...env,
      },
    });
    const outputs = Object.fromEntries(
      readFileSync(outputFile, 'utf8')
        .split('\n')
        .filter(Boolean)
        .map((line) => [line.slice(0, line.indexOf('=')), line.slice(line.indexOf('=') + 1)]),
    );
    return { code: result.status, log: `${result.stdout}${result.stderr}`, outputs };
  }

  it('runs only when a release is published', () => {
    expect(workflow.on).toEqual({ release: { types: ['published'] } });
  });

  it('has two jobs: one moves the tag (the token only in its push step, which runs only when the tag may move), then one publishes', () => {
    expect(Object.keys(workflow.jobs)).toEqual(['move-major-tag', 'publish']);
    const job = workflow.jobs['move-major-tag']!;
    expect(movesTag(job)).toBe(true);
    const push = job.steps.filter((s) => /\bgit push\b/.test(s.run ?? ''));
    expect(push).toHaveLength(1);
    expect(push[0]!.run).toContain(
      'git push "https://x-access-token:${GITHUB_TOKEN}@github.com/${GITHUB_REPOSITORY}.git" "refs/tags/${MAJOR}" --force',
    );
    expect(push[0]!.env?.GITHUB_TOKEN).toBe('${{ secrets.GITHUB_TOKEN }}');
    expect(push[0]!.if).toBe("steps.target.outputs.move == 'true'");
    // Two secrets in all: the token that pushes the tag, and npm's token, each in the one step that needs it.
    expect(text.match(/secrets\./g)).toHaveLength(2);
    for (const step of steps) expect(step.run ?? '', step.name).not.toContain('${{');
  });

  it('publishes only after the checks passed: attests dist/, then npm publish with provenance, a pre-release under next', () => {
    const job = workflow.jobs.publish!;
    expect((job as Job & { needs?: string }).needs).toBe('move-major-tag');
    expect(publishes(job)).toBe(true);
    const attest = job.steps.find((s) => s.uses?.startsWith('actions/attest-build-provenance@'));
    expect(attest?.with).toEqual({ 'subject-path': 'dist/*.js' });
    const publish = job.steps.find((s) => /npm publish/.test(s.run ?? ''))!;
    expect(publish.env).toEqual({
      NODE_AUTH_TOKEN: '${{ secrets.NPM_TOKEN }}',
      PRERELEASE: '${{ github.event.release.prerelease }}',
    });
    expect(publish.run).toContain('npm publish --provenance --access public --tag "$tag"');
    expect(job.steps.find((s) => s.uses?.startsWith('actions/setup-node@'))?.with).toMatchObject({
      'registry-url': 'https://registry.npmjs.org',
    });
  });

  it("checks out with CI's pinned actions, builds on .node-version, and compares dist/", () => {
    const ci = readFileSync(join(folder, 'ci.yml'), 'utf8');
    const remote = (yml: string): string[] => [...new Set(yml.match(/[\w.-]+\/[\w.-]+@[0-9a-f]{40} # v\S+/g))].sort();
    // The same checkout and setup-node as CI; the attestation action only here.
    expect(remote(text).filter((uses) => !uses.startsWith('actions/attest-build-provenance@'))).toEqual(remote(ci));
    expect(steps.find((s) => s.uses?.startsWith('actions/setup-node@'))?.with).toMatchObject({
      'node-version-file': '.node-version',
    });
    const scripts = steps.map((s) => s.run ?? '').join('\n');
    expect(scripts).toMatch(/npm ci\b/);
    expect(scripts).toContain('npm run build');
    expect(scripts).toContain('git diff --exit-code');
  });

  it('accepts only a vX.Y.Z tag, and names its version and major tag', () => {
    const step = stepById('tag');
    expect(step.env).toEqual({ TAG: '${{ github.event.release.tag_name }}' });
    expect(runStep(step, { TAG: 'v1.4.2' })).toMatchObject({ code: 0, outputs: { version: '1.4.2', major: 'v1' } });
    expect(runStep(step, { TAG: 'v0.10.0' })).toMatchObject({ code: 0, outputs: { version: '0.10.0', major: 'v0' } });
    expect(runStep(step, { TAG: 'v12.0.3' })).toMatchObject({ code: 0, outputs: { version: '12.0.3', major: 'v12' } });
    for (const tag of [
      '1.4.2',
      'v1.4',
      'v1',
      'v1.4.2-rc.1',
      'v1.4.2+build',
      'v01.4.2',
      'V1.4.2',
      'v1.4.2 ',
      'v1.4.2$(id)',
      'latest',
      '',
    ]) {
      const run = runStep(step, { TAG: tag });
      expect(run.code, tag).toBe(1);
      expect(run.log).toContain('is not a version vX.Y.Z');
      expect(run.outputs).toEqual({});
    }
  });

  it('refuses a version that package.json or CHANGELOG.md does not name', () => {
    const step = stepById('versions');
    const version = (JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string }).version;
    expect(runStep(step, { VERSION: version }, ROOT).code).toBe(0);
    expect(runStep(step, { VERSION: '99.0.0' }, ROOT)).toMatchObject({
      code: 1,
      log: expect.stringContaining('bump package.json'),
    });
  });

  describe('which commit the major tag moves to', () => {
    const repo = join(scratch, 'repo');
    const git = (...args: string[]): string => {
      const result = spawnSync('git', args, {
        cwd: repo,
        encoding: 'utf8',
        env: {
          PATH: process.env.PATH,
          GIT_CONFIG_GLOBAL: '/dev/null',
          GIT_CONFIG_NOSYSTEM: '1',
          GIT_AUTHOR_NAME: 'Release Test',
          GIT_AUTHOR_EMAIL: 'release@example.com',
          GIT_COMMITTER_NAME: 'Release Test',
          GIT_COMMITTER_EMAIL: 'release@example.com',
        },
      });
      if (result.status !== 0) throw new Error(`git ${args.join(' ')}: ${result.stderr}`);
      return result.stdout.trim();
    };
    /** A commit with an annotated release tag; returns its SHA. */
    const release = (tag: string): string => {
      git('commit', '--allow-empty', '-q', '-m', `Release ${tag}`);
      git('tag', '-a', tag, '-m', tag);
      return git('rev-parse', 'HEAD');
    };
    const target = (tag: string, more: Record<string, string> = {}) =>
      runStep(stepById('target'), { TAG: tag, MAJOR: tag.split('.')[0]!, PRERELEASE: 'false', ...more }, repo);

    it('forward to a newer release; not back to an older one; not for a pre-release; only to the tag checked out', () => {
      mkdirSync(repo);
      git('init', '-q');
      const v130 = release('v1.3.0');
      expect(target('v1.3.0')).toMatchObject({ code: 0, outputs: { commit: v130, move: 'true' } }); // no v1 yet
      git('tag', 'v1', v130);
      const v140 = release('v1.4.0');
      git('tag', '--force', 'v1', v140);
      expect(target('v1.4.0')).toMatchObject({ code: 0, outputs: { commit: v140, move: 'true' } }); // a re-run
      git('checkout', '-q', v130);
      const v131 = release('v1.3.1');
      const older = target('v1.3.1');
      expect(older).toMatchObject({ code: 0, outputs: { commit: v131, move: 'false' } });
      expect(older.log).toContain('v1 is on v1.4.0, newer than v1.3.1');
      git('checkout', '-q', v140);
      const v190 = release('v1.9.0');
      expect(target('v1.9.0', { PRERELEASE: 'true' })).toMatchObject({ code: 0, outputs: { move: 'false' } });
      expect(target('v1.9.0')).toMatchObject({ code: 0, outputs: { commit: v190, move: 'true' } });
      git('tag', '--force', 'v1', v190);
      const v1100 = release('v1.10.0');
      expect(target('v1.10.0')).toMatchObject({ code: 0, outputs: { commit: v1100, move: 'true' } }); // 10 > 9
      git('tag', '--force', 'v1', v1100);
      git('checkout', '-q', v190);
      const v191 = release('v1.9.1');
      expect(target('v1.9.1')).toMatchObject({ code: 0, outputs: { commit: v191, move: 'false' } });
      const elsewhere = target('v1.10.0'); // the checkout is v1.9.1
      expect(elsewhere.code).toBe(1);
      expect(elsewhere.log).toContain('The checkout is not the commit of v1.10.0');
      git('checkout', '-q', v1100);
      const v200 = release('v2.0.0');
      expect(target('v2.0.0')).toMatchObject({ code: 0, outputs: { commit: v200, move: 'true' } }); // v2 is new; v1 untouched
    });
  });
});
