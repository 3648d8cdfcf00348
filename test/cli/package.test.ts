/**
 * The npm package as people get it: `npm pack` (which builds pkg/ first), the tarball installed in an
 * empty folder with nothing else, then the `hotline-topics` bin run as a process (--help, a send to
 * the simulator, a stack trace only with --debug) and the library imported and type-checked from
 * that install. The bundle needs no node_modules: the package has no runtime dependencies.
 */
import { execFile, execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ROOT } from '../support/harness.ts';
import { sim, useSimulator } from '../support/fixtures.ts';

useSimulator();

const NAME = '@hotline-crm/topics';
let home = '';
let installed = '';
let tarballFiles: string[] = [];

const npm = (args: string[], cwd: string): string =>
  execFileSync('npm', args, {
    cwd,
    encoding: 'utf8',
    // The project's Node 24 first, as npm scripts have it (the prepack build runs on it).
    env: {
      ...process.env,
      PATH: `${join(ROOT, 'node_modules', '.bin')}:${process.env.PATH ?? ''}`,
      npm_config_audit: 'false',
      npm_config_fund: 'false',
    },
  });

beforeAll(() => {
  home = mkdtempSync(join(tmpdir(), 'hotline-package-'));
  const packed = JSON.parse(npm(['pack', '--json', '--pack-destination', home], ROOT)) as Array<{
    filename: string;
    files: Array<{ path: string }>;
  }>;
  tarballFiles = packed[0]!.files.map((f) => f.path);
  installed = join(home, 'consumer');
  execFileSync('mkdir', ['-p', installed]);
  writeFileSync(join(installed, 'package.json'), JSON.stringify({ name: 'consumer', private: true, type: 'module' }));
  npm(['install', '--offline', '--no-package-lock', join(home, packed[0]!.filename)], installed);
}, 180_000);

afterAll(() => {
  if (home) rmSync(home, { recursive: true, force: true });
});

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs a file of the install (the bin, a script) with Node 24, in a clean environment. */
function node(args: string[], env: Record<string, string> = {}): Promise<Run> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      args,
      { cwd: installed, env: { PATH: process.env.PATH ?? '', HOME: home, ...env } },
      (error, stdout, stderr) =>
        resolve({ code: error ? (typeof error.code === 'number' ? error.code : null) : 0, stdout, stderr }),
    );
  });
}

const bin = (): string => join(installed, 'node_modules', '.bin', 'hotline-topics');
const keys = (): Record<string, string> => ({
  HOTLINE_X_API_KEY: sim.options.xApiKey,
  HOTLINE_INSTANCE: sim.options.instance,
  HOTLINE_API_KEY: sim.options.apiKey,
});

