/**
 * The docs keep up with the code: README's Inputs and Outputs tables are what action.yml generates
 * (scripts/readme-tables.mjs), and docs/troubleshooting.md holds every message the action can print.
 */
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import ts from 'typescript';
import { afterAll, describe, expect, it } from 'vitest';
import { ENV_FALLBACKS, INPUT_DEFAULTS } from '../../../src/delivery/inputs.js';
import { OUTPUT_NAMES } from '../../../src/delivery/results.js';
import { ROOT } from '../../support/harness.ts';

const read = (path: string): string => readFileSync(join(ROOT, path), 'utf8');

// ---------------------------------------------------------------------------------------------
// README tables
// ---------------------------------------------------------------------------------------------

type Tables = { inputs: string; outputs: string };
/** scripts/readme-tables.mjs, which has no type declarations (it is plain JavaScript for CI). */
interface ReadmeTables {
  renderTables(actionYml: string): Tables;
  updateReadme(readme: string, tables: Tables): string;
  readmeProblem(readme: string, tables: Tables): string | undefined;
  main(
    args: string[],
    options?: { root?: string; log?: (line: string) => void; error?: (line: string) => void },
  ): number;
}
const SCRIPT = join(ROOT, 'scripts', 'readme-tables.mjs');
const generator = (await import(pathToFileURL(SCRIPT).href)) as ReadmeTables;

/** The first cells of the rows of a generated table, unquoted, and the rows by name. */
function rows(table: string): Map<string, string[]> {
  const found = new Map<string, string[]>();
  for (const line of table.split('\n').slice(2)) {
    const cells = line
      .slice(1, -1)
      .split(/(?<!\\)\|/)
      .map((c) => c.trim());
    found.set((cells[0] ?? '').replace(/^`|`$/g, ''), cells);
  }
  return found;
}

describe('README tables (scripts/readme-tables.mjs)', () => {
  const tables = generator.renderTables(read('action.yml'));
  const temps: string[] = [];
  afterAll(() => {
    for (const dir of temps) rmSync(dir, { recursive: true, force: true });
  });

  it('README.md is what action.yml generates (node scripts/readme-tables.mjs --check, as CI runs it)', () => {
    const run = spawnSync(process.execPath, [SCRIPT, '--check'], { cwd: ROOT, encoding: 'utf8' });
    expect(run.stderr).toBe('');
    expect(run.status).toBe(0);
    expect(generator.readmeProblem(read('README.md'), tables)).toBeUndefined();
  });

  it('has a row for every input and output, in action.yml order', () => {
    expect([...rows(tables.inputs).keys()].sort()).toEqual(Object.keys(INPUT_DEFAULTS).sort());
    expect([...rows(tables.outputs).keys()].sort()).toEqual([...OUTPUT_NAMES].sort());
  });

  it('shows each default as the code has it: a declared default, an environment variable, or none', () => {
    const inputs = rows(tables.inputs);
    for (const [name, codeDefault] of Object.entries(INPUT_DEFAULTS)) {
      const cell = inputs.get(name)?.[1];
      const env = ENV_FALLBACKS[name as keyof typeof ENV_FALLBACKS];
      // github_token: the workflow's token, an expression the runner fills in (then GITHUB_TOKEN).
      if (name === 'github_token') expect(cell, name).toBe('`${{ github.token }}`');
      else if (env) expect(cell, name).toBe(`\`$${env}\``);
      else if (codeDefault) expect(cell, name).toBe(`\`${codeDefault}\``);
      else if (name !== 'message') expect(cell, name).toBe('');
    }
    expect(inputs.get('message')?.[1]).toBe("the event's default message");
    // The "Default: …." sentence becomes the Default cell; it is not repeated in the description.
    expect(inputs.get('x_api_key')?.[2]).toMatch(/^Owner access token/);
  });

  it('keeps each table on its rows: descriptions on one line, `|` escaped', () => {
    const yml = read('action.yml').replace(
      /(\n {2}concurrency:\n {4}description: ).*\n/,
      '$1>-\n      Recipients at once | in parallel,\n      from 1 to 20.\n',
    );
    const row = rows(generator.renderTables(yml).inputs).get('concurrency');
    expect(row?.[2]).toBe('Recipients at once \\| in parallel, from 1 to 20.');
  });

  it('--check fails, naming the table and the line, when README.md differs from action.yml', () => {
    const dir = mkdtempSync(join(tmpdir(), 'readme-tables-'));
    temps.push(dir);
    copyFileSync(join(ROOT, 'README.md'), join(dir, 'README.md'));
    writeFileSync(
      join(dir, 'action.yml'),
      read('action.yml').replace('How many recipients are sent to at once', 'How many users at once'),
    );
    const errors: string[] = [];
    const check = (): number =>
      generator.main(['--check'], { root: dir, log: () => {}, error: (line) => errors.push(line) });

    expect(check()).toBe(1);
    expect(errors.join('\n')).toMatch(
      /README\.md is out of date: its inputs table differs from action\.yml at line \d+/,
    );
    expect(errors.join('\n')).toContain('How many users at once');
    expect(errors.join('\n')).toContain("Run 'node scripts/readme-tables.mjs'");
    expect(readFileSync(join(dir, 'README.md'), 'utf8')).toBe(read('README.md'));

    // Without --check it rewrites the table, and only the table.
    expect(generator.main([], { root: dir, log: () => {}, error: (line) => errors.push(line) })).toBe(0);
    const rewritten = readFileSync(join(dir, 'README.md'), 'utf8');
    expect(rewritten).toContain('| `concurrency` | `4` | How many users at once, from 1 to 20. |');
    expect(rewritten.replace('How many users at once', 'How many recipients are sent to at once')).toBe(
      read('README.md'),
    );
    errors.length = 0;
    expect(check()).toBe(0);
    expect(errors).toEqual([]);
  });

  it('leaves the text outside the markers alone, and refuses a README without them', () => {
    const readme = read('README.md');
    const outside = (text: string): string =>
      text.replace(/(<!-- (inputs|outputs):start -->)[\s\S]*?(<!-- \2:end -->)/g, '$1$3');
    expect(outside(generator.updateReadme(readme, { inputs: 'I', outputs: 'O' }))).toBe(outside(readme));
    expect(() => generator.updateReadme(readme.replace('<!-- outputs:end -->', ''), tables)).toThrow(
      /<!-- outputs:start --> and <!-- outputs:end --> once each/,
    );
  });
});

