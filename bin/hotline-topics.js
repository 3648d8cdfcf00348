#!/usr/bin/env node
// The `hotline-topics` command: the command line in the package's one bundle (pkg/lib/, made by
// `npm run build:package`, which `npm pack` runs), with this process's arguments, environment and streams.
import { runCommandLine } from '../pkg/lib/index.js';

process.exitCode = await runCommandLine(process.argv.slice(2), process.env, {
  stdout: (text) => void process.stdout.write(text),
  stderr: (text) => void process.stderr.write(text),
});
