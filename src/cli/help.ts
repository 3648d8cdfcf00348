/** The help of `hotline-topics`: each command, its flags (from the flags table), the environment, the output and the exit codes. */
import { ENV_FALLBACKS, INPUT_DEFAULTS } from '../delivery/inputs.js';
import { COMMANDS, FLAGS, type Command, type FlagSpec } from './flags.js';

/** The npm package the command comes in (a name we own: `npx <name>` runs whatever is published under it). */
const PACKAGE = '@hotline-crm/topics';

const WIDTH = 100;

function wrap(text: string, indent: string): string {
  const lines: string[] = [];
  let line = '';
  for (const word of text.split(/ +/)) {
    if (line && indent.length + line.length + 1 + word.length > WIDTH) {
      lines.push(indent + line);
      line = word;
    } else {
      line = line ? `${line} ${word}` : word;
    }
  }
  if (line) lines.push(indent + line);
  return lines.join('\n');
}

function flagHelp(spec: FlagSpec, showCommands: boolean): string {
  const fallback =
    spec.value && spec.input && INPUT_DEFAULTS[spec.input] ? ` Default: ${INPUT_DEFAULTS[spec.input]}.` : '';
  const head = `  --${spec.name}${spec.value ? ` <${spec.value}>` : ''}${showCommands && spec.commands.length < COMMANDS.length ? `   (${spec.commands.join(', ')})` : ''}`;
  return `${head}\n${wrap(spec.help + fallback, '      ')}`;
}

const USAGE: Record<Command, string> = {
  send: 'hotline-topics send (--user-id <ids> | --topic-link <link> | --group-id <id> --topic-id <id>)\n                      (--message <template> | --message-file <path>) [flags]',
  info: 'hotline-topics info (--topic-link <link> | --group-id <id> --topic-id <id>) [flags]',
  resend: 'hotline-topics resend <dead-letter file> [flags]',
};

const ABOUT: Record<Command, string> = {
  send: 'Render a message template (Liquid) and send it into the topic of each user (API action incoming_in_topic). stdout: the topic link(s) it went to (with --dry-run: the message).',
  info: "Look a topic up (API action info_by_topic). stdout: the topic's details.",
  resend:
    'Send again the messages a dead-letter file holds (written by a send or resend that failed), exactly as they were rendered, each to its user (or to the user of its topic), in order. stdout: one line per message. What fails again goes into a new dead-letter file.',
};

const EXAMPLES: Record<Command, string[]> = {
  send: [
    "hotline-topics send --user-id 123456789 --message 'Deployed {{ github.ref_name }} ({{ short_sha }}) {{ run_url }}'",
    "hotline-topics send --user-id 1,2,3 --message-file release.liquid --vars 'version: 1.4.2' --overflow split",
    "hotline-topics send --topic-link https://t.me/c/2101424779/5343 --message 'Hello' --json",
  ],
  info: [
    'hotline-topics info --topic-link https://t.me/c/2101424779/5343',
    'hotline-topics info --group-id 2101424779 --topic-id 5343 --json',
  ],
  resend: [
    'hotline-topics resend /tmp/hotline-undelivered-local-1a2b3c4d.json',
    'hotline-topics resend undelivered.json --dry-run',
  ],
};

const ENVIRONMENT = `Environment:
  ${ENV_FALLBACKS.x_api_key}   owner access token (the X-API-KEY header)
  ${ENV_FALLBACKS.instance}    connection instance id
  ${ENV_FALLBACKS.api_key}     connection api_key
    The three are required unless --dry-run, and read from the environment only: a flag's value
    would show in ps and in shell history. They are never printed; whatever the server sends back
    is redacted.
  ${ENV_FALLBACKS.github_token}        a GitHub token, for --topics-from fixed_issues and --notify change
    (in a workflow: env: GITHUB_TOKEN: \${{ github.token }}); also redacted from the log.
  GITHUB_API_URL                      the GitHub API (GitHub Enterprise Server: https://<host>/api/v3)
  HTTPS_PROXY, HTTP_PROXY, NO_PROXY   a proxy for the API calls
  RUNNER_TEMP                         the folder for dead-letter files (unless --dead-letter-dir)
  GITHUB_*, GitLab CI (GITLAB_CI, CI_*), Jenkins (JENKINS_URL, BUILD_*, GIT_*, CHANGE_*)
    the template context: github.repository, github.sha, github.ref_name, run_url, commit_url, …
    GitLab's and Jenkins' variables are mapped onto the GitHub names (see docs/cli.md).`;

const OUTPUT = `Output:
  stderr  what happens: the message, one audit line per API call, notices, warnings, the error.
  stdout  a short result (see each command); with --json exactly one JSON object instead:
          the action's outputs (topic_link, chat_id, thread_id, message, truncated, results as an
          array, dead_letter, topic_info as an object, …) plus ok (true or false) and error.`;

const EXIT_CODES = `Exit codes:
  0  success (also a failure with --no-fail-on-error, reported as a warning)
  1  the API or the delivery failed (after the retries); what was not delivered is kept in a
     dead-letter file (stderr and dead_letter name it) for hotline-topics resend
  2  bad usage or bad input, before any request: unknown command or flag, missing argument, an
     input refused (error: Input 'user_id': …), a template error, not a dead-letter file`;

export function helpText(version: string, command?: Command): string {
  const commands = command ? [command] : COMMANDS;
  const parts = command
    ? [`hotline-topics ${command}: ${ABOUT[command]}`, `Usage:\n  ${USAGE[command]}`]
    : [
        `hotline-topics ${version}: post messages into customers' Telegram topics through the Hotline CRM Topics API.\nThe command line of the GitHub Action "Hotline CRM Topics": the same inputs, templates, retries and redaction.`,
        `Usage:\n${COMMANDS.map((c) => `  ${USAGE[c]}`).join('\n')}\n  hotline-topics help [<command>]\n  hotline-topics --version`,
        `Commands:\n${COMMANDS.map((c) => `  ${c}\n${wrap(ABOUT[c], '      ')}`).join('\n')}`,
      ];
  const flags = FLAGS.filter((f) => commands.some((c) => f.commands.includes(c)));
  parts.push(
    `Flags${command ? '' : ' (in parentheses: the commands a flag belongs to, when not all)'}:\n${flags.map((f) => flagHelp(f, !command)).join('\n')}`,
    ENVIRONMENT,
    OUTPUT,
    EXIT_CODES,
    `Examples:\n  export HOTLINE_X_API_KEY=… HOTLINE_INSTANCE=… HOTLINE_API_KEY=…\n${commands
      .flatMap((c) => EXAMPLES[c])
      .map((e) => `  ${e}`)
      .join('\n')}`,
    `Install: npm install --global ${PACKAGE} (the command is hotline-topics); or without installing:\n  npx ${PACKAGE} ${commands[0]} …`,
  );
  return `${parts.join('\n\n')}\n`;
}
