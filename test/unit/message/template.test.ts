import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { InputError, TemplateError } from '../../../src/errors.js';
import { loadTemplate, renderMessage, type MessageTemplate } from '../../../src/message/template.js';

const inline = (source: string): MessageTemplate => ({ source, origin: "input 'message'" });

async function renderError(template: MessageTemplate, data: object = {}): Promise<TemplateError> {
  const error = await renderMessage(template, data).then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(TemplateError);
  return error as TemplateError;
}

// A workspace: ws/templates/{main,part}.liquid, ws/private.txt, and outside it top-secret.txt.
let home: string;
let workspace: string;
let folder: string;

beforeAll(() => {
  home = mkdtempSync(join(tmpdir(), 'unit-template-'));
  workspace = join(home, 'ws');
  folder = join(workspace, 'templates');
  mkdirSync(join(folder, 'sub'), { recursive: true });
  writeFileSync(join(home, 'top-secret.txt'), 'TOP-SECRET-OUTSIDE');
  writeFileSync(join(workspace, 'private.txt'), 'PRIVATE-IN-WORKSPACE');
  writeFileSync(join(folder, 'part.liquid'), 'part says {{ who }}');
  writeFileSync(join(folder, 'sub', 'deeper.liquid'), 'deeper {{ who }}');
  writeFileSync(join(folder, 'plain.txt'), 'plain file');
  symlinkSync(join(home, 'top-secret.txt'), join(folder, 'link.liquid'));
});

afterAll(() => {
  rmSync(home, { recursive: true, force: true });
});

async function fileTemplate(source: string, name = 'main.liquid'): Promise<MessageTemplate> {
  writeFileSync(join(folder, name), source);
  return loadTemplate({ message_file: `templates/${name}` }, workspace);
}

describe('renderMessage', () => {
  it('renders Liquid with logic and filters', async () => {
    const text = await renderMessage(
      inline(
        '{% if status == "success" %}✅{% else %}❌{% endif %} {{ github.ref_name | upcase }} {{ short_sha }} ({{ items | size }})',
      ),
      { status: 'success', github: { ref_name: 'main' }, short_sha: '8f3c2a1', items: [1, 2, 3] },
    );
    expect(text).toBe('✅ MAIN 8f3c2a1 (3)');
  });

  it('renders an undefined variable as empty, as GitHub expressions do', async () => {
    expect(
      await renderMessage(inline('[{{ nope }}][{{ github.event.pull_request.title }}][{{ a.b.c.d }}]'), {
        github: { event: {} },
      }),
    ).toBe('[][][]');
  });

  it('a syntax error names line, column and origin', async () => {
    const error = await renderError(inline('line one\nline two {% if %}'));
    expect(error.message).toMatch(/^Template error in input 'message': /);
    expect(error.message).toMatch(/line:2, col:\d+/);
    expect(error.message.split('\n')).toHaveLength(1);
  });

  it('an unclosed tag is an error', async () => {
    const error = await renderError(inline('{% for x in list %}{{ x }}'));
    expect(error.message).toMatch(/line:1, col:\d+/);
  });

  it('an unknown filter is an error naming it, line and column', async () => {
    const error = await renderError(inline('Hi\n{{ github.actor | shout }}'), { github: { actor: 'octocat' } });
    expect(error.message).toMatch(/^Template error in input 'message': .*shout.*line:2, col:\d+/);
  });

  it('an error in a file template names the file as given', async () => {
    const template = await fileTemplate('ok\n\n{{ x | nope }}', 'broken.liquid');
    const error = await renderError(template);
    expect(error.message).toMatch(/^Template error in message_file 'templates\/broken\.liquid': .*line:3, col:\d+/);
  });

  it('never renders a value as a template', async () => {
    const data = {
      secret: 'S3CRET',
      github: {
        event: {
          pull_request: { title: '{{ secret }} {% for i in (1..3) %}x{% endfor %} {% include "part.liquid" %}' },
        },
      },
    };
    expect(await renderMessage(inline('Title: {{ github.event.pull_request.title }}'), data)).toBe(
      'Title: {{ secret }} {% for i in (1..3) %}x{% endfor %} {% include "part.liquid" %}',
    );
    const file = await fileTemplate('{{ github.event.pull_request.title }}', 'value.liquid');
    expect(await renderMessage(file, data)).not.toContain('S3CRET');
  });

  it('does not escape HTML or Markdown in values', async () => {
    expect(await renderMessage(inline('{{ t }}'), { t: '<b>a & b</b> *c*' })).toBe('<b>a & b</b> *c*');
  });

  it('gives no access to prototypes: constructor and __proto__ render empty', async () => {
    const data = { x: { a: 1 }, s: 'text', github: { event: {} } };
    for (const source of [
      '{{ x.constructor }}',
      '{{ x.constructor.name }}',
      '{{ x.__proto__ }}',
      '{{ x["__proto__"] }}',
      '{{ x.constructor.constructor }}',
      '{{ s.constructor }}',
      '{{ github.event.toString }}',
      '{{ x.hasOwnProperty }}',
    ]) {
      expect(await renderMessage(inline(source), data), source).toBe('');
    }
  });

  it('stops a runaway loop at a resource limit instead of hanging', async () => {
    const error = await renderError(inline('{% for i in (1..100000000) %}{{ i }}{% endfor %}'));
    expect(error.message).toMatch(/limit exceeded/);
  });

  it('stops a template that would allocate too much', async () => {
    const error = await renderError(inline('{% for i in (1..1000000000) %}x{% endfor %}'));
    expect(error.message).toMatch(/limit exceeded/);
  });
});

