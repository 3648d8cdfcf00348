/**
 * Who gets the message: the users of `user_id`, the user of `topic_link` (or `group_id` and
 * `topic_id`), and with `topics_from` the users of the topics linked from an issue: the one the event
 * is about (`issue`, its body is in the event), or the ones this change fixes (`fixed_issues`, found
 * through the GitHub API). Each topic once per issue that links it.
 */
import { InputError } from '../errors.js';
import type { Log } from '../host.js';
import type { GitHub } from '../github/client.js';
import type { FixedIssue, Found } from '../github/fixed-issues.js';
import { findTopicLinks, topicLink, type TopicRef } from '../topics/links.js';

/** The issue that linked a topic, as templates see it (`issue.number`, `issue.title`, …). */
export interface IssueOfTopic {
  number: number;
  title: string;
  html_url: string;
  state: string;
  /** owner/name */
  repository: string;
}

/** One recipient: a user, or the user of a topic (looked up before sending); with `topics_from`, its issue. */
export interface Recipient {
  user_id?: number;
  topic?: TopicRef;
  issue?: IssueOfTopic;
  /** The topic came from `topics_from` (a chat topic is then skipped, not an error). */
  found?: true;
}

export interface RecipientSettings {
  user_id: readonly number[];
  topic: TopicRef | undefined;
  topics_from: 'issue' | 'fixed_issues' | undefined;
}

/** The run the recipients are found for: its event, repository, and (for fixed_issues) GitHub. */
export interface RecipientSources {
  event_name: string;
  event: Record<string, unknown>;
  repository: string;
  github: () => Promise<GitHub>;
  log: Pick<Log, 'info' | 'notice'>;
}

/** The recipients, or (only with topics_from) why there are none: a notice, and nothing to send. */
export async function findRecipients(
  settings: RecipientSettings,
  sources: RecipientSources,
): Promise<{ recipients: Recipient[]; none?: string }> {
  const recipients: Recipient[] = [
    ...settings.user_id.map((user_id) => ({ user_id })),
    ...(settings.topic ? [{ topic: settings.topic }] : []),
  ];
  if (settings.topics_from === undefined) return { recipients };

  const issues: Found =
    settings.topics_from === 'issue'
      ? { issues: [issueOfEvent(sources)] }
      : await (await import('../github/fixed-issues.js')).findFixedIssues(await sources.github(), sources, sources.log);
  if (issues.none !== undefined && recipients.length === 0)
    return { recipients, none: `No topic to tell: ${issues.none}.` };

  const pairs = new Set<string>();
  for (const issue of issues.issues) {
    const topics = findTopicLinks(issue.body);
    const name = issueName(issue, sources.repository);
    sources.log.info(
      topics.length === 0
        ? `${name} links no topic.`
        : `${name} links ${topics.map(topicLink).join(', ')}${issue.via ? ` (fixed by ${issue.via})` : ''}.`,
    );
    for (const topic of topics) {
      const pair = `${topicLink(topic)} ${issue.repository}#${issue.number}`;
      if (pairs.has(pair)) continue;
      pairs.add(pair);
      const { number, title, html_url, state, repository } = issue;
      recipients.push({ topic, issue: { number, title, html_url, state, repository }, found: true });
    }
  }
  if (pairs.size === 0 && recipients.length === 0) {
    const first = issues.issues[0];
    const what =
      settings.topics_from === 'issue' && first
        ? `${issueName(first, sources.repository)} links no topic`
        : issues.issues.length === 0
          ? 'this change fixes no issue'
          : `the ${issues.issues.length} issue(s) this change fixes link no topic`;
    return { recipients, none: `No topic to tell: ${what}.` };
  }
  return { recipients };
}

/** "issue #12", or "acme/other#12" for an issue of another repository. */
function issueName(issue: Pick<FixedIssue, 'number' | 'repository' | 'html_url'>, repository: string): string {
  const kind = /\/pull\/\d+$/.test(issue.html_url) ? 'pull request' : 'issue';
  return issue.repository && issue.repository !== repository
    ? `${issue.repository}#${issue.number}`
    : `${kind} #${issue.number}`;
}

/** `topics_from: issue`: the issue or pull request the event is about, from the event itself. */
function issueOfEvent({ event_name, event, repository }: RecipientSources): FixedIssue {
  const about = (event.issue ?? event.pull_request) as Record<string, unknown> | undefined;
  if (!about || typeof about !== 'object') {
    throw new InputError(
      'topics_from',
      `issue needs an event about an issue or a pull request (issues, issue_comment, pull_request, pull_request_review, …); this run's event is ${event_name || 'unknown'}`,
    );
  }
  const text = (value: unknown): string => (typeof value === 'string' ? value : '');
  return {
    number: Number(about.number),
    title: text(about.title),
    html_url: text(about.html_url),
    state: text(about.state),
    body: text(about.body),
    repository,
    via: '',
  };
}
