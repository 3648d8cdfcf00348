/**
 * Text the action did not write itself (the rendered message, event text, a server's answers, a
 * topic's details, error texts quoting them) never reaches the runner as a workflow command. The
 * runner obeys `::cmd::` after any leading .NET white space and the legacy `##[cmd]` anywhere in a
 * line (harness.ts models it): such text goes to the log inside a stop-commands fence, always.
 *
 * In process through run() for the behaviour; the bundle once, as the runner runs it.
 */
import { describe, expect, it } from 'vitest';
import { GitHubHost } from '../../src/action/github-host.js';
import { creds, sim, useSimulator } from '../support/fixtures.ts';
import { obeyedCommands, runAction, smuggledCommands, type ActionRun } from '../support/harness.ts';
import { runInProcess, withProcess } from '../support/in-process.ts';

useSimulator({
  topics: [
    {
      topic_id: 6100,
      frontend_type: 'private',
      topic_title: 'Order 42 ##[set-output name=topic_link;]https://evil.example',
      user_id: 777000111,
      user_name: 'Mallory\n::error::from the user name',
    },
  ],
});

/** Lines an issue author could put in a title or body, each of which the runner would obey as is. */
const INJECTIONS: Array<[string, string]> = [
  ['the legacy form inside a line', 'Crash ##[set-output name=error;]x'],
  ['the legacy form hiding text', 'Crash ##[add-mask]Crash'],
  ['the legacy form stopping commands', 'Crash ##[stop-commands]silence'],
  ['the legacy form opening a group', 'Crash ##[group]hidden'],
  ["a command after U+0085 (NEL), which JavaScript's \\s misses", 'Crash\n\u0085::error::injected after NEL'],
  ['a command after U+00A0', 'Crash\n\u00a0::warning::injected after NBSP'],
  ['a command after U+2028', 'Crash\n\u2028::notice::injected after LS'],
  ['a command after tabs and spaces', 'Crash\n \t ::add-mask::Crash'],
  ['a command at the start of a line', 'Crash\n::set-output name=error::x'],
  ['a command after a lone CR', 'Crash\r::error::injected after CR'],
];

const issue = (title: string): { name: string; payload: unknown } => ({
  name: 'issues',
  payload: {
    action: 'opened',
    issue: { number: 7, title, body: title, html_url: 'https://github.com/acme/shop/issues/7' },
  },
});

/** Only the action's own commands reached the runner: the keys' masks, the message group, no annotation. */
function expectNothingObeyed(run: ActionRun): void {
  expect(smuggledCommands(run.stdout)).toEqual([]);
  expect(run.errors).toEqual([]);
  expect(run.warnings).toEqual([]);
  expect(run.masks).toEqual([sim.options.xApiKey, sim.options.apiKey]);
  expect(obeyedCommands(run.stdout).filter((c) => c.command === 'notice')).toEqual([]);
}

describe('untrusted text is fenced, always', () => {
  it.each(INJECTIONS)(
    '%s, in an issue title sent as the message: shown in the log, not obeyed',
    async (_name, title) => {
      const run = await runInProcess({
        event: issue(title),
        inputs: { ...creds(), user_id: '7', message: '{{ github.event.issue.title }}' },
      });
      expect(run.code, run.stdout).toBe(0);
      expect(sim.delivered.map((d) => d.message)).toEqual([title.replace(/\r\n?/g, '\n')]);
      expectNothingObeyed(run);
      expect(run.outputs.error).toBeUndefined();
      // The text is in the log, as sent.
      expect(run.stdout).toContain(title.split(/\r|\n/)[0]);
    },
  );

  it('a message that harmlessly says nothing special is fenced too: no pattern decides', async () => {
    const run = await runInProcess({ inputs: { ...creds(), user_id: '7', message: 'Deployed v1.2.3' } });
    expect(run.code).toBe(0);
    const lines = run.stdout.split('\n');
    const at = lines.indexOf('Deployed v1.2.3');
    expect(lines[at - 1]).toMatch(/^::stop-commands::[0-9a-f-]{36}$/);
    expect(lines[at + 1]).toBe(`::${lines[at - 1]!.slice('::stop-commands::'.length)}::`);
  });

  it('stop-commands smuggled in the message cannot silence the failure that follows: the ::error:: is obeyed', async () => {
    sim.fail({ type: 'status', status: 400, body: { message: 'refused' } });
    const run = await runInProcess({
      event: issue('Crash ##[stop-commands]silence'),
      inputs: { ...creds(), user_id: '7', message: '{{ github.event.issue.title }}', retries: '0' },
    });
    expect(run.code).toBe(1);
    expect(run.errors).toEqual(['Sending failed for user 7: HTTP 400: refused']);
    expect(smuggledCommands(run.stdout)).toEqual([]);
  });

  it("a server's answer quoting commands: the audit line is fenced, the failure is one obeyed ::error::", async () => {
    sim.fail({
      type: 'status',
      status: 422,
      body: { message: 'bad ##[set-output name=topic_link;]https://evil.example\n::add-mask::Sending' },
    });
    const run = await runInProcess({ inputs: { ...creds(), user_id: '7', message: 'hi', retries: '0' } });
    expect(run.code).toBe(1);
    expect(smuggledCommands(run.stdout)).toEqual([]);
    expect(run.masks).toEqual([sim.options.xApiKey, sim.options.apiKey]);
    expect(run.errors).toHaveLength(1);
    expect(run.errors[0]).toContain(
      'HTTP 422: bad ##[set-output name=topic_link;]https://evil.example ::add-mask::Sending',
    );
    expect(run.outputs.topic_link).toBe('');
  });

  it("a topic's title and user name quoting commands (info_by_topic, and a send by topic link) are fenced", async () => {
    const link = `https://t.me/c/${sim.options.groupId}/6100`;
    const info = await runInProcess({ inputs: { ...creds(), action: 'info_by_topic', topic_link: link } });
    expect(info.code, info.stdout).toBe(0);
    expect(smuggledCommands(info.stdout)).toEqual([]);
    expect(info.errors).toEqual([]);
    expect(info.outputs.topic_link).toBe(link);
    expect(info.stdout).toContain('Order 42 ##[set-output name=topic_link;]https://evil.example');

    sim.reset();
    const send = await runInProcess({ inputs: { ...creds(), topic_link: link, message: 'Fixed' } });
    expect(send.code, send.stdout).toBe(0);
    expect(smuggledCommands(send.stdout)).toEqual([]);
    expect(send.errors).toEqual([]);
    expect(sim.delivered.map((d) => d.user_id)).toEqual([777000111]);
  });

  it('the bundle, as the runner runs it: an issue title with the legacy form and a NEL-led command is not obeyed', async () => {
    const title = 'Crash ##[set-output name=error;]x\n\u0085::error::injected after NEL';
    const run = await runAction({
      event: issue(title),
      inputs: { ...creds(), user_id: '7', message: 'Issue: {{ github.event.issue.title }}' },
    });
    expect(run.code, run.stdout).toBe(0);
    expectNothingObeyed(run);
    expect(run.outputs.error).toBeUndefined();
    expect(sim.delivered).toHaveLength(1);
  });
});

