/**
 * `hotline-topics resend <file>`: the messages of a dead letter sent again, exactly as they were
 * rendered, each to its user (or to the user of its topic, looked up now), in the letter's order per
 * recipient; what fails again goes into a new dead letter.
 */
import type { UndeliveredMessage } from '../delivery/dead-letter.js';
import { readDeadLetter } from './dead-letter-file.js';
import { deliver, userOfTopic } from '../delivery/deliver.js';
import { readRawInputs, SECRET_INPUTS } from '../delivery/inputs.js';
import type { RecipientResult } from '../delivery/results.js';
import { createClient, fail, keepUndelivered } from '../delivery/run.js';
import { parseSettings } from '../delivery/settings.js';
import { errorMessage } from '../errors.js';
import type { Env } from '../host.js';
import type { TopicsClient } from '../topics/client.js';
import { parseTopicLink, type TopicRef } from '../topics/links.js';
import { mapConcurrent, type Clock } from '../topics/pacing.js';
import { isUsageError } from './flags.js';
import { fenceFor, type TerminalHost, type Write } from './terminal-host.js';

type Entry = UndeliveredMessage;

/** One entry's outcome: a delivery result, with the entry's own part numbers and topic. */
type ResendResult = Omit<RecipientResult, 'user_id'> & { user_id: number | null; for_topic?: string };

const partText = (r: { part?: number | undefined; parts?: number | undefined }): string =>
  r.part ? ` (part ${r.part}/${r.parts ?? '?'})` : '';
const recipientText = (r: { user_id?: number | null | undefined; topic_link?: string | undefined }): string =>
  typeof r.user_id === 'number' ? `user ${r.user_id}` : `the user of ${r.topic_link}`;

export async function resend(
  file: string,
  host: TerminalHost,
  options: { env: Env; json: boolean; github: boolean; version: string; stdout: Write; cwd: string; clock?: Clock },
): Promise<number> {
  const { env, json, github, stdout } = options;
  const raw = readRawInputs((name) => host.getInput(name), env);
  for (const name of SECRET_INPUTS) host.setSecret(raw[name]);
  // The lines quote the API (links, errors): fenced inside a GitHub Actions step.
  const print = (lines: string[]): void =>
    void (json || lines.length === 0 || stdout(fenceFor(github, lines.join('\n'))));
  let client: TopicsClient | undefined;
  try {
    const letter = readDeadLetter(file, options.version, options.cwd);
    // The recipients come from the letter, not from the inputs.
    const settings = parseSettings(raw, { recipients: 'elsewhere' });
    if (letter.endpoint && letter.endpoint !== settings.endpoint) {
      host.notice(
        `The letter was written for ${letter.endpoint}; sending to ${settings.endpoint} (the endpoint is never taken from the file: use --endpoint).`,
      );
    }
    const entries = letter.undelivered;
    if (settings.dry_run) {
      for (const entry of entries) {
        host.group(
          `Dry run: would send to ${recipientText(entry)}${partText(entry)} (${entry.message.length} characters)`,
        );
        host.info(entry.message);
        host.endGroup();
      }
      host.setOutput('results', '[]');
      print(entries.map((e) => `would send  ${recipientText(e)}${partText(e)}`));
      return 0;
    }
    // Each recipient's messages in the letter's order; recipients side by side, as a send does.
    const groups = new Map<string, number[]>();
    entries.forEach((entry, i) => {
      const key = String(entry.user_id ?? entry.topic_link);
      groups.set(key, [...(groups.get(key) ?? []), i]);
    });
    const open = createClient(settings, host, { env, ...(options.clock ? { clock: options.clock } : {}) });
    client = open;
    const results: ResendResult[] = [];
    await mapConcurrent([...groups.values()], settings.concurrency, async (indexes) => {
      const sent = await resendTo(
        indexes.map((i) => entries[i] as Entry),
        open,
        host,
      );
      indexes.forEach((at, i) => (results[at] = sent[i] as ResendResult));
    });
    host.setOutput('results', JSON.stringify(results));
    print(
      results.map((r) =>
        r.ok
          ? `sent    user ${r.user_id}${partText(r)}: ${r.topic_link ?? ''}`
          : `failed  ${recipientText({ user_id: r.user_id, topic_link: r.for_topic })}${partText(r)}: ${r.error}`,
      ),
    );

    const undelivered: UndeliveredMessage[] = results.flatMap((r, i) => {
      const { message, part, parts } = entries[i] as Entry;
      return r.ok
        ? []
        : [
            {
              ...(r.user_id === null ? { topic_link: r.for_topic } : { user_id: r.user_id }),
              message,
              ...(part ? { part, parts } : {}),
              error: r.error ?? '',
            },
          ];
    });
    if (undelivered.length === 0) {
      host.info(`All ${results.length} message(s) delivered.`);
      return 0;
    }
    keepUndelivered(
      undelivered,
      settings.endpoint,
      { repository: letter.repository, runUrl: letter.run_url },
      env,
      host,
    );
    const reasons = [...new Set(undelivered.map((u) => `${recipientText(u)}: ${u.error}`))];
    throw new Error(
      `Resending failed for ${undelivered.length} of ${results.length} message(s): ${reasons.join('; ')}`,
    );
  } catch (error) {
    // As the action fails: one line, the error output, a stack trace only with --debug.
    return fail(host, error, true, isUsageError(error) ? 2 : 1);
  } finally {
    await client?.close();
  }
}

/** One recipient's messages, in order (a failed one stops the ones after it, as in a send). */
async function resendTo(entries: Entry[], client: TopicsClient, host: TerminalHost): Promise<ResendResult[]> {
  const first = entries[0] as Entry;
  // The entry's own part numbers (deliver numbers the messages it was given) and topic.
  const own = (entry: Entry, result: Omit<ResendResult, 'part' | 'parts' | 'for_topic'>): ResendResult => ({
    ...result,
    ...(entry.topic_link ? { for_topic: entry.topic_link } : {}),
    ...(entry.part ? { part: entry.part, parts: entry.parts ?? entry.part } : {}),
  });
  let userId = first.user_id;
  if (userId === undefined) {
    try {
      ({ userId } = await userOfTopic(
        (parseTopicLink(first.topic_link as string) as { topic: TopicRef }).topic,
        client,
        host,
      ));
    } catch (error) {
      const why = host.redactor.redact(errorMessage(error));
      return entries.map((entry) =>
        own(entry, { user_id: null, ok: false, topic_link: null, chat_id: null, thread_id: null, error: why }),
      );
    }
  }
  const [outcomes = []] = await deliver([{ user_id: userId, parts: entries.map((e) => e.message) }], 1, client, host);
  return entries.map((entry, i) => {
    const { part: _part, parts: _parts, ...result } = (outcomes[i] as { result: RecipientResult }).result;
    return own(entry, result);
  });
}
