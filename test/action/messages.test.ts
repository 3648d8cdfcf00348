/**
 * Integration: messages that write themselves. Default messages per event (zero-config), `status`
 * marks, `vars`, and `overflow` (split, error) against the simulator.
 *
 * In process (the action's own `run()`, test/support/in-process.ts; the default messages come from
 * templates/ at the repository's root), except the zero-config issues (opened) event, which runs
 * through the bundled action (`node dist/index.js`): the bundle reads the default templates from
 * templates/ next to dist/, and only a run of the bundle proves it finds them.
 */
import { describe, it, expect } from 'vitest';
import examples from '@octokit/webhooks-examples' with { type: 'json' };
import { runAction, type ActionRun } from '../support/harness.ts';
import { runInProcess } from '../support/in-process.ts';
import { sim, useSimulator, creds } from '../support/fixtures.ts';
import type { RecipientResult } from '../../src/delivery/results.js';

useSimulator();

type Payload = Record<string, unknown> & { repository?: { full_name?: string } };
const payloadOf = (event: string, pick: (p: Payload) => boolean = () => true): Payload => {
  const found = (examples as unknown as Array<{ name: string; examples: Payload[] }>)
    .find((e) => e.name === event)
    ?.examples.find(pick);
  if (!found) throw new Error(`no ${event} example`);
  return structuredClone(found);
};
const results = (run: ActionRun): RecipientResult[] => JSON.parse(run.outputs.results ?? '[]') as RecipientResult[];
const refusedBefore = (run: ActionRun, input: string): string => {
  expect(run.code).toBe(1);
  expect(run.errors).toHaveLength(1);
  expect(run.errors[0]).toContain(`Input '${input}'`);
  expect(sim.requests).toHaveLength(0);
  return run.errors[0] ?? '';
};

describe('zero-config: the default message for the event', () => {
  it('an issues (opened) event with no message sends the issue, its author, link and the run link', async () => {
    const payload = payloadOf('issues', (p) => p.action === 'opened');
    const issue = payload.issue as { title: string; number: number; html_url: string; user: { login: string } };
    const run = await runAction({
      inputs: { ...creds(), user_id: '7' },
      event: { name: 'issues', payload },
      env: { GITHUB_REPOSITORY: payload.repository?.full_name ?? '' },
    });
    expect(run.code).toBe(0);
    const sent = sim.delivered[0]?.message ?? '';
    expect(sent.split('\n')[0]).toContain(payload.repository?.full_name);
    for (const part of [
      issue.title,
      `#${issue.number}`,
      issue.user.login,
      issue.html_url,
      '/actions/runs/9876543210',
    ]) {
      expect(sent).toContain(part);
    }
    expect(run.outputs.message).toBe(sent);
  });

  it('a failed deploy says so in words and with ❌ in its first line', async () => {
    const run = await runInProcess({
      inputs: { ...creds(), user_id: '7', status: 'failure' },
      event: { name: 'push', payload: payloadOf('push', (p) => String(p.ref).startsWith('refs/heads/')) },
    });
    expect(run.code).toBe(0);
    const first = sim.delivered[0]?.message.split('\n')[0] ?? '';
    expect(first).toContain('❌');
    expect(first).toMatch(/fail/i);
  });

  it('an event without a template of its own gets the generic message with the event name and run link', async () => {
    const run = await runInProcess({
      inputs: { ...creds(), user_id: '7' },
      event: { name: 'watch', payload: payloadOf('watch') },
    });
    expect(run.code).toBe(0);
    const sent = sim.delivered[0]?.message ?? '';
    expect(sent).toMatch(/watch/i);
    expect(sent).toContain('https://github.com/acme/shop/actions/runs/9876543210');
  });
});

describe('vars', () => {
  it('a YAML mapping is available as vars.*, with a version like 1.10 kept as written', async () => {
    const run = await runInProcess({
      inputs: {
        ...creds(),
        user_id: '7',
        message: 'Deployed {{ vars.version }} to {{ vars.environment }} ({{ vars.replicas | plus: 1 }})',
        vars: 'environment: production\nversion: 1.10\nreplicas: 2',
      },
    });
    expect(run.code).toBe(0);
    expect(sim.delivered[0]?.message).toBe('Deployed 1.10 to production (3)');
  });

  it('a JSON mapping works too', async () => {
    const run = await runInProcess({
      inputs: {
        ...creds(),
        user_id: '7',
        message: '{{ vars.env }}: {{ vars.list | join: "+" }}',
        vars: '{"env": "staging", "list": ["a", "b"]}',
      },
    });
    expect(run.code).toBe(0);
    expect(sim.delivered[0]?.message).toBe('staging: a+b');
  });

  it('invalid YAML is refused before any request, naming vars and the line', async () => {
    const run = await runInProcess({
      inputs: { ...creds(), user_id: '7', message: 'x', vars: 'environment: production\nversion: [1.4\n' },
    });
    expect(refusedBefore(run, 'vars')).toMatch(/line \d+/);
  });

  it('a list or a single value is refused: vars must be a mapping', async () => {
    for (const vars of ['- a\n- b', 'just words']) {
      sim.reset();
      const run = await runInProcess({ inputs: { ...creds(), user_id: '7', message: 'x', vars } });
      expect(refusedBefore(run, 'vars')).toMatch(/mapping/);
    }
  });
});