describe('the GitHub host: how lines are written', () => {
  const written = async (act: (host: GitHubHost) => void): Promise<string> =>
    (await withProcess({}, async () => act(new GitHubHost()))).stdout;

  it("info writes the action's own line as it is; untrusted always fences, each time with a new random token", async () => {
    expect(await written((h) => h.info('Sent to user 7: https://t.me/c/1/2'))).toBe(
      'Sent to user 7: https://t.me/c/1/2\n',
    );
    const out = await written((h) => {
      h.untrusted('plain words');
      h.untrusted('plain words');
    });
    const tokens = Array.from(out.matchAll(/^::stop-commands::(.+)$/gm), (m) => m[1]);
    expect(tokens).toHaveLength(2);
    expect(new Set(tokens).size).toBe(2);
    for (const token of tokens) expect(out).toContain(`\nplain words\n::${token}::\n`);
    expect(smuggledCommands(out)).toEqual([]);
  });

  it('a warning can point at a file, a line and a column; the annotation properties are escaped', async () => {
    const out = await written((h) => h.warning('look here', { file: '.github/hotline/a,b:c.liquid', line: 3, col: 9 }));
    expect(out).toBe('::warning file=.github/hotline/a%2Cb%3Ac.liquid,line=3,col=9::look here\n');
    expect(obeyedCommands(out)).toMatchObject([
      { command: 'warning', properties: 'file=.github/hotline/a%2Cb%3Ac.liquid,line=3,col=9', data: 'look here' },
    ]);
  });

  it('redacts every line it writes, the annotation place included, and masks each line of a multi-line secret', async () => {
    const out = await written((h) => {
      h.setSecret('line-one-secret\nline-two-secret');
      h.info('a line-one-secret b');
      h.untrusted('c line-two-secret');
      h.warning('d line-one-secret', { file: 'line-one-secret.liquid' });
      h.error('e line-one-secret\nline-two-secret');
    });
    expect(
      obeyedCommands(out)
        .filter((c) => c.command === 'add-mask')
        .map((c) => c.data),
    ).toEqual(['line-one-secret\nline-two-secret', 'line-one-secret', 'line-two-secret']);
    const rest = out
      .split('\n')
      .filter((l) => !l.startsWith('::add-mask::'))
      .join('\n');
    expect(rest).not.toMatch(/line-(one|two)-secret/);
  });
});

describe("harness.ts's model of the runner's command parser", () => {
  it('obeys ::cmd:: after .NET white space, and ##[cmd] anywhere in a line, with registered names only', () => {
    const obeyed = obeyedCommands(
      ['\u0085::error::a', 'x ##[warning]b', '::nope::c', 'x ##[nope]d', '::debug::e', 'plain'].join('\n'),
    );
    expect(obeyed.map((c) => [c.command, c.data, c.form])).toEqual([
      ['error', 'a', 'current'],
      ['warning', 'b', 'legacy'],
      ['debug', 'e', 'current'],
    ]);
  });

  it('after stop-commands obeys nothing but the token, in either form', () => {
    const out = [
      '::stop-commands::tok',
      '::error::hidden',
      '##[warning]hidden',
      '::tok::',
      '::error::seen',
      '::stop-commands::t2',
      '##[t2]',
      '::notice::seen too',
    ].join('\n');
    expect(obeyedCommands(out).map((c) => `${c.command}:${c.data}`)).toEqual([
      'stop-commands:tok',
      'tok:',
      'error:seen',
      'stop-commands:t2',
      't2:',
      'notice:seen too',
    ]);
  });

  it('reports a fence left open, and a command in the legacy form, as smuggled', () => {
    expect(smuggledCommands('::stop-commands::open\ntext').map((c) => c.command)).toEqual(['stop-commands']);
    expect(smuggledCommands('a ##[add-mask]b').map((c) => c.command)).toEqual(['add-mask']);
  });
});
