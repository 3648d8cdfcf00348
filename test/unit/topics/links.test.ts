import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import {
  MAX_TOPIC_ID,
  TOPIC_LINK_FORM,
  findTopicLinks,
  groupIdProblem,
  parseTopicLink,
  topicIdProblem,
  topicLink,
  type TopicRef,
} from '../../../src/topics/links.js';

const ok = (group_id: string, topic_id: number) => ({ ok: true, topic: { group_id, topic_id } });

function problemOf(link: string): string {
  const result = parseTopicLink(link);
  if (result.ok) throw new Error(`expected ${JSON.stringify(link)} to be refused, got ${JSON.stringify(result.topic)}`);
  return result.problem;
}

describe('parseTopicLink: accepted spellings', () => {
  it.each([
    ['https://t.me/c/2101424779/5343', '2101424779', 5343],
    ['https://t.me/c/2101424779/5343/6001', '2101424779', 5343],
    ['t.me/c/2101424779/5343', '2101424779', 5343],
    ['t.me/c/2101424779/5343/6001', '2101424779', 5343],
    ['http://t.me/c/2101424779/5343', '2101424779', 5343],
    ['https://t.me/c/2101424779/5343/', '2101424779', 5343],
    ['https://t.me/c/2101424779/5343/6001/', '2101424779', 5343],
    ['https://t.me/c/2101424779/5343?single', '2101424779', 5343],
    ['https://t.me/c/2101424779/5343#x', '2101424779', 5343],
    ['https://t.me/c/2101424779/5343/?single#x', '2101424779', 5343],
    ['https://t.me/c/2101424779/5343/6001?single&t=15', '2101424779', 5343],
    ['https://T.ME/c/2101424779/5343', '2101424779', 5343],
    ['HTTPS://T.Me/c/2101424779/5343', '2101424779', 5343],
    ['https://telegram.me/c/2101424779/5343', '2101424779', 5343],
    ['Telegram.ME/c/2101424779/5343', '2101424779', 5343],
    ['https://telegram.dog/c/2101424779/5343', '2101424779', 5343],
    ['  https://t.me/c/2101424779/5343 \n', '2101424779', 5343],
    ['\thttps://t.me/c/2101424779/5343\r\n', '2101424779', 5343],
    ['https://t.me/c/1/1', '1', 1],
    ['https://t.me/c/999999999999999/2147483647/9999999999', '999999999999999', 2147483647],
    // A message link carrying its topic in the query (older clients): the path's number is the message.
    ['https://t.me/c/2101424779/6001?thread=5343', '2101424779', 5343],
    ['https://t.me/c/2101424779/6001?single&topic=5343', '2101424779', 5343],
    ['https://t.me/c/2101424779/5343/6001?thread=5343', '2101424779', 5343],
    ['https://t.me/c/2101424779/5343#thread=77', '2101424779', 5343],
  ] as const)('%j', (link, group, topic) => {
    expect(parseTopicLink(link)).toEqual(ok(group, topic));
  });

  it('the example in TOPIC_LINK_FORM is itself a topic link', () => {
    expect(TOPIC_LINK_FORM).toBe('a topic link like https://t.me/c/2101424779/5343');
    const example = TOPIC_LINK_FORM.split(' ').at(-1) ?? '';
    expect(parseTopicLink(example)).toEqual(ok('2101424779', 5343));
  });
});