describe('overflow', () => {
  const paragraphs = [
    'Release v2.0 notes.',
    'First paragraph with several words in it.',
    'Second paragraph, also long enough.',
    'Third and last paragraph of the notes.',
  ];
  const long = paragraphs.join('\n\n');

  it('split: several numbered messages in order, each within max_length, nothing lost; results list each part', async () => {
    const run = await runInProcess({
      inputs: { ...creds(), user_id: '7', message: long, max_length: '60', overflow: 'split' },
    });
    expect(run.code).toBe(0);
    const sent = sim.delivered.map((d) => d.message);
    expect(sent.length).toBeGreaterThan(1);
    sent.forEach((part, i) => {
      expect(part.length).toBeLessThanOrEqual(60);
      expect(part.startsWith(`(${i + 1}/${sent.length}) `)).toBe(true);
    });
    const bodies = sent.map((p) => p.replace(/^\(\d+\/\d+\) /, '')).join(' ');
    expect(bodies.replace(/\s+/g, '')).toBe(long.replace(/\s+/g, ''));
    expect(sim.delivered.every((d) => d.user_id === 7)).toBe(true);
    const r = results(run);
    expect(r.map((x) => [x.part, x.parts, x.ok])).toEqual(sent.map((_, i) => [i + 1, sent.length, true]));
    expect(run.outputs.message).toBe(long);
    expect(run.outputs.truncated).toBe('false');
    expect(run.summary).toContain(`split in ${sent.length} messages`);
  });

  it('split: a message that fits is sent whole and unnumbered', async () => {
    const run = await runInProcess({ inputs: { ...creds(), user_id: '7', message: 'Short.', overflow: 'split' } });
    expect(run.code).toBe(0);
    expect(sim.delivered.map((d) => d.message)).toEqual(['Short.']);
    expect(results(run)[0]).not.toHaveProperty('part');
  });

  it('split: when a part fails, the parts after it are not sent (they would arrive out of order) and the step fails', async () => {
    // The first request goes through (a zero delay), the second gets a 400.
    sim.failFor(
      7,
      { type: 'delay', ms: 0 },
      { type: 'status', status: 400, body: { result: 'error', message: 'Bad part' } },
    );
    const run = await runInProcess({
      inputs: { ...creds(), user_id: '7', message: long, max_length: '60', overflow: 'split' },
    });
    expect(run.code).toBe(1);
    expect(sim.requests).toHaveLength(2);
    const r = results(run);
    expect(r[0]?.ok).toBe(true);
    expect(r[1]?.error).toContain('Bad part');
    expect(r.slice(2).every((x) => !x.ok && /not sent: part 2 failed/.test(x.error ?? ''))).toBe(true);
    expect(run.errors[0]).toMatch(/user 7 \(part 2\/\d+\).*Bad part/);
  });

  it('split: a message that would need more than 20 messages is refused before any request, naming overflow', async () => {
    const run = await runInProcess({
      inputs: { ...creds(), user_id: '7', message: 'word '.repeat(400), max_length: '40', overflow: 'split' },
    });
    expect(refusedBefore(run, 'overflow')).toMatch(/more than the 20/);
  });

  it('error: a message longer than max_length fails naming max_length, before any request', async () => {
    const run = await runInProcess({
      inputs: { ...creds(), user_id: '7', message: long, max_length: '60', overflow: 'error' },
    });
    expect(refusedBefore(run, 'max_length')).toMatch(/longer than max_length 60/);
  });

  it('truncate stays the default: one message cut with …', async () => {
    const run = await runInProcess({ inputs: { ...creds(), user_id: '7', message: long, max_length: '60' } });
    expect(run.code).toBe(0);
    expect(sim.delivered).toHaveLength(1);
    expect(sim.delivered[0]?.message.endsWith('…')).toBe(true);
    expect(run.outputs.truncated).toBe('true');
  });

  it('split with a max_length too small for the part numbers is refused, naming max_length', async () => {
    const run = await runInProcess({
      inputs: { ...creds(), user_id: '7', message: long, max_length: '10', overflow: 'split' },
    });
    expect(refusedBefore(run, 'max_length')).toMatch(/at least \d+ with overflow 'split'/);
  });

  it('an unknown overflow mode is refused, listing the modes', async () => {
    const run = await runInProcess({ inputs: { ...creds(), user_id: '7', message: 'x', overflow: 'wrap' } });
    expect(refusedBefore(run, 'overflow')).toMatch(/truncate, split, error/);
  });

  it('a dry run of a split message logs every part and sends nothing', async () => {
    const run = await runInProcess({
      inputs: { user_id: '7', message: long, max_length: '60', overflow: 'split', dry_run: 'true', endpoint: sim.url },
    });
    expect(run.code).toBe(0);
    expect(sim.requests).toHaveLength(0);
    expect(run.log).toMatch(/::group::Message part 1\/\d+/);
    expect(run.outputs.message).toBe(long);
  });
});
