/**
 * Reading a command line of `hotline-topics`: the command, its flags (by the table in flags.ts), the
 * values they give to the action's inputs, and one usage error for anything else, with a guess at
 * what was meant.
 */
import type { InputName } from '../delivery/inputs.js';
import { COMMANDS, FLAGS, UsageError, type Command } from './flags.js';

export type ParsedLine =
  | { kind: 'help'; command?: Command }
  | { kind: 'version' }
  | {
      kind: 'run';
      command: Command;
      inputs: Partial<Record<InputName, string>>;
      file?: string;
      json: boolean;
      debug: boolean;
      deadLetterDir?: string;
    };

export function parseCommandLine(argv: readonly string[]): ParsedLine {
  const [first, ...rest] = argv;
  if (first === undefined) throw new UsageError('a command is required: send, info or resend');
  if (first === '--help' || first === '-h') return { kind: 'help' };
  if (first === '--version' || first === '-V') return { kind: 'version' };
  if (first === 'help') {
    const about = rest[0];
    if (about === undefined) return { kind: 'help' };
    if (!isCommand(about)) throw new UsageError(`unknown command '${about}': the commands are ${COMMANDS.join(', ')}`);
    return { kind: 'help', command: about };
  }
  if (!isCommand(first)) throw new UsageError(`unknown command '${first}': the commands are ${COMMANDS.join(', ')}`);
  const command = first;
  const values = new Map<string, string[]>();
  const positional: string[] = [];
  for (let i = 0; i < rest.length; i++) {
    const arg = rest[i] as string;
    if (arg === '--') {
      positional.push(...rest.slice(i + 1));
      break;
    }
    if (arg === '-h') return { kind: 'help', command };
    if (!arg.startsWith('--') || arg === '-') {
      positional.push(arg);
      continue;
    }
    const eq = arg.indexOf('=');
    const name = arg.slice(2, eq === -1 ? undefined : eq);
    const spec = FLAGS.find((f) => f.name === name);
    if (!spec || !spec.commands.includes(command)) throw new UsageError(unknownFlag(name, command, spec !== undefined));
    if (spec.name === 'help') return { kind: 'help', command };
    let value: string;
    if (!spec.value) {
      if (eq !== -1) throw new UsageError(`--${name} takes no value`);
      value = 'true';
    } else if (eq !== -1) {
      value = arg.slice(eq + 1);
    } else {
      const next = rest[++i];
      if (next === undefined || next.startsWith('--'))
        throw new UsageError(
          `--${name} needs a value (<${spec.value}>)${next ? `; for a value that starts with --, write --${name}=${next}` : ''}`,
        );
      value = next;
    }
    if (values.has(name) && !spec.repeat) throw new UsageError(`--${name} is given twice`);
    values.set(name, [...(values.get(name) ?? []), value]);
  }

  const inputs: Partial<Record<InputName, string>> = {};
  for (const spec of FLAGS) {
    const given = values.get(spec.name);
    if (given && spec.input) inputs[spec.input] = given.join(',');
  }
  if (values.has('no-fail-on-error')) inputs.fail_on_error = 'false';
  if (command === 'resend') {
    if (positional.length !== 1)
      throw new UsageError(
        positional.length === 0
          ? 'resend needs the dead-letter file: hotline-topics resend <file>'
          : `resend takes one dead-letter file; got ${positional.length} arguments`,
      );
  } else if (positional.length > 0) {
    throw new UsageError(
      `unexpected argument '${positional[0]}' (${command} takes flags only; quote a value that has spaces)`,
    );
  }
  return {
    kind: 'run',
    command,
    inputs,
    ...(command === 'resend' ? { file: positional[0] } : {}),
    json: values.has('json'),
    debug: values.has('debug'),
    ...(values.has('dead-letter-dir') ? { deadLetterDir: values.get('dead-letter-dir')?.at(-1) } : {}),
  };
}

function isCommand(word: string): word is Command {
  return (COMMANDS as readonly string[]).includes(word);
}

function unknownFlag(name: string, command: Command, elsewhere: boolean): string {
  if (elsewhere) return `--${name} is not a flag of ${command}`;
  if (/^(x-api-key|api-key|instance)$/.test(name)) {
    return `there is no --${name}: the keys come from the environment only (HOTLINE_X_API_KEY, HOTLINE_INSTANCE, HOTLINE_API_KEY), so they stay out of ps and shell history`;
  }
  const near = FLAGS.filter((f) => f.commands.includes(command)).find((f) => distance(f.name, name) <= 2);
  return `unknown flag --${name}${near ? ` (did you mean --${near.name}?)` : ''}`;
}

/** Levenshtein distance, for "did you mean". */
function distance(a: string, b: string): number {
  let row = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const next = [i];
    for (let j = 1; j <= b.length; j++) {
      next[j] = Math.min(
        (row[j] as number) + 1,
        (next[j - 1] as number) + 1,
        (row[j - 1] as number) + (a[i - 1] === b[j - 1] ? 0 : 1),
      );
    }
    row = next;
  }
  return row[b.length] as number;
}