describe('parseTopicLink: refused, with a reason naming what is wrong', () => {
  it.each([
    ['', /empty/],
    ['   \n\t ', /empty/],
    ['https://example.com/c/1/2', /host 'example\.com' is not t\.me/],
    ['https://t.me.evil.com/c/1/2', /host 't\.me\.evil\.com'/],
    ['https://evil.t.me/c/1/2', /host 'evil\.t\.me'/],
    ['https://t.me./c/1/2', /host 't\.me\.'/],
    ['https://tｍe/c/1/2', /host/],
    ['https://t.me/durov/5343', /public chat link names no group id; open the topic and copy its link/],
    ['t.me/some_group/5343/6001', /public chat link/],
    ['https://t.me/+AbCdEf123', /invite link/],
    ['https://t.me/joinchat/AbCdEf', /invite link/],
    ['https://t.me/s/channel/5', /public chat link/],
    ['https://t.me/C/2101424779/5343', /must start with \/c\/, not '\/C'/],
    ['https://t.me/c/2101424779', /no topic id/],
    ['https://t.me/c/2101424779/', /no topic id/],
    ['https://t.me/c', /no group id or topic id/],
    ['https://t.me/c/', /no group id or topic id/],
    ['https://t.me', /no path/],
    ['https://t.me/', /no path/],
    ['https://t.me?x', /no path/],
    ['https://t.me/c/abc/5343', /group id 'abc' is not a positive whole number/],
    ['https://t.me/c/2101424779/abc', /topic id 'abc' is not a positive whole number/],
    ['https://t.me/c/2101424779/5343/abc', /message id 'abc' is not a positive whole number/],
    ['https://t.me/c/-1002101424779/5343', /group id '-1002101424779' is not a positive whole number/],
    ['https://t.me/c/2101424779/-5', /topic id '-5'/],
    ['https://t.me/c/2101424779/+5', /topic id '\+5'/],
    ['https://t.me/c/2101424779/5e3', /topic id '5e3'/],
    ['https://t.me/c/2101424779/٥٣٤٣', /topic id '٥٣٤٣' is not a positive whole number/],
    ['https://t.me/c/2101424779/%35', /topic id '%35'/],
    ['https://t.me/c/0/5343', /group id is zero/],
    ['https://t.me/c/2101424779/0', /topic id is zero/],
    ['https://t.me/c/2101424779/5343/0', /message id is zero/],
    ['https://t.me/c/2101424779/000', /topic id is zero/],
    ['https://t.me/c/02101424779/5343', /group id '02101424779' has a leading zero/],
    ['https://t.me/c/2101424779/05343', /topic id '05343' has a leading zero/],
    ['https://t.me/c/2101424779/5343/06001', /message id '06001' has a leading zero/],
    ['https://t.me/c/1234567890123456/5343', /group id '1234567890123456' has more than 15 digits/],
    ['https://t.me/c/2101424779/2147483648', /topic id 2147483648 is larger than 2147483647/],
    ['https://t.me/c/2101424779/9999999999', /topic id 9999999999 is larger than 2147483647/],
    ['https://t.me/c/2101424779/12345678901', /topic id '12345678901' has more than 10 digits/],
    ['https://t.me/c/2101424779/5343/12345678901', /message id '12345678901' has more than 10 digits/],
    ['https://t.me/c/2101424779/5343/6001/7', /too many parts/],
    ['https://t.me/c/2101424779/5343//', /empty part/],
    ['https://t.me/c//5343', /empty part/],
    ['https://t.me//c/2101424779/5343', /empty part/],
    ['https://user:pass@t.me/c/2101424779/5343', /user info/],
    ['https://t.me@evil.com/c/2101424779/5343', /user info/],
    ['https://t.me:443/c/2101424779/5343', /port/],
    ['t.me:443/c/2101424779/5343', /port/],
    ['https://t.me:/c/2101424779/5343', /port/],
    ['ftp://t.me/c/2101424779/5343', /scheme 'ftp:' is not https: or http:/],
    ['tg://privatepost?channel=2101424779&post=5343', /scheme 'tg:'.*copy the https:\/\/t\.me\/c\/ link/],
    ['tg:resolve?domain=durov', /scheme 'tg:'/],
    ['javascript:alert(1)', /scheme 'javascript:'/],
    ['https:t.me/c/2101424779/5343', /'https:' must be followed by '\/\/'/],
    ['https:/t.me/c/2101424779/5343', /'https:' must be followed by '\/\/'/],
    ['https:///t.me/c/2101424779/5343', /no host/],
    ['//t.me/c/2101424779/5343', /no scheme/],
    ['https://t.me/c/2101424779/ 5343', /white space/],
    ['https://t.me/c/2101424779/5343 6001', /white space/],
    ['https://t.me/c/2101424779/5343?x=a b', /white space/],
    ['https://t.me/c/2101424779/53\u00a043', /white space/],
    ['https://t.me/c/2101424779/5343\u0000', /control character/],
    ['https://t.me/c/2101424779/6001?comment=7', /comment link/],
    ['https://t.me/c/2101424779/6001?thread=0', /in '\?thread=': the topic id is zero/],
    ['https://t.me/c/2101424779/6001?thread=', /in '\?thread=': the topic id '' is not a positive whole number/],
    ['https://t.me/c/2101424779/6001?thread=2147483648', /larger than 2147483647/],
    ['https://t.me/c/2101424779/6001?thread=5&topic=6', /two topics \(5 and 6\)/],
    [
      'https://t.me/c/2101424779/5343/6001?thread=77',
      /topic id in the path \(5343\) differs from the one in the query \(77\)/,
    ],
    ['https://t.me/c/2101424779/12345678901?thread=5343', /message id '12345678901' has more than 10 digits/],
  ] as const)('%j', (link, reason) => {
    const problem = problemOf(link);
    expect(problem).toMatch(reason);
    expect(problem).not.toMatch(/[\r\n]/);
  });

  it('shortens a long piece quoted in a reason', () => {
    const problem = problemOf(`https://${'a'.repeat(500)}.com/c/1/2`);
    expect(problem.length).toBeLessThan(120);
    expect(problem).toContain('…');
  });

  it('refuses a value that is not a string instead of throwing', () => {
    for (const value of [undefined, null, 5343, {}, ['t.me/c/1/2']]) {
      expect(parseTopicLink(value as unknown as string)).toEqual({ ok: false, problem: 'the link is not text' });
    }
  });
});