describe('the npm package', () => {
  it('holds the two bundles, the declarations and the default templates, and nothing of the repository besides', () => {
    expect(tarballFiles).toContain('bin/hotline-topics.js');
    expect(tarballFiles).toContain('pkg/lib/index.js');
    expect(tarballFiles).toContain('pkg/lib/index.d.ts');
    expect(tarballFiles).toContain('templates/push.liquid');
    for (const file of tarballFiles)
      expect(file, file).toMatch(
        /^(bin\/hotline-topics\.js$|pkg\/lib\/|templates\/|package\.json$|README\.md$|LICENSE$|CHANGELOG\.md$)/,
      );
    const manifest = JSON.parse(
      readFileSync(join(installed, 'node_modules', ...NAME.split('/'), 'package.json'), 'utf8'),
    ) as Record<string, unknown>;
    expect(manifest.name).toBe(NAME);
    expect(manifest.dependencies).toBeUndefined();
    expect(manifest.bin).toEqual({ 'hotline-topics': 'bin/hotline-topics.js' });
  });

  it('hotline-topics --help, from the install', async () => {
    const run = await node([bin(), '--help']);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toContain('hotline-topics send');
    expect(run.stdout).toContain(`npx ${NAME} send`);
    expect(run.stdout).not.toMatch(/npx hotline-topics/);
  });

  it('hotline-topics send: the message delivered, the topic link on stdout, exit 0', async () => {
    const run = await node(
      [
        bin(),
        'send',
        '--endpoint',
        sim.url,
        '--user-id',
        '7',
        '--message',
        'From the package {{ vars.v }}',
        '--vars',
        'v: 1.2.3',
      ],
      keys(),
    );
    expect(run.code, run.stderr).toBe(0);
    expect(sim.delivered.map((d) => [d.user_id, d.message])).toEqual([[7, 'From the package 1.2.3']]);
    expect(run.stdout).toBe(`${sim.delivered[0]!.topic_link}\n`);
  });

  it('a failure is one line on stderr and exit 1; the stack trace only with --debug, never a key', async () => {
    sim.fail(
      { type: 'status', status: 422, body: { message: 'refused' } },
      { type: 'status', status: 422, body: { message: 'refused' } },
    );
    const plain = await node(
      [bin(), 'send', '--endpoint', sim.url, '--user-id', '7', '--message', 'x', '--retries', '0'],
      keys(),
    );
    expect(plain.code).toBe(1);
    expect(plain.stderr).toMatch(/^error: Sending failed for user 7: HTTP 422: refused$/m);
    expect(plain.stderr).not.toMatch(/\n\s+at /);
    const debug = await node(
      [bin(), 'send', '--endpoint', sim.url, '--user-id', '7', '--message', 'x', '--retries', '0', '--debug'],
      keys(),
    );
    expect(debug.code).toBe(1);
    expect(debug.stderr).toMatch(/debug: Error: Sending failed for user 7[\s\S]*\n\s+at /);
    for (const key of Object.values(keys())) expect(`${plain.stderr}${debug.stderr}`).not.toContain(key);
  });

  it('import { TopicsClient } from the package: a send through the library', async () => {
    writeFileSync(
      join(installed, 'send.mjs'),
      `import { TopicsClient, parseTopicLink, fitMessage } from '${NAME}';
const client = new TopicsClient({ endpoint: process.env.ENDPOINT, xApiKey: process.env.HOTLINE_X_API_KEY, instance: process.env.HOTLINE_INSTANCE, apiKey: process.env.HOTLINE_API_KEY, retries: 0 });
const { parts } = fitMessage('Library '.repeat(10).trim(), { max_length: 60, overflow: 'split' }, { notice: () => {} });
try {
  for (const part of parts) console.log((await client.sendMessage(7, part)).topic_link);
  const link = parseTopicLink('t.me/c/2101424779/5343');
  console.log(JSON.stringify(link.ok && (await client.topicInfo(link.topic)).user_name));
} finally {
  await client.close();
}
`,
    );
    const run = await node(['send.mjs'], { ...keys(), ENDPOINT: sim.url });
    expect(run.code, run.stderr).toBe(0);
    expect(sim.delivered.map((d) => d.message)).toEqual([
      '(1/2) Library Library Library Library Library Library',
      '(2/2) Library Library Library Library',
    ]);
    expect(run.stdout.trim().split('\n')).toEqual([
      sim.delivered[0]!.topic_link,
      sim.delivered[1]!.topic_link,
      '"Ada Lovelace"',
    ]);
  });

  it('its type declarations stand on their own: a strict TypeScript program using them compiles with no other package', () => {
    writeFileSync(
      join(installed, 'use.ts'),
      `import { ApiError, parseTopicLink, TopicsClient, type MessageSent, type TopicsClientOptions } from '${NAME}';
const options: TopicsClientOptions = { xApiKey: 'x', instance: 'i', apiKey: 'k', timeoutMs: 5_000 };
const client = new TopicsClient(options);
const link = parseTopicLink('https://t.me/c/1/2');
export async function send(): Promise<string | undefined> {
  try {
    const sent: MessageSent = await client.sendMessage(1, 'hi');
    return link.ok ? sent.topic_link : link.problem;
  } catch (error) {
    if (error instanceof ApiError && error.kind === 'keys') return 'check the keys';
    throw error;
  }
}
`,
    );
    writeFileSync(
      join(installed, 'tsconfig.json'),
      JSON.stringify({
        compilerOptions: {
          strict: true,
          module: 'nodenext',
          moduleResolution: 'nodenext',
          target: 'es2022',
          lib: ['es2024'],
          types: [],
          noEmit: true,
          skipLibCheck: false,
        },
        files: ['use.ts'],
      }),
    );
    const tsc = join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc');
    expect(() =>
      execFileSync(process.execPath, [tsc, '-p', 'tsconfig.json'], { cwd: installed, encoding: 'utf8' }),
    ).not.toThrow();
  });
});
