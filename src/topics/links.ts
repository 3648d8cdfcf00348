/**
 * Telegram topic links: `https://t.me/c/<group_id>/<topic_id>` (and the message links inside a topic,
 * `https://t.me/c/<group_id>/<topic_id>/<message_id>`), parsed into the ids the Topics API takes.
 *
 * Pure: no I/O, no exceptions from `parseTopicLink`; every refusal is one line naming what is wrong.
 */

/** A forum topic: the group's id as in its t.me/c/ links (digits, no `-100`), and the topic's id. */
export interface TopicRef {
  group_id: string;
  topic_id: number;
}

export type TopicLinkResult = { ok: true; topic: TopicRef } | { ok: false; problem: string };

/** The expected form, for error messages. */
export const TOPIC_LINK_FORM = 'a topic link like https://t.me/c/2101424779/5343';

/** Telegram topic and message ids are 32-bit signed integers. */
export const MAX_TOPIC_ID = 2147483647;

const GROUP_DIGITS = 15;
const ID_DIGITS = 10;
/** Host names Telegram serves t.me links on (https://core.telegram.org/api/links). */
const HOSTS: ReadonlySet<string> = new Set(['t.me', 'telegram.me', 'telegram.dog']);
const SCHEMES: ReadonlySet<string> = new Set(['https', 'http']);
/** Query parameters that name the topic of a message link (`t.me/c/<group>/<message>?thread=<topic>`). */
const TOPIC_PARAMS: ReadonlySet<string> = new Set(['thread', 'topic']);
const PATH_FORM = '/c/<group id>/<topic id>';

/** A piece of the link, quoted for a reason; long pieces are shortened. */
function quote(text: string): string {
  const chars = Array.from(text);
  return `'${chars.length > 40 ? `${chars.slice(0, 39).join('')}…` : text}'`;
}

function refuse(problem: string): TopicLinkResult {
  return { ok: false, problem };
}

/** Why `text` is not a positive id of at most `digits` digits and at most `max`, or undefined. */
function idProblem(what: string, text: string, digits: number, max: number): string | undefined {
  if (!/^[0-9]+$/.test(text)) return `the ${what} ${quote(text)} is not a positive whole number`;
  if (/^0+$/.test(text)) return `the ${what} is zero`;
  if (text.startsWith('0')) return `the ${what} ${quote(text)} has a leading zero`;
  if (text.length > digits) return `the ${what} ${quote(text)} has more than ${digits} digits`;
  if (Number(text) > max) return `the ${what} ${text} is larger than ${max}`;
  return undefined;
}

/** Why `text` is not a group id (1–15 digits, no leading zero), or undefined. */
export function groupIdProblem(text: string): string | undefined {
  return idProblem('group id', text, GROUP_DIGITS, Number.MAX_SAFE_INTEGER);
}

/** Why `text` is not a topic id (1..2147483647, digits only, no leading zero), or undefined. */
export function topicIdProblem(text: string): string | undefined {
  return idProblem('topic id', text, ID_DIGITS, MAX_TOPIC_ID);
}

function messageIdProblem(text: string): string | undefined {
  return idProblem('message id', text, ID_DIGITS, Number.MAX_SAFE_INTEGER);
}