describe('topicLink', () => {
  it('spells the canonical https://t.me/c/ link', () => {
    expect(topicLink({ group_id: '2101424779', topic_id: 5343 })).toBe('https://t.me/c/2101424779/5343');
    expect(topicLink({ group_id: '1', topic_id: MAX_TOPIC_ID })).toBe('https://t.me/c/1/2147483647');
  });

  it.each([
    [{ group_id: '', topic_id: 1 }],
    [{ group_id: '-1002101424779', topic_id: 1 }],
    [{ group_id: '0123', topic_id: 1 }],
    [{ group_id: '1/2', topic_id: 1 }],
    [{ group_id: '1', topic_id: 0 }],
    [{ group_id: '1', topic_id: -1 }],
    [{ group_id: '1', topic_id: 1.5 }],
    [{ group_id: '1', topic_id: Number.NaN }],
    [{ group_id: '1', topic_id: MAX_TOPIC_ID + 1 }],
  ])('throws a RangeError for %j, which no link can carry', (topic) => {
    expect(() => topicLink(topic)).toThrow(RangeError);
  });

  it('groupIdProblem and topicIdProblem apply the link rules to ids given on their own', () => {
    expect(groupIdProblem('2101424779')).toBeUndefined();
    expect(groupIdProblem('-1002101424779')).toMatch(/not a positive whole number/);
    expect(topicIdProblem('5343')).toBeUndefined();
    expect(topicIdProblem('2147483648')).toMatch(/larger than/);
  });
});

// ---------------------------------------------------------------------------------------------
// Properties

const groupArb = fc.oneof(
  fc.bigInt({ min: 1n, max: 10n ** 15n - 1n }).map(String),
  fc.stringMatching(/^[1-9][0-9]{0,14}$/),
);
const topicArb: fc.Arbitrary<TopicRef> = fc.record({
  group_id: groupArb,
  topic_id: fc.integer({ min: 1, max: MAX_TOPIC_ID }),
});
const messageArb = fc.option(fc.integer({ min: 1, max: 9_999_999_999 }), { nil: undefined });
/** A host name in a random mix of upper and lower case. */
const hostArb = fc
  .constantFrom('t.me', 'telegram.me', 'telegram.dog')
  .chain((host) =>
    fc
      .array(fc.boolean(), { minLength: host.length, maxLength: host.length })
      .map((upper) => Array.from(host, (ch, i) => (upper[i] ? ch.toUpperCase() : ch)).join('')),
  );
