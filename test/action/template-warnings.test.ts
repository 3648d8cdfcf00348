/**
 * What a template prints by mistake reaches the user as a warning, not the customer as
 * "[object Object]": an object or a list printed whole, and a name that is not defined. With
 * `strict_template: true` the same fails the step before anything is sent. In process, with real
 * webhook payloads (unit-template-checks.test.ts has the rules themselves).
 */
import examples from '@octokit/webhooks-examples' with { type: 'json' };
import { describe, expect, it } from 'vitest';
import { creds, sim, useSimulator } from '../support/fixtures.ts';
import { obeyedCommands } from '../support/harness.ts';
import { runInProcess } from '../support/in-process.ts';

useSimulator();

type Payload = Record<string, unknown>;
const opened = (examples as unknown as Array<{ name: string; examples: Payload[] }>)
  .find((d) => d.name === 'issues')!
  .examples.find((p) => p.action === 'opened')!;
const event = { name: 'issues', payload: opened };

describe('template warnings', () => {
  it('an object printed whole: the customer gets no "[object Object]", the log a warning with the expression, line and column', async () => {
    const run = await runInProcess({
      event,
      inputs: { ...creds(), user_id: '7', message: 'Opened by {{ github.event.issue.user }}' },
    });
    expect(run.code).toBe(0);
    expect(sim.delivered.map((d) => d.message)).toEqual(['Opened by']);
    expect(run.warnings).toEqual([
      "Template warning in input 'message': line 1, col 11: {{ github.event.issue.user }} is an object, which would print as [object Object]; it printed nothing. Print one of its fields, e.g. {{ github.event.issue.user.login }}, or all of it with {{ github.event.issue.user | json }}",
    ]);
  });

  it('a misspelled name that renders empty: a warning naming the missing field', async () => {
    const run = await runInProcess({
      event,
      inputs: {
        ...creds(),
        user_id: '7',
        message: 'New issue: {{ github.event.isue.title }} {{ github.event.issue.html_url }}',
      },
    });
    expect(run.code).toBe(0);
    expect(run.warnings).toEqual([
      "Template warning in input 'message': line 1, col 12: {{ github.event.isue.title }} printed nothing: github.event has no field 'isue'",
    ]);
    expect(sim.delivered).toHaveLength(1);
  });

  it('in a message_file: the warning is an annotation on the file, line and column', async () => {
    const run = await runInProcess({
      event,
      files: {
        '.github/hotline/issue.liquid':
          'Issue #{{ github.event.issue.number }}\nLabels: {{ github.event.issue.labels }}\n',
      },
      inputs: { ...creds(), user_id: '7', message_file: '.github/hotline/issue.liquid' },
    });
    expect(run.code).toBe(0);
    const warnings = obeyedCommands(run.stdout).filter((c) => c.command === 'warning');
    expect(warnings.map((w) => w.properties)).toEqual(['file=.github/hotline/issue.liquid,line=2,col=9']);
    expect(warnings[0]!.data).toMatch(
      /^Template warning in message_file '\.github\/hotline\/issue\.liquid': line 2, col 9: \{\{ github\.event\.issue\.labels \}\} is a list of objects/,
    );
    expect(sim.delivered[0]!.message).toBe('Issue #1\nLabels:');
  });

  it('strict_template true: one template error naming each output, before any request', async () => {
    const run = await runInProcess({
      event,
      inputs: {
        ...creds(),
        user_id: '7',
        strict_template: 'true',
        message: '{{ github.event.issue.user }} / {{ github.event.isue.title }}',
      },
    });
    expect(run.code).toBe(1);
    expect(sim.requests).toEqual([]);
    expect(run.warnings).toEqual([]);
    expect(run.errors).toHaveLength(1);
    expect(run.errors[0]).toMatch(
      /^Template error in input 'message' \(strict_template is true\): line 1, col 1: \{\{ github\.event\.issue\.user \}\} is an object.*; line 1, col 33: \{\{ github\.event\.isue\.title \}\} printed nothing: github\.event has no field 'isue'$/,
    );
  });

  it('a dry run shows the warnings too, so a pull request can check a template', async () => {
    const run = await runInProcess({
      event,
      inputs: { user_id: '7', dry_run: 'true', message: '{{ github.event.issue.usr.login }}!' },
    });
    expect(run.code).toBe(0);
    expect(run.warnings).toEqual([
      "Template warning in input 'message': line 1, col 1: {{ github.event.issue.usr.login }} printed nothing: github.event.issue has no field 'usr'",
    ]);
    const strict = await runInProcess({
      event,
      inputs: {
        user_id: '7',
        dry_run: 'true',
        strict_template: 'true',
        message: '{{ github.event.issue.usr.login }}!',
      },
    });
    expect(strict.code).toBe(1);
  });

  it('a field guarded by if, or given a default, gives no warning; nor do the default messages', async () => {
    const guarded = await runInProcess({
      event: { name: 'push', payload: {} },
      inputs: {
        ...creds(),
        user_id: '7',
        message:
          '{% if github.event.issue %}{{ github.event.issue.title }}{% endif %}{{ github.event.issue.title | default: "no issue" }}',
      },
    });
    expect(guarded.warnings).toEqual([]);
    const fallback = await runInProcess({ event, inputs: { ...creds(), user_id: '7' } });
    expect(fallback.code).toBe(0);
    expect(fallback.warnings).toEqual([]);
  });
});