// ---------------------------------------------------------------------------------------------
// docs/troubleshooting.md
// ---------------------------------------------------------------------------------------------

/*
 * How the messages are found. Rather than guess which calls print what (messages are built in
 * helpers, maps and zod refinements before they reach `new InputError(`, `new ApiError(`,
 * `runner.warning(` …), the test collects every string in the code the action runs and treats the
 * text that reads as words as part of some message:
 *
 * 1. The modules: those src/action/index.ts reaches through its relative imports (static, re-exports and
 *    `import()`), so a module that is not part of the action (another front end) is not scanned.
 * 2. The strings: TypeScript's own parser (not regular expressions, which trip over nested template
 *    literals, escapes and comments) gives every string literal and every template literal. A
 *    template literal is cut at each `${…}` into its fixed pieces; the expressions inside are
 *    scanned in turn, so `${ok ? 'a reason' : 'another'}` yields both strings.
 * 3. The fragments: each piece, its white space collapsed and trimmed, that has at least
 *    MIN_FRAGMENT characters, a space and a letter. Shorter pieces (`HTTP `, `: `) and single words
 *    (`utf8`, header names, error codes, URLs) are not checked: they say too little to find, and
 *    the longer pieces around them are checked.
 * 4. Not messages, and skipped: the arguments of plain log lines (`host.info(`, `host.untrusted(`, `host.group(`,
 *    `host.debug(`, the audit `log(`), and the job summary's Markdown (LOG_CALLS, SUMMARY_FUNCTIONS).
 *    Warnings, notices and errors are not skipped.
 *
 * Each fragment must appear in docs/troubleshooting.md, white space collapsed, which is why the page
 * writes each message exactly as printed, with `<placeholders>` where the code has `${…}`. A fragment
 * that is deliberately not documented goes in EXCLUDED, with the reason.
 */
const MIN_FRAGMENT = 12;
const LOG_CALLS = new Set(['info', 'untrusted', 'group', 'debug', 'log']);
const SUMMARY_FUNCTIONS = new Set(['summaryMarkdown', 'topicSummaryMarkdown', 'nothingSentMarkdown']);
const EXCLUDED: Record<string, string> = {
  'the proxy set in HTTPS_PROXY/HTTP_PROXY (not a valid URL)':
    'topics/proxy.ts displayProxy fallback: unreachable in the action, whose proxyForEndpoint refuses a proxy that is not a URL first (that message is documented)',
  'expected the text to send':
    'dead-letter.ts schema: the action checks each letter it writes against it, and only `hotline-topics resend` reads one (docs/cli.md)',
  'expected at most': 'dead-letter.ts schema, as above',
  'expected either user_id or topic_link': 'dead-letter.ts schema, as above',
  'expected version 1': 'dead-letter.ts schema, as above',
  'the link is not text': 'links.ts guard for callers that pass a non-string; an input is always text',
  'the link is empty':
    'links.ts: an empty topic_link means none given, so the action never parses one (settings.ts checks first)',
};

interface Fragment {
  text: string;
  where: string;
}

const SRC = join(ROOT, 'src');

/** src/action/index.ts and every module it reaches through relative imports. */
function actionModules(): string[] {
  const seen = new Set<string>();
  const queue = [join(SRC, 'action', 'index.ts')];
  for (let file = queue.shift(); file !== undefined; file = queue.shift()) {
    if (seen.has(file)) continue;
    seen.add(file);
    const source = ts.createSourceFile(file, readFileSync(file, 'utf8'), ts.ScriptTarget.Latest, true);
    const follow = (specifier: ts.Node | undefined): void => {
      if (specifier && ts.isStringLiteral(specifier) && specifier.text.startsWith('.')) {
        queue.push(resolve(dirname(file), specifier.text.replace(/\.js$/, '.ts')));
      }
    };
    const visit = (node: ts.Node): void => {
      if (ts.isImportDeclaration(node) && !node.importClause?.isTypeOnly) follow(node.moduleSpecifier);
      if (ts.isExportDeclaration(node) && !node.isTypeOnly) follow(node.moduleSpecifier);
      if (ts.isCallExpression(node) && node.expression.kind === ts.SyntaxKind.ImportKeyword) follow(node.arguments[0]);
      ts.forEachChild(node, visit);
    };
    visit(source);
  }
  return [...seen].sort();
}