const schemeArb = fc.constantFrom('', 'https://', 'http://', 'HTTPS://', 'Http://');
/** A query and/or fragment that names no topic (those are checked on their own below). */
const tailArb = fc.oneof(
  fc.constantFrom('', '?single', '#x', '?single#x', '?t=15', '?', '#', '?single&t=1m5s#thread=9'),
  fc
    .tuple(fc.constantFrom('?', '#'), fc.stringMatching(/^[A-Za-z0-9=&._~%/?#-]{0,16}$/))
    .map(([mark, rest]) => mark + rest)
    .filter((tail) => !/(?:^|[?&])(?:thread|topic|comment)(?:=|&|#|$)/.test(tail.split('#', 1)[0] ?? '')),
);
const spaceArb = fc.constantFrom('', ' ', '\n', '\t', ' \r\n ');

interface Spelling {
  link: string;
  /** Where the host starts and the path ends: the region mutations are made in. */
  hostStart: number;
  pathEnd: number;
}

const spellingArb = (topic: TopicRef): fc.Arbitrary<Spelling> =>
  fc
    .record({ scheme: schemeArb, host: hostArb, message: messageArb, slash: fc.boolean(), tail: tailArb })
    .map(({ scheme, host, message, slash, tail }) => {
      const path = `/c/${topic.group_id}/${topic.topic_id}${message === undefined ? '' : `/${message}`}${slash ? '/' : ''}`;
      const head = scheme + host + path;
      return { link: head + tail, hostStart: scheme.length, pathEnd: head.length };
    });

/**
 * The oracle, written independently of the parser: the topic a string names if it is a valid spelling
 * of a topic link, or undefined.
 */
const STRICT = new RegExp(
  '^(?:[hH][tT][tT][pP][sS]?://)?' +
    '(?:[tT]\\.[mM][eE]|[tT][eE][lL][eE][gG][rR][aA][mM]\\.(?:[mM][eE]|[dD][oO][gG]))' +
    '/c/([1-9][0-9]{0,14})/([1-9][0-9]{0,9})(?:/([1-9][0-9]{0,9}))?/?' +
    '(?:\\?([^#]*))?(?:#[^]*)?$',
);
function oracle(input: string): TopicRef | undefined {
  const link = input.trim();
  if (/[\s\p{Cc}]/u.test(link)) return undefined;
  const match = STRICT.exec(link);
  if (!match) return undefined;
  const [, group = '', second = '', third, query = ''] = match;
  const named = [...query.matchAll(/(?:^|&)(?:thread|topic)=([^&]*)/g)].map((m) => m[1] ?? '');
  if (/(?:^|&)comment(?:=|&|$)/.test(query)) return undefined;
  let topic = second;
  if (named.length > 0) {
    if (named.some((id) => id !== named[0])) return undefined;
    if (third !== undefined && named[0] !== second) return undefined;
    topic = named[0] ?? '';
    if (!/^[1-9][0-9]{0,9}$/.test(topic)) return undefined;
  }
  if (Number(topic) > 2 ** 31 - 1) return undefined;
  return { group_id: group, topic_id: Number(topic) };
}

/** Refused with a one-line reason, or accepted as exactly what the oracle reads. */
function checkAgainstOracle(input: string): void {
  const result = parseTopicLink(input);
  const expected = oracle(input);
  if (result.ok) {
    expect(expected, `accepted ${JSON.stringify(input)}`).toBeDefined();
    expect(result.topic).toEqual(expected);
    expect(typeof result.topic.topic_id).toBe('number');
  } else {
    expect(result.problem).toMatch(/^\S[^\r\n]*$/);
    expect(result.problem.length).toBeLessThan(200);
  }
}

describe('parseTopicLink: properties', () => {
  it('every spelling of a topic link names exactly that topic', () => {
    fc.assert(
      fc.property(
        topicArb.chain((topic) => fc.tuple(fc.constant(topic), spellingArb(topic), spaceArb, spaceArb)),
        ([topic, { link }, before, after]) => {
          expect(parseTopicLink(before + link + after)).toEqual({ ok: true, topic });
          expect(oracle(link)).toEqual(topic);
        },
      ),
      { numRuns: 500 },
    );
  });

  it('a message link carrying ?thread= or ?topic= names the topic of the query', () => {
    fc.assert(
      fc.property(
        topicArb,
        fc.integer({ min: 1, max: 9_999_999_999 }),
        fc.constantFrom('thread', 'topic'),
        fc.constantFrom('', 'single&', 't=15&'),
        (topic, message, name, before) => {
          const link = `https://t.me/c/${topic.group_id}/${message}?${before}${name}=${topic.topic_id}`;
          expect(parseTopicLink(link)).toEqual({ ok: true, topic });
          const both = `t.me/c/${topic.group_id}/${topic.topic_id}/${message}?${name}=${topic.topic_id}`;
          expect(parseTopicLink(both)).toEqual({ ok: true, topic });
        },
      ),
    );
  });

  it('parseTopicLink(topicLink(t)) round-trips, and the link is canonical', () => {
    fc.assert(
      fc.property(topicArb, (topic) => {
        const link = topicLink(topic);
        expect(link).toBe(`https://t.me/c/${topic.group_id}/${topic.topic_id}`);
        expect(parseTopicLink(link)).toEqual({ ok: true, topic });
      }),
      { numRuns: 300 },
    );
  });

  it('random strings are refused, or are valid spellings of what they parse to', () => {
    const linkish = fc.constantFrom(...'tT.mMeE/c0123456789:?#@hHpPsS &=-_+%gGlraRAdDoO');
    fc.assert(
      fc.property(
        fc.oneof(
          fc.string(),
          fc.string({ unit: 'binary' }),
          fc.string({ unit: linkish, maxLength: 40 }),
          fc
            .tuple(
              fc.constantFrom('', 'https://', 't.me/', 'https://t.me/c/', 't.me/c/1/'),
              fc.string({ unit: linkish, maxLength: 30 }),
            )
            .map(([a, b]) => a + b),
          fc.webUrl({ withQueryParameters: true, withFragments: true }),
          fc.webUrl({
            validSchemes: ['http', 'https', 'ftp', 'tg'],
            authoritySettings: { withUserInfo: true, withPort: true },
          }),
        ),
        checkAgainstOracle,
      ),
      { numRuns: 1500 },
    );
  });

  it('a valid link with one character replaced, inserted or deleted in its host or path is refused or still valid', () => {
    const chars = fc.oneof(
      fc.constantFrom(...'0123456789/.:@?#cCtTmMeE-+_ %', '\u00a0', '\u200b', '٣', '１', 'é', '\u0000'),
      fc.string({ minLength: 1, maxLength: 1 }),
    );
    fc.assert(
      fc.property(
        topicArb.chain(spellingArb),
        fc.constantFrom('replace', 'insert', 'delete'),
        fc.nat(),
        chars,
        ({ link, hostStart, pathEnd }, op, at, ch) => {
          const i = hostStart + (at % (pathEnd - hostStart));
          const mutated =
            op === 'replace'
              ? link.slice(0, i) + ch + link.slice(i + 1)
              : op === 'insert'
                ? link.slice(0, i) + ch + link.slice(i)
                : link.slice(0, i) + link.slice(i + 1);
          checkAgainstOracle(mutated);
        },
      ),
      { numRuns: 2000 },
    );
  });
});

describe('findTopicLinks: the topics an issue body links', () => {
  const ids = (text: string): string[] => findTopicLinks(text).map((t) => `${t.group_id}/${t.topic_id}`);

  it('finds every form topic_link accepts, in the order first seen, each once', () => {
    const body = [
      'Customer: https://t.me/c/2101424779/5343',
      'Also t.me/c/2101424779/5400/77 (a message in their topic), and https://t.me/c/2101424779/99?thread=6001',
      'Again: https://T.ME/c/2101424779/5343.',
      'telegram.me: https://telegram.me/c/42/7, http://t.me/c/43/8',
    ].join('\n');
    expect(ids(body)).toEqual(['2101424779/5343', '2101424779/5400', '2101424779/6001', '42/7', '43/8']);
  });

  it("finds a link inside Markdown, HTML and an issue form's field", () => {
    const form = [
      '### Topic link',
      '',
      'https://t.me/c/2101424779/5343',
      '',
      '### What happened',
      '',
      'The export fails: see [the chat](https://t.me/c/11/12), <https://t.me/c/13/14>, `t.me/c/15/16`,',
      '<a href="https://t.me/c/17/18">here</a> | https://t.me/c/19/20 |',
    ].join('\n');
    expect(ids(form)).toEqual(['2101424779/5343', '11/12', '13/14', '15/16', '17/18', '19/20']);
  });

  it('ignores what is not a topic link: another host, a link inside another URL, public usernames, bad ids', () => {
    const body = [
      'https://example.com/t.me/c/1/2',
      'https://t.me/ada',
      'https://t.me/c/0123/5',
      'https://t.me/c/1/0',
      'https://t.me/c/1/99999999999',
      'https://nott.me/c/1/2',
      'mailto:t.me@c.example',
    ].join('\n');
    expect(ids(body)).toEqual([]);
    expect(ids('')).toEqual([]);
  });

  it('finds what parseTopicLink accepts, for any topic', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 999_999_999_999 }),
        fc.integer({ min: 1, max: MAX_TOPIC_ID }),
        fc.constantFrom(' ', '\n', '(', '<', ' **', ': ', '|'),
        fc.constantFrom('', '.', ',', ')', '>', '**', '|', '?!'),
        (group, topic, before, after) => {
          const link = topicLink({ group_id: String(group), topic_id: topic });
          expect(ids(`text${before}${link}${after} more\n`)).toEqual([`${group}/${topic}`]);
        },
      ),
    );
  });
});
