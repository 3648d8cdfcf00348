/**
 * The checks renderMessageChecked makes on what a template prints: an object or a list printed
 * (warned, and never "[object Object]"), and an output empty because a name is not defined.
 * Real templates rendered by the real engine; no mocks.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import examples from '@octokit/webhooks-examples' with { type: 'json' };
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Liquid } from 'liquidjs';
import { buildContext } from '../../../src/message/context.js';
import { DEFAULT_EVENTS, loadDefaultTemplate } from '../../../src/message/default-templates.js';
import { outputChecks } from '../../../src/message/template-checks.js';
import {
  loadTemplate,
  renderMessage,
  renderMessageChecked,
  type MessageTemplate,
  type TemplateWarning,
} from '../../../src/message/template.js';
import { runnerEnv } from '../../support/harness.ts';

const inline = (source: string): MessageTemplate => ({ source, origin: "input 'message'" });
const messages = (warnings: TemplateWarning[]): string[] => warnings.map((w) => w.message);

async function check(source: string, data: object): Promise<{ text: string; warnings: string[] }> {
  const { text, warnings } = await renderMessageChecked(inline(source), data);
  return { text, warnings: messages(warnings) };
}

const issue = {
  number: 7,
  title: 'Login fails',
  empty: '',
  nothing: null,
  user: { avatar_url: 'https://avatars.example/u/1', login: 'octocat', id: 1, site_admin: false },
  labels: [
    { id: 11, name: 'bug', color: 'f00' },
    { id: 12, name: 'ui', color: '0f0' },
  ],
};
const data = { github: { event: { action: 'opened', issue }, actor: 'octocat' }, tags: ['v1', 'v2', 'v3'] };

describe('an object or a list printed', () => {
  it('an object prints nothing and warns with a field it has and | json', async () => {
    const { text, warnings } = await check('Opened by {{ github.event.issue.user }}', data);
    expect(text).toBe('Opened by ');
    expect(warnings).toEqual([
      'line 1, col 11: {{ github.event.issue.user }} is an object, which would print as [object Object]; it printed nothing. ' +
        'Print one of its fields, e.g. {{ github.event.issue.user.login }}, or all of it with {{ github.event.issue.user | json }}',
    ]);
    const { warnings: full } = await renderMessageChecked(inline('Opened by {{ github.event.issue.user }}'), data);
    expect(full).toEqual([
      {
        message: warnings[0],
        line: 1,
        col: 11,
        expression: '{{ github.event.issue.user }}',
        kind: 'object',
      },
    ]);
  });

  it('a nested object: suggests its first field with a string or number, or none when it has none', async () => {
    const nested = { deploy: { meta: { env: { region: { code: 'eu' } } }, state: 'ok', count: 2 } };
    const { text, warnings } = await check(
      '[{{ deploy }}][{{ deploy.meta }}][{{ deploy.meta.env | default: "x" }}]',
      nested,
    );
    expect(text).toBe('[][][]');
    expect(warnings).toEqual([
      'line 1, col 2: {{ deploy }} is an object, which would print as [object Object]; it printed nothing. ' +
        'Print one of its fields, e.g. {{ deploy.state }}, or all of it with {{ deploy | json }}',
      'line 1, col 16: {{ deploy.meta }} is an object, which would print as [object Object]; it printed nothing. ' +
        'Print one of its fields, or all of it with {{ deploy.meta | json }}',
      'line 1, col 35: {{ deploy.meta.env | default: "x" }} is an object, which would print as [object Object]; it printed nothing. ' +
        'Print one of its fields, or all of it with {{ deploy.meta.env | default: "x" | json }}',
    ]);
  });

  it('an object reached through filters: suggests assigning it first', async () => {
    const { text, warnings } = await check('{{ github.event.issue.labels | first }}', data);
    expect(text).toBe('');
    expect(warnings).toEqual([
      'line 1, col 1: {{ github.event.issue.labels | first }} is an object, which would print as [object Object]; it printed nothing. ' +
        'Print one of its fields, e.g. {% assign value = github.event.issue.labels | first %}{{ value.name }}, ' +
        'or all of it with {{ github.event.issue.labels | first | json }}',
    ]);
  });

  it('a list of objects prints nothing for its objects and suggests map and join', async () => {
    const { text, warnings } = await check('Labels: {{ github.event.issue.labels }}.', data);
    expect(text).toBe('Labels: .');
    expect(warnings).toEqual([
      'line 1, col 9: {{ github.event.issue.labels }} is a list of objects, which would print as [object Object]; its objects printed nothing. ' +
        'Print one field of each with {{ github.event.issue.labels | map: "name" | join: ", " }}, or all of it with {{ github.event.issue.labels | json }}',
    ]);
  });

  it('a list holding objects among other items prints the other items as Liquid does', async () => {
    const { text, warnings } = await check('{{ mixed }}', { mixed: ['a', { x: { y: 1 } }, 2, ['b', { z: 3 }], null] });
    expect(text).toBe('a2b');
    expect(warnings).toEqual([
      'line 1, col 1: {{ mixed }} is a list holding objects, which would print as [object Object]; its objects printed nothing. ' +
        'Print all of it with {{ mixed | json }}',
    ]);
  });

  it('a list of scalars prints as Liquid prints it, with a warning suggesting join', async () => {
    const { text, warnings } = await check('Tags: {{ tags }}', data);
    expect(text).toBe('Tags: v1v2v3');
    expect(warnings).toEqual([
      'line 1, col 7: {{ tags }} is a list, which prints its items run together; print them with {{ tags | join: ", " }}, or the whole list with {{ tags | json }}',
    ]);
  });

  it('| json, | join and a field print without a warning', async () => {
    const { text, warnings } = await check(
      '{{ github.event.issue.user | json }} {{ tags | join: ", " }} {{ github.event.issue.labels | map: "name" | join: "+" }} {{ github.event.issue.user.login }}',
      data,
    );
    expect(text).toBe(`${JSON.stringify(issue.user)} v1, v2, v3 bug+ui octocat`);
    expect(warnings).toEqual([]);
  });

  it('renderMessage prints the same text, never [object Object]', async () => {
    const source = '{{ github.event.issue.user }}|{{ github.event.issue.labels }}|{{ tags }}';
    expect(await renderMessage(inline(source), data)).toBe('||v1v2v3');
    expect((await renderMessageChecked(inline(source), data)).text).toBe('||v1v2v3');
  });
});

describe('an output empty because a name is not defined', () => {
  it('a missing variable', async () => {
    const { text, warnings } = await check('Hi {{ nope }}!', data);
    expect(text).toBe('Hi !');
    expect(warnings).toEqual(["line 1, col 4: {{ nope }} printed nothing: 'nope' is not defined"]);
  });

  it('a missing segment in the middle names the first missing piece', async () => {
    const { warnings } = await check('Issue:\n    {{ github.event.isue.title }}', data);
    expect(warnings).toEqual([
      "line 2, col 5: {{ github.event.isue.title }} printed nothing: github.event has no field 'isue'",
    ]);
  });

  it('a missing last segment', async () => {
    const { warnings } = await check('{{ github.event.issue.titel | upcase }}', data);
    expect(warnings).toEqual([
      "line 1, col 1: {{ github.event.issue.titel | upcase }} printed nothing: github.event.issue has no field 'titel'",
    ]);
  });

  it('a bracketed name and an index', async () => {
    const { warnings } = await check(
      '{% assign key = "isue" %}{{ github.event[key].title }}{{ github.event["issue"].labels[0].nme }}{{ tags[10] }}{{ tags.first.nope }}',
      data,
    );
    expect(warnings).toEqual([
      "line 1, col 26: {{ github.event[key].title }} printed nothing: github.event has no field 'isue'",
      'line 1, col 55: {{ github.event["issue"].labels[0].nme }} printed nothing: github.event["issue"].labels[0] has no field \'nme\'',
      "line 1, col 110: {{ tags.first.nope }} printed nothing: tags.first has no field 'nope'",
    ]);
  });

  it('a filter that makes the output not empty silences it', async () => {
    const { text, warnings } = await check(
      '{{ nope | default: "none" }} {{ github.event.isue.title | default: "untitled" }} {{ nope | append: "!" }}',
      data,
    );
    expect(text).toBe('none untitled !');
    expect(warnings).toEqual([]);
  });

  it('a field that exists with value null or "" does not warn, nor a field of a null', async () => {
    const { text, warnings } = await check(
      '[{{ github.event.issue.nothing }}][{{ github.event.issue.empty }}][{{ github.event.issue.nothing.deeper }}][{{ github.event.issue.user.site_admin }}]',
      data,
    );
    expect(text).toBe('[][][][false]');
    expect(warnings).toEqual([]);
  });

  it('an output inside a false if is not evaluated and does not warn', async () => {
    const { text, warnings } = await check(
      '{% if github.event.isue %}{{ github.event.isue.title }}{% endif %}{% unless nope == blank %}{{ nope }}{% endunless %}ok',
      data,
    );
    expect(text).toBe('ok');
    expect(warnings).toEqual([]);
  });

  it('names set by assign, capture or a for loop are defined', async () => {
    const { text, warnings } = await check(
      '{% assign a = nope %}{% assign b = "" %}{% capture c %}{% endcapture %}[{{ a }}{{ b }}{{ c }}]' +
        '{% for item in list %}[{{ item }}{{ forloop.index }}]{% endfor %}{% for pair in obj %}{{ pair[1] }}{% endfor %}',
      { list: ['', null], obj: { k: '' } },
    );
    expect(text).toBe('[][1][2]');
    expect(warnings).toEqual([]);
  });

  it('the head of an output that is a literal or a range is not checked', async () => {
    const { text, warnings } = await check(
      '[{{ "" | append: nope }}][{{ nil }}][{{ "abc".nope }}][{{ (1..0) | first }}]',
      data,
    );
    expect(text).toBe('[][][][]');
    expect(warnings).toEqual([]);
  });
});

describe('collecting the warnings', () => {
  it('an output in a loop warns once; warnings come in the order first seen', async () => {
    const { text, warnings } = await check(
      '{% for label in github.event.issue.labels %}{{ label.nme }}{{ label }}{{ missing }}{% endfor %}{{ github.event.issue.user }}',
      data,
    );
    expect(text).toBe('');
    expect(warnings).toEqual([
      "line 1, col 45: {{ label.nme }} printed nothing: label has no field 'nme'",
      'line 1, col 60: {{ label }} is an object, which would print as [object Object]; it printed nothing. Print one of its fields, e.g. {{ label.name }}, or all of it with {{ label | json }}',
      "line 1, col 71: {{ missing }} printed nothing: 'missing' is not defined",
      'line 1, col 96: {{ github.event.issue.user }} is an object, which would print as [object Object]; it printed nothing. ' +
        'Print one of its fields, e.g. {{ github.event.issue.user.login }}, or all of it with {{ github.event.issue.user | json }}',
    ]);
  });

  it('the echo tag and echo inside {% liquid %} are checked, and written as they are', async () => {
    const source =
      'A{% echo github.event.issue.user %}B{%- echo nope -%}C\n{% liquid\n  echo tags\n  echo github.event.isue | upcase\n  echo github.event.issue.user | json\n%}';
    const { text, warnings } = await check(source, data);
    expect(text).toBe(`ABC\nv1v2v3${JSON.stringify(issue.user)}`);
    expect(warnings).toEqual([
      'line 1, col 2: {% echo github.event.issue.user %} is an object, which would print as [object Object]; it printed nothing. ' +
        'Print one of its fields, e.g. {% echo github.event.issue.user.login %}, or all of it with {% echo github.event.issue.user | json %}',
      "line 1, col 37: {% echo nope %} printed nothing: 'nope' is not defined",
      'line 3, col 3: echo tags is a list, which prints its items run together; print them with echo tags | join: ", ", or the whole list with echo tags | json',
      "line 4, col 3: echo github.event.isue | upcase printed nothing: github.event has no field 'isue'",
    ]);
  });

  it('a warning keeps line and column on a multi-line template', async () => {
    const source = [
      'Line one {{ github.actor }}',
      '',
      '\t{{ nope }}',
      '  ok {{-  github.event.issue.user  -}} ok',
      '{{',
      '  tags',
      '}}',
    ].join('\n');
    const { warnings } = await renderMessageChecked(inline(source), data);
    expect(warnings.map(({ line, col, expression }) => ({ line, col, expression }))).toEqual([
      { line: 3, col: 2, expression: '{{ nope }}' },
      { line: 4, col: 6, expression: '{{ github.event.issue.user }}' },
      { line: 5, col: 1, expression: '{{ tags }}' },
    ]);
    expect(warnings.every((w) => w.message.startsWith(`line ${w.line}, col ${w.col}: ${w.expression} `))).toBe(true);
    expect(warnings.every((w) => !w.message.includes('\n') && w.file === undefined)).toBe(true);
  });

  it('a warning in an included or rendered file names the file relative to the template folder', async () => {
    const home = mkdtempSync(join(tmpdir(), 'unit-template-checks-'));
    try {
      const folder = join(home, 'templates');
      mkdirSync(join(folder, 'parts'), { recursive: true });
      writeFileSync(join(folder, 'footer.liquid'), 'Footer\n{{ nope }}{{ github.event.issue.user }}');
      writeFileSync(join(folder, 'parts', 'who.liquid'), '{{ who }}|{{ github.actor }}|{{ given }}');
      writeFileSync(
        join(folder, 'main.liquid'),
        'Main {{ nope }}\n{% include "footer" %}\n{% render "parts/who", who: nope %}\n{% include "footer" %}',
      );
      const template = await loadTemplate({ message_file: 'templates/main.liquid' }, home);
      const { text, warnings } = await renderMessageChecked(template, data);
      expect(text).toBe('Main \nFooter\n\n||\nFooter\n');
      expect(warnings.map(({ file, line, col }) => ({ file, line, col }))).toEqual([
        { file: undefined, line: 1, col: 6 },
        { file: 'footer.liquid', line: 2, col: 1 },
        { file: 'footer.liquid', line: 2, col: 11 },
        { file: 'parts/who.liquid', line: 1, col: 11 },
        { file: 'parts/who.liquid', line: 1, col: 30 },
      ]);
      expect(messages(warnings)).toEqual([
        "line 1, col 6: {{ nope }} printed nothing: 'nope' is not defined",
        "footer.liquid, line 2, col 1: {{ nope }} printed nothing: 'nope' is not defined",
        'footer.liquid, line 2, col 11: {{ github.event.issue.user }} is an object, which would print as [object Object]; it printed nothing. ' +
          'Print one of its fields, e.g. {{ github.event.issue.user.login }}, or all of it with {{ github.event.issue.user | json }}',
        // `render` sees only what it is given: `who` is a parameter (empty), `github` is not passed.
        "parts/who.liquid, line 1, col 11: {{ github.actor }} printed nothing: 'github' is not defined",
        "parts/who.liquid, line 1, col 30: {{ given }} printed nothing: 'given' is not defined",
      ]);
    } finally {
      rmSync(home, { recursive: true, force: true });
    }
  });

  it('each render collects its own warnings', async () => {
    const [one, two] = await Promise.all([check('{{ a }}', {}), check('{{ b }}{{ b }}', {})]);
    expect(one.warnings).toEqual(["line 1, col 1: {{ a }} printed nothing: 'a' is not defined"]);
    expect(two.warnings).toEqual([
      "line 1, col 1: {{ b }} printed nothing: 'b' is not defined",
      "line 1, col 8: {{ b }} printed nothing: 'b' is not defined",
    ]);
  });

  it('a render error is still the error it was', async () => {
    await expect(renderMessageChecked(inline('{{ nope }}\n{{ x | shout }}'), {})).rejects.toThrow(
      /^Template error in input 'message': .*shout.*line:2, col:1/,
    );
  });
});

describe('other Liquid engines', () => {
  it('render as liquidjs does, also while a checked render runs', async () => {
    const other = new Liquid();
    const source = '{{ a }}|{{ b }}|{{ nope }}|{% echo a %}';
    const scope = { a: { x: 1 }, b: [1, { y: 2 }] };
    const [checked, plain] = await Promise.all([check(source, scope), other.parseAndRender(source, scope)]);
    expect(plain).toBe('[object Object]|1[object Object]||[object Object]');
    expect(other.parseAndRenderSync(source, scope)).toBe(plain);
    expect(checked.text).toBe('|1||');
    expect(checked.warnings).toHaveLength(4);
    // One with the very options of a checked engine, but not registered, is not checked either.
    const lookalike = new Liquid({ strictFilters: true, ownPropertyOnly: true, templates: {} });
    expect(await lookalike.parseAndRender(source, scope)).toBe(plain);
  });

  it('a render given the checks is checked in sync renders too, and only that render', () => {
    const engine = new Liquid({ ownPropertyOnly: true });
    const { globals, warnings } = outputChecks();
    const source = '{{ a }}|{% for i in (1..2) %}{{ i.nope }}{% endfor %}';
    expect(engine.parseAndRenderSync(source, { a: { id: 3 } }, { globals })).toBe('|');
    // The same engine, another render without them: Liquid as it is.
    expect(engine.parseAndRenderSync(source, { a: { id: 3 } })).toBe('[object Object]|');
    expect(messages(warnings)).toEqual([
      'line 1, col 1: {{ a }} is an object, which would print as [object Object]; it printed nothing. Print one of its fields, e.g. {{ a.id }}, or all of it with {{ a | json }}',
      "line 1, col 30: {{ i.nope }} printed nothing: i has no field 'nope'",
    ]);
  });
});

describe('the default message templates', () => {
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  type Payload = Record<string, any>;
  const definitions = examples as unknown as Array<{ name: string; examples: Payload[] }>;
  let home: string;
  let workspace: string;

  beforeAll(() => {
    home = mkdtempSync(join(tmpdir(), 'unit-template-checks-defaults-'));
    workspace = join(home, 'workspace');
    mkdirSync(workspace);
  });

  afterAll(() => {
    rmSync(home, { recursive: true, force: true });
  });

  /** Every example payload under its own event, pull requests also as pull_request_target, and a schedule. */
  function cases(): Array<[string, number, Payload]> {
    const list = definitions.flatMap((d) =>
      d.examples.map((payload, i): [string, number, Payload] => [d.name, i, payload]),
    );
    const pullRequests = list
      .filter(([name]) => name === 'pull_request')
      .map(([, i, payload]): [string, number, Payload] => ['pull_request_target', i, payload]);
    const push = list.find(([name]) => name === 'push')![2];
    const schedule: Payload = {
      schedule: '30 5 * * 1-5',
      workflow: '.github/workflows/nightly.yml',
      repository: push.repository,
      sender: push.sender,
    };
    return [...list, ...pullRequests, ['schedule', 0, schedule]];
  }

  it('cover every event with a template of its own', () => {
    const names = new Set(cases().map(([name]) => name));
    for (const event of DEFAULT_EVENTS) expect(names.has(event), event).toBe(true);
  });

  it('warn for no example payload of @octokit/webhooks-examples, with or without a status', async () => {
    const found: string[] = [];
    for (const [name, i, payload] of cases()) {
      const template = await loadDefaultTemplate(name);
      for (const status of ['', 'failure']) {
        const env = runnerEnv(workspace, { event: { name, payload } });
        const { context, eventProblem } = buildContext(env, { status });
        expect(eventProblem).toBeUndefined();
        const { text, warnings } = await renderMessageChecked(template, context);
        expect(text).not.toContain('[object Object]');
        for (const warning of warnings)
          found.push(`${name} #${i} (status ${JSON.stringify(status)}): ${warning.message}`);
      }
    }
    expect(found).toEqual([]);
  });
});