/** The topic a link names, or a one-line reason it is not a topic link (no exception). */
export function parseTopicLink(link: string): TopicLinkResult {
  if (typeof link !== 'string') return refuse('the link is not text');
  const text = link.trim();
  if (text === '') return refuse('the link is empty');
  if (/\s/u.test(text)) return refuse('the link contains white space');
  if (/\p{Cc}/u.test(text)) return refuse('the link contains a control character');

  // Scheme: none, http: or https:, always followed by `//`. `t.me:443/...` is a host with a port, not a scheme.
  let rest = text;
  const scheme = /^([A-Za-z][A-Za-z0-9+.-]*):/.exec(text);
  const afterColon = scheme ? text.slice(scheme[0].length) : '';
  if (scheme && !(scheme[0].includes('.') && /^[0-9]*(?:[/?#]|$)/.test(afterColon))) {
    const name = scheme[0].toLowerCase();
    if (!SCHEMES.has(name.slice(0, -1))) {
      const hint = name === 'tg:' ? ' (tg: links open the app; copy the https://t.me/c/ link instead)' : '';
      return refuse(`the scheme ${quote(name)} is not https: or http:${hint}`);
    }
    if (!afterColon.startsWith('//')) return refuse(`${quote(scheme[0])} must be followed by '//'`);
    rest = afterColon.slice(2);
  } else if (text.startsWith('//')) {
    return refuse("the link starts with '//' but has no scheme; write https://t.me/... or t.me/...");
  }

  // Host: exactly t.me or an alias, in any case; no user info, no port.
  const hostEnd = rest.search(/[/?#]/);
  const authority = hostEnd < 0 ? rest : rest.slice(0, hostEnd);
  const after = hostEnd < 0 ? '' : rest.slice(hostEnd);
  if (authority === '') return refuse('the link names no host');
  if (authority.includes('@')) return refuse('the link must not carry user info (user:pass@)');
  if (authority.includes(':')) return refuse('the link must not carry a port');
  if (!/^[A-Za-z.]+$/.test(authority) || !HOSTS.has(authority.toLowerCase())) {
    return refuse(`the host ${quote(authority)} is not t.me`);
  }

  // Query and fragment: ignored, except a query parameter naming the topic (or a comment).
  const tailStart = after.search(/[?#]/);
  const path = tailStart < 0 ? after : after.slice(0, tailStart);
  const tail = tailStart < 0 ? '' : after.slice(tailStart);
  const query = tail.startsWith('?') ? (tail.slice(1).split('#', 1)[0] ?? '') : '';

  // Path: /c/<group>/<topic>[/<message>], optionally with one trailing slash.
  if (path === '' || path === '/') return refuse(`the link has no path; expected ${PATH_FORM}`);
  const parts = (path.endsWith('/') ? path.slice(1, -1) : path.slice(1)).split('/');
  const [first = '', ...ids] = parts;
  if (first !== 'c') {
    if (first === '') return refuse('the path has an empty part');
    if (first.startsWith('+') || first.toLowerCase() === 'joinchat') {
      return refuse('an invite link names no topic; open the topic and copy its link');
    }
    if (/^[A-Za-z0-9_]+$/.test(first) && first !== 'C') {
      return refuse(
        'a public chat link names no group id; open the topic and copy its link (t.me/c/...), or give group_id and topic_id',
      );
    }
    return refuse(`the path must start with /c/, not ${quote(`/${first}`)}`);
  }
  if (ids.length === 0) return refuse(`the link names no group id or topic id; expected ${PATH_FORM}`);
  if (ids.includes('')) return refuse('the path has an empty part');
  if (ids.length > 3) {
    return refuse(`the path has too many parts; expected ${PATH_FORM}, optionally followed by /<message id>`);
  }
  const [group = '', pathTopic, message] = ids;
  const groupProblem = groupIdProblem(group);
  if (groupProblem) return refuse(groupProblem);
  if (pathTopic === undefined) return refuse('the link names the group but no topic id');

  const fromQuery = topicFromQuery(query);
  if (typeof fromQuery === 'object') return refuse(fromQuery.problem);

  let topicText: string;
  if (fromQuery === undefined) {
    topicText = pathTopic;
    const problem = topicIdProblem(pathTopic) ?? (message === undefined ? undefined : messageIdProblem(message));
    if (problem) return refuse(problem);
  } else if (message === undefined) {
    // t.me/c/<group>/<message>?thread=<topic>: the path's second number is a message in that topic.
    topicText = fromQuery;
    const problem = messageIdProblem(pathTopic);
    if (problem) return refuse(problem);
  } else {
    topicText = pathTopic;
    const problem = topicIdProblem(pathTopic) ?? messageIdProblem(message);
    if (problem) return refuse(problem);
    if (pathTopic !== fromQuery) {
      return refuse(`the topic id in the path (${pathTopic}) differs from the one in the query (${fromQuery})`);
    }
  }
  return { ok: true, topic: { group_id: group, topic_id: Number(topicText) } };
}

/**
 * The topic id a query names (`thread=` or `topic=`), undefined when it names none, or why it is refused.
 * Parameter values are not percent-decoded: an id is plain digits.
 */
function topicFromQuery(query: string): string | undefined | { problem: string } {
  let found: string | undefined;
  for (const param of query.split('&')) {
    const eq = param.indexOf('=');
    const name = eq < 0 ? param : param.slice(0, eq);
    const value = eq < 0 ? '' : param.slice(eq + 1);
    if (name === 'comment') return { problem: 'a comment link names no topic; open the topic and copy its link' };
    if (!TOPIC_PARAMS.has(name)) continue;
    const problem = topicIdProblem(value);
    if (problem) return { problem: `in '?${name}=': ${problem}` };
    if (found !== undefined && found !== value) {
      return { problem: `the query names two topics (${found} and ${value})` };
    }
    found = value;
  }
  return found;
}

/**
 * The canonical link of a topic: https://t.me/c/<group_id>/<topic_id>.
 * Throws a RangeError for ids no topic link can carry (a programming error: validate input first).
 */
export function topicLink(topic: TopicRef): string {
  const problem =
    groupIdProblem(String(topic.group_id)) ??
    (Number.isSafeInteger(topic.topic_id) ? topicIdProblem(String(topic.topic_id)) : 'the topic id is not an integer');
  if (problem) throw new RangeError(`No topic link for ${JSON.stringify(topic)}: ${problem}`);
  return `https://t.me/c/${topic.group_id}/${topic.topic_id}`;
}

/**
 * Every topic the text links to, once each, in the order they first appear: links in any form
 * `parseTopicLink` accepts (with or without scheme, message links, `?thread=`, telegram.me), bare or
 * inside Markdown (`[text](link)`, `<link>`, a code span), as an issue body or an issue form's field
 * holds them.
 */
export function findTopicLinks(text: string): TopicRef[] {
  const found = new Map<string, TopicRef>();
  // A candidate runs from a t.me-like host (not inside another URL's path) to the next white space or
  // Markdown/HTML delimiter.
  const candidates = /(?<![\w./@-])(?:https?:\/\/)?(?:t\.me|telegram\.me|telegram\.dog)\/[^\s<>()[\]"'`|]+/gi;
  for (const match of text.matchAll(candidates)) {
    // A sentence may end right after the link.
    const candidate = match[0].replace(/[.,;:!?*_~]+$/, '');
    const parsed = parseTopicLink(candidate);
    if (parsed.ok) found.set(`${parsed.topic.group_id}/${parsed.topic.topic_id}`, parsed.topic);
  }
  return [...found.values()];
}
