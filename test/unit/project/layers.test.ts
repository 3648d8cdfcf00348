/**
 * The layers stay as the folders show them: lint refuses an import against the direction
 * (action/, cli/ → delivery/ → message/, topics/, github/ → net/ → root files), and the README's
 * layout table names every source file there is, and no other.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ESLint } from 'eslint';
import { describe, expect, it } from 'vitest';
import { ROOT } from '../../support/harness.ts';

const eslint = new ESLint({ cwd: ROOT });

/** The rules an import in `file` breaks. */
async function importRules(file: string, from: string): Promise<string[]> {
  const [result] = await eslint.lintText(`import { x } from '${from}';\nexport const y = x;\n`, {
    filePath: join(ROOT, file),
  });
  return (result?.messages ?? []).map((m) => m.ruleId ?? m.message);
}

describe('imports go one way', () => {
  it.each([
    ['src/action/main.ts', '../cli/main.js'],
    ['src/cli/main.ts', '../action/github-host.js'],
    ['src/delivery/run.ts', '../action/github-host.js'],
    ['src/delivery/run.ts', '../cli/terminal-host.js'],
    ['src/message/compose.ts', '../topics/links.js'],
    ['src/message/compose.ts', '../delivery/settings.js'],
    ['src/topics/client.ts', '../message/template.js'],
    ['src/topics/client.ts', '../delivery/results.js'],
    ['src/github/client.ts', '../topics/client.js'],
    ['src/topics/client.ts', '../github/client.js'],
    ['src/net/http.ts', '../topics/links.js'],
    ['src/message/compose.ts', '../github/client.js'],
    ['src/message/compose.ts', '../net/http.js'],
    ['src/errors.ts', './topics/links.js'],
    ['src/host.ts', './delivery/run.js'],
    ['src/index.ts', './action/main.js'],
  ])('%s may not import %s', async (file, from) => {
    expect(await importRules(file, from)).toContain('no-restricted-imports');
  });

  it.each([
    ['src/action/main.ts', '../delivery/run.js'],
    ['src/cli/main.ts', '../delivery/run.js'],
    ['src/delivery/run.ts', '../message/compose.js'],
    ['src/delivery/run.ts', '../topics/client.js'],
    ['src/topics/client.ts', '../errors.js'],
    ['src/topics/client.ts', '../net/http.js'],
    ['src/github/client.ts', '../net/http.js'],
    ['src/delivery/send.ts', '../github/client.js'],
    ['src/message/compose.ts', '../host.js'],
    ['src/index.ts', './topics/client.js'],
    ['src/index.ts', './cli/main.js'],
  ])('%s may import %s', async (file, from) => {
    expect(await importRules(file, from)).not.toContain('no-restricted-imports');
  });
});

describe("the README's layout table", () => {
  const sources = readdirSync(join(ROOT, 'src'), { recursive: true, encoding: 'utf8' })
    .filter((file) => file.endsWith('.ts'))
    .map((file) => file.split('\\').join('/'))
    .sort();
  const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
  const table = readme.slice(readme.indexOf('Source layout'), readme.indexOf('test/support/simulator.ts'));
  const listed = Array.from(table.matchAll(/^\| `([\w./-]+\.ts)` \|/gm), (m) => m[1] as string).sort();

  it('lists every file of src/, and only those', () => {
    expect(sources.length).toBeGreaterThan(30);
    expect(listed).toEqual(sources);
  });
});