const normalize = (text: string): string => text.replace(/\s+/g, ' ').trim();

/** The fragments of the strings in one module (see above). */
function fragmentsOf(file: string): Fragment[] {
  const source = ts.createSourceFile(file, readFileSync(file, 'utf8'), ts.ScriptTarget.Latest, true);
  const found: Fragment[] = [];
  const add = (piece: string, node: ts.Node): void => {
    const text = normalize(piece);
    if (text.length < MIN_FRAGMENT || !/ /.test(text) || !/\p{L}/u.test(text)) return;
    // A GitHub REST route ("GET /repos/{owner}/{repo}/releases") is what is asked, not what is printed.
    if (/^(GET|POST|PUT|PATCH|DELETE) \//.test(text)) return;
    const line = source.getLineAndCharacterOfPosition(node.getStart(source)).line + 1;
    found.push({ text, where: `${relative(ROOT, file)}:${line}` });
  };
  const calleeName = (call: ts.CallExpression): string | undefined => {
    const callee = call.expression;
    if (ts.isIdentifier(callee)) return callee.text;
    if (ts.isPropertyAccessExpression(callee)) return callee.name.text;
    return undefined;
  };
  const visit = (node: ts.Node): void => {
    if (ts.isImportDeclaration(node) || ts.isExportDeclaration(node)) return;
    if (ts.isCallExpression(node) && LOG_CALLS.has(calleeName(node) ?? '')) return;
    if (ts.isFunctionDeclaration(node) && SUMMARY_FUNCTIONS.has(node.name?.text ?? '')) return;
    if (ts.isStringLiteral(node) || ts.isNoSubstitutionTemplateLiteral(node)) add(node.text, node);
    if (ts.isTemplateExpression(node)) {
      add(node.head.text, node);
      for (const span of node.templateSpans) add(span.literal.text, span.literal);
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  return found;
}

describe('docs/troubleshooting.md', () => {
  const modules = actionModules();
  // The GraphQL documents sent to GitHub: what is asked, never printed.
  const fragments = modules.filter((m) => !m.endsWith(join('github', 'queries.ts'))).flatMap(fragmentsOf);
  const doc = normalize(read('docs/troubleshooting.md'));

  it('the scan reaches the modules that print messages, and finds their messages', () => {
    const names = modules.map((m) => relative(SRC, m));
    for (const name of [
      'delivery/run.ts',
      'delivery/settings.ts',
      'delivery/input-forms.ts',
      'topics/links.ts',
      'message/vars.ts',
      'message/template.ts',
      'message/compose.ts',
      'topics/client.ts',
      'topics/answers.ts',
      'net/network-errors.ts',
      'net/retry.ts',
      'delivery/results.ts',
      'message/context.ts',
      'action/github-host.ts',
      'delivery/gates.ts',
      'delivery/recipients.ts',
      'github/client.ts',
      'github/fixed-issues.ts',
      'github/previous-run.ts',
      'github/queries.ts',
    ]) {
      expect(names).toContain(name);
    }
    const texts = fragments.map((f) => f.text);
    for (const known of [
      'expected Telegram user ids (positive whole numbers) separated by commas, spaces or newlines; got',
      'Sending failed for',
      'no answer from',
      'the server asked to retry after',
      'Template error in',
      'contained a key; it was replaced with',
    ]) {
      expect(texts).toContain(known);
    }
    expect(fragments.length).toBeGreaterThan(100);
  });

  it('holds every message the action can print, as printed', () => {
    const missing = fragments
      .filter((f) => !(f.text in EXCLUDED) && !doc.includes(f.text))
      .map((f) => `${f.where}: ${JSON.stringify(f.text)}`);
    expect(
      missing,
      'messages not in docs/troubleshooting.md (document them, or add them to EXCLUDED with the reason)',
    ).toEqual([]);
  });

  it('excludes only messages that still exist, and the skipped summary functions still exist', () => {
    const texts = new Set(fragments.map((f) => f.text));
    for (const text of Object.keys(EXCLUDED)) expect(texts, text).toContain(text);
    const summary = read('src/delivery/summary.ts');
    for (const name of SUMMARY_FUNCTIONS) expect(summary).toContain(`export function ${name}(`);
  });

  it('names only inputs the action has', () => {
    const named = new Set(
      Array.from(read('docs/troubleshooting.md').matchAll(/Input '([a-z_]+)'/g), (m) => m[1] as string),
    );
    expect(named.size).toBeGreaterThan(15);
    for (const name of named) expect(Object.keys(INPUT_DEFAULTS), name).toContain(name);
  });
});
