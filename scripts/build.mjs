// npm run build: the action's bundle, dist/ (committed: the runner runs it). With --package instead,
// what npm publishes (git-ignored; `npm pack` and `npm publish` build it first): pkg/lib/, the library
// and the command line in one bundle, with its type declarations. Each bundle runs without node_modules.
//
// Before bundling, @actions/* are declared free of side effects. They are (their modules only define
// functions and classes), but do not say so; once they do, ncc's webpack drops what the action does
// not use: @actions/core's OIDC client and, under it, @actions/http-client and a second undici
// (1 MB, 60-90 ms of start-up). `npm run bench` measures the cold start.
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const bin = (name) => join(ROOT, 'node_modules', '.bin', name);
const SIDE_EFFECT_FREE = ['@actions/core', '@actions/exec', '@actions/http-client', '@actions/io', '@actions/github'];

/** Where the build records what it was built from (`npm test` rebuilds dist/ when the sources differ). */
export const BUILD_HASH_FILE = join('dist', 'sources.sha256');

/** A hash of what dist/ is built from: the sources, the locked dependencies, the compiler's settings, this script. */
export function buildInputsHash(root = ROOT) {
  const files = [
    ...readdirSync(join(root, 'src'), { recursive: true, encoding: 'utf8' }).map((file) => join('src', file)),
    'package-lock.json',
    'tsconfig.json',
    join('scripts', 'build.mjs'),
  ]
    .map((file) => file.split('\\').join('/'))
    .filter((file) => /\.(ts|json|mjs)$/.test(file))
    .sort();
  const hash = createHash('sha256');
  for (const file of files)
    hash
      .update(`${file}\0`)
      .update(readFileSync(join(root, file)))
      .update('\0');
  return hash.digest('hex');
}

export function declareSideEffectFree(root = ROOT) {
  for (const name of SIDE_EFFECT_FREE) {
    const file = join(root, 'node_modules', ...name.split('/'), 'package.json');
    if (!existsSync(file)) continue;
    const manifest = JSON.parse(readFileSync(file, 'utf8'));
    if (manifest.sideEffects === false) continue;
    manifest.sideEffects = false;
    writeFileSync(file, `${JSON.stringify(manifest, null, 2)}\n`);
  }
}

/** Bundles `entry` into `out` (emptied first) with ncc, in a child process; resolves when it is done. */
function ncc(entry, out, ...flags) {
  rmSync(join(ROOT, out), { recursive: true, force: true });
  return run(bin('ncc'), ['build', entry, '--out', out, '--target', 'es2022', '--quiet', ...flags]);
}

function run(script, args) {
  return new Promise((resolve, reject) => {
    execFile(process.execPath, [script, ...args], { cwd: ROOT }, (error, stdout, stderr) => {
      process.stdout.write(stdout);
      process.stderr.write(stderr);
      if (error) reject(new Error(`${args.slice(0, 2).join(' ')} failed`));
      else resolve();
    });
  });
}

/** The action: dist/, and the record of what it was built from. */
export async function buildAction() {
  declareSideEffectFree();
  await ncc('src/action/index.ts', 'dist', '--license', 'licenses.txt');
  writeFileSync(join(ROOT, BUILD_HASH_FILE), `${buildInputsHash()}\n`);
}

/**
 * What npm publishes: one bundle, pkg/lib/, the library and the command line (bin/hotline-topics.js
 * runs its `runCommandLine`), and its type declarations, made side by side.
 */
export async function buildPackage() {
  declareSideEffectFree();
  rmSync(join(ROOT, 'pkg'), { recursive: true, force: true });
  await Promise.all([
    ncc('src/index.ts', 'pkg/lib', '--license', 'licenses.txt'),
    run(bin('tsc'), ['-p', 'tsconfig.lib.json']),
  ]);
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  await (process.argv.includes('--package') ? buildPackage() : buildAction());
}
