/**
 * Before the tests: dist/ must be what the sources build, or the tests that run the bundle would test
 * old code. The build records a hash of its inputs in dist/; when the sources differ from it, dist/ is
 * built again here (and shows as changed, to be committed).
 */
import { buildInputsHash, BUILD_HASH_FILE } from '../../scripts/build.mjs';
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT } from './harness.ts';

export default function freshDist(): void {
  const recorded = existsSync(join(ROOT, BUILD_HASH_FILE))
    ? readFileSync(join(ROOT, BUILD_HASH_FILE), 'utf8').trim()
    : '';
  if (recorded === buildInputsHash()) return;
  console.log('dist/ is not what the sources build: building it again (npm run build)');
  execFileSync(process.execPath, [join(ROOT, 'scripts', 'build.mjs')], { cwd: ROOT, stdio: 'inherit' });
}
