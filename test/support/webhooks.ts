/**
 * Real webhook payloads (@octokit/webhooks-examples) and the runner's environment for them: what the
 * template tests (default-messages, customer-messages) render in. The environment is harness.ts's
 * runnerEnv, made once per file (it reads action.yml), with each event's payload written to its event
 * file and the variables the runner sets for that event.
 */
import examples from '@octokit/webhooks-examples' with { type: 'json' };
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll } from 'vitest';
import { runnerEnv } from './harness.ts';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type Payload = Record<string, any>;

/** Every example event, with its payloads. */
export const definitions = examples as unknown as Array<{ name: string; examples: Payload[] }>;

/** A copy of the first example of the event that `pick` accepts. */
export function example(name: string, pick: (p: Payload) => boolean = () => true): Payload {
  const found = definitions.find((d) => d.name === name)?.examples.find(pick);
  if (!found) throw new Error(`no ${name} example matches`);
  return structuredClone(found);
}

/** The payload with each field, and each field of each object in it, knocked out (null), one at a time. */
export function knockouts(payload: Payload): Array<[string, Payload]> {
  const variants: Array<[string, Payload]> = [];
  for (const [key, value] of Object.entries(payload)) {
    variants.push([key, { ...structuredClone(payload), [key]: null }]);
    if (value && typeof value === 'object' && !Array.isArray(value)) {
      for (const inner of Object.keys(value)) {
        const copy = structuredClone(payload);
        copy[key][inner] = null;
        variants.push([`${key}.${inner}`, copy]);
      }
    }
  }
  return variants;
}

/** The `after` of a push that deletes a ref. */
export const ZERO_SHA = '0000000000000000000000000000000000000000';
/** The commit a run is for, when the payload does not name one. */
export const SHA = '8f3c2a1b9d4e5f60718293a4b5c6d7e8f9a0b1c2';

/** The refs a runner sets for the event (see "Events that trigger workflows"). */
export function refsFor(name: string, payload: Payload): Record<string, string> {
  const branch = (ref: string): Record<string, string> => ({
    GITHUB_REF: ref,
    GITHUB_REF_NAME: ref.replace(/^refs\/(heads|tags)\//, ''),
    GITHUB_REF_TYPE: ref.startsWith('refs/tags/') ? 'tag' : 'branch',
  });
  const defaultBranch = `refs/heads/${typeof payload.repository?.default_branch === 'string' ? payload.repository.default_branch : 'main'}`;
  const pr = payload.pull_request as Payload | undefined;
  switch (name) {
    case 'push':
    case 'workflow_dispatch':
      return typeof payload.ref === 'string' ? branch(payload.ref) : branch(defaultBranch);
    case 'create':
    case 'delete':
      return typeof payload.ref === 'string'
        ? branch(`refs/${payload.ref_type === 'tag' ? 'tags' : 'heads'}/${payload.ref}`)
        : branch(defaultBranch);
    case 'release':
      return typeof payload.release?.tag_name === 'string'
        ? branch(`refs/tags/${payload.release.tag_name}`)
        : branch(defaultBranch);
    case 'pull_request':
    case 'pull_request_review':
    case 'pull_request_review_comment':
      return pr
        ? {
            GITHUB_REF: `refs/pull/${pr.number}/merge`,
            GITHUB_REF_NAME: `${pr.number}/merge`,
            GITHUB_REF_TYPE: 'branch',
            GITHUB_HEAD_REF: String(pr.head?.ref ?? ''),
            GITHUB_BASE_REF: String(pr.base?.ref ?? ''),
          }
        : branch(defaultBranch);
    case 'pull_request_target':
      return pr
        ? {
            ...branch(`refs/heads/${pr.base?.ref}`),
            GITHUB_HEAD_REF: String(pr.head?.ref ?? ''),
            GITHUB_BASE_REF: String(pr.base?.ref ?? ''),
          }
        : branch(defaultBranch);
    default:
      return branch(defaultBranch);
  }
}

/** The runner's environment for the events of one test file. */
export interface EventRunner {
  /** The workspace the environment points at. */
  readonly workspace: string;
  /** The environment for a workflow_dispatch with an empty payload: the base of every event's. */
  readonly base: Record<string, string>;
  /**
   * What `runnerEnv(workspace, { event: { name, payload }, env })` gives, without reading action.yml
   * again: the payload written to the event file, the event's name, `env` over the rest.
   */
  runnerEnvFor(name: string, payload: unknown, env: Record<string, string>): Record<string, string>;
  /** The environment for this event: its repository (the payload's, else `repository`), commit, actor, refs. */
  envFor(name: string, payload: Payload, repository?: string): Record<string, string>;
}

/** Makes the runner's environment before the file's tests, and removes its folders after them. */
export function useEventRunner(prefix: string): EventRunner {
  let home = '';
  let workspace = '';
  let base: Record<string, string> = {};
  beforeAll(() => {
    home = mkdtempSync(join(tmpdir(), `${prefix}-`));
    workspace = join(home, 'workspace');
    mkdirSync(workspace);
    base = runnerEnv(workspace, {});
  });
  afterAll(() => {
    rmSync(home, { recursive: true, force: true });
  });
  const runnerEnvFor = (name: string, payload: unknown, env: Record<string, string>): Record<string, string> => {
    writeFileSync(base.GITHUB_EVENT_PATH as string, JSON.stringify(payload));
    return { ...base, GITHUB_EVENT_NAME: name, ...env };
  };
  return {
    get workspace() {
      return workspace;
    },
    get base() {
      return base;
    },
    runnerEnvFor,
    envFor(name, payload, repository) {
      const repo =
        repository ?? (typeof payload.repository?.full_name === 'string' ? payload.repository.full_name : 'acme/shop');
      const sha =
        name === 'push' && typeof payload.after === 'string' && payload.after !== ZERO_SHA ? payload.after : SHA;
      const actor = typeof payload.sender?.login === 'string' ? payload.sender.login : 'octocat';
      return runnerEnvFor(name, payload, {
        GITHUB_REPOSITORY: repo,
        GITHUB_REPOSITORY_OWNER: repo.split('/')[0] ?? '',
        GITHUB_SHA: sha,
        GITHUB_ACTOR: actor,
        GITHUB_TRIGGERING_ACTOR: actor,
        ...refsFor(name, payload),
      });
    },
  };
}