describe('renderMessage: file access', () => {
  it('an inline template cannot include files', async () => {
    for (const source of [
      '{% include "package.json" %}',
      '{% render "package.json" %}',
      '{% layout "package.json" %}x',
      `{% include "${join(home, 'top-secret.txt')}" %}`,
      `{% include "${join(folder, 'part.liquid')}" %}`,
    ]) {
      const error = await renderError(inline(source));
      expect(error.message, source).toMatch(/^Template error in input 'message': /);
      expect(error.message).not.toContain('TOP-SECRET');
    }
  });

  it('a file template includes its siblings and sub-folders', async () => {
    expect(await renderMessage(await fileTemplate('[{% include "part.liquid" %}]'), { who: 'ada' })).toBe(
      '[part says ada]',
    );
    expect(await renderMessage(await fileTemplate('[{% render "part.liquid", who: "bob" %}]'), { who: 'ada' })).toBe(
      '[part says bob]',
    );
    expect(await renderMessage(await fileTemplate('[{% include "sub/deeper.liquid" %}]'), { who: 'cy' })).toBe(
      '[deeper cy]',
    );
    expect(await renderMessage(await fileTemplate('[{% include "plain.txt" %}]'), {})).toBe('[plain file]');
  });

  it('a file template and its includes changed between two renders render as they are now (engines and parses are reused)', async () => {
    writeFileSync(join(folder, 'changing.liquid'), 'first include');
    expect(await renderMessage(await fileTemplate('[{% include "changing" %}]', 'changes.liquid'), {})).toBe(
      '[first include]',
    );
    writeFileSync(join(folder, 'changing.liquid'), 'second include');
    expect(await renderMessage(await fileTemplate('<{% include "changing" %}>', 'changes.liquid'), {})).toBe(
      '<second include>',
    );
    // The same source again: its parse is reused, its include read again.
    writeFileSync(join(folder, 'changing.liquid'), 'third include');
    expect(await renderMessage(await fileTemplate('<{% include "changing" %}>', 'changes.liquid'), {})).toBe(
      '<third include>',
    );
  });

  it('a file template cannot read outside its folder', async () => {
    for (const source of [
      '{% include "../private.txt" %}',
      '{% include "../../top-secret.txt" %}',
      '{% render "../private.txt" %}',
      '{% layout "../private.txt" %}x',
      '{% include "sub/../../private.txt" %}',
      `{% include "${join(home, 'top-secret.txt')}" %}`,
      `{% include "${join(workspace, 'private.txt')}" %}`,
    ]) {
      const error = await renderError(await fileTemplate(source, 'escape.liquid'));
      expect(error.message, source).toMatch(/^Template error in message_file 'templates\/escape\.liquid': /);
      expect(error.message).not.toMatch(/PRIVATE-IN-WORKSPACE|TOP-SECRET-OUTSIDE/);
    }
  });

  it('a symlink in the folder does not lead outside it', async () => {
    const rendered = await renderMessage(await fileTemplate('{% include "link.liquid" %}', 'symlink.liquid'), {}).catch(
      (e: unknown) => e,
    );
    expect(rendered).toBeInstanceOf(TemplateError);
    expect(String(rendered)).not.toContain('TOP-SECRET-OUTSIDE');
  });
});

describe('loadTemplate', () => {
  it('takes the message input as an inline template, with no folder', async () => {
    expect(await loadTemplate({ message: 'Hi {{ x }}' }, workspace)).toEqual({
      source: 'Hi {{ x }}',
      origin: "input 'message'",
    });
  });

  it('reads message_file relative to the workspace; its folder is the include folder', async () => {
    writeFileSync(join(folder, 'load.liquid'), 'from a file ✅\n');
    const template = await loadTemplate({ message_file: 'templates/load.liquid' }, workspace);
    expect(template).toEqual({ source: 'from a file ✅\n', origin: "message_file 'templates/load.liquid'", folder });
  });

  it('reads an absolute message_file', async () => {
    const template = await loadTemplate({ message_file: join(folder, 'part.liquid') }, '/nowhere');
    expect(template.source).toBe('part says {{ who }}');
    expect(template.folder).toBe(folder);
  });

  it('a missing message_file is an InputError naming message_file and the path', async () => {
    const error = await loadTemplate({ message_file: 'templates/missing.liquid' }, workspace).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(InputError);
    expect((error as InputError).message).toMatch(/^Input 'message_file': expected a template file/);
    expect((error as InputError).message).toContain(join(folder, 'missing.liquid'));
    expect((error as InputError).message).toMatch(/no such file/);
  });

  it('a folder as message_file is an InputError naming message_file', async () => {
    const error = await loadTemplate({ message_file: 'templates' }, workspace).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(InputError);
    expect((error as InputError).message).toMatch(/^Input 'message_file': .*a folder, not a file/);
  });
});
