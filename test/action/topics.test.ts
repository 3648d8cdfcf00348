/**
 * Integration: topics, against the simulator. `info_by_topic` (by link in its several forms, or by
 * group_id and topic_id; user topic and chat topic; unknown topic), links refused before any
 * request, the rules between action, user_id, topic_link, group_id and topic_id, and
 * `incoming_in_topic` by topic link (the topic is looked up, then its user gets the message).
 *
 * In process (the action's own `run()`, test/support/in-process.ts), except the lookup by an https
 * topic link, which runs through the bundled action (`node dist/index.js`) so the bundle is proven to
 * look a topic up too.
 */
import { describe, it, expect } from 'vitest';
import { runAction, type ActionRun } from '../support/harness.ts';
import { runInProcess } from '../support/in-process.ts';
import { sim, useSimulator, creds } from '../support/fixtures.ts';
import type { RecipientResult } from '../../src/delivery/results.js';

useSimulator();

/** The seeded user topic: user 123456789 "Ada Lovelace" → https://t.me/c/2101424779/5343. */
const GROUP = '2101424779';
const USER = 123456789;
const USER_TOPIC = 5343;
const USER_LINK = `https://t.me/c/${GROUP}/${USER_TOPIC}`;
const CHAT_ID = -1002101424779;
/** The seeded chat topic (frontend_type group): no user. */
const CHAT_TOPIC = 5400;
const CHAT_LINK = `https://t.me/c/${GROUP}/${CHAT_TOPIC}`;
const FORM = 'https://t.me/c/2101424779/5343';
const USER_FIELDS = ['user_id', 'user_name', 'user_username', 'user_lang'] as const;

const results = (run: ActionRun): RecipientResult[] => JSON.parse(run.outputs.results ?? 'null') as RecipientResult[];
const bodies = (): Record<string, unknown>[] => sim.requests.map((r) => r.body as Record<string, unknown>);

/** Exit 1, one `::error::` naming the input, and not a single request. */
const refusedBefore = (run: ActionRun, input: string): string => {
  expect(run.code).toBe(1);
  expect(run.errors).toHaveLength(1);
  expect(run.errors[0]).toContain(`Input '${input}'`);
  expect(sim.requests).toHaveLength(0);
  expect(sim.delivered).toHaveLength(0);
  return run.errors[0] ?? '';
};

const expectUserTopicLookedUp = (run: ActionRun): void => {
  expect(run.code).toBe(0);
  expect(run.errors).toEqual([]);
  expect(run.warnings).toEqual([]);

  const info = JSON.parse(run.outputs.topic_info ?? 'null') as Record<string, unknown>;
  expect(info).toEqual({
    result: 'topic_info',
    group_id: GROUP,
    topic_id: USER_TOPIC,
    topic_link: USER_LINK,
    topic_status: 'open',
    topic_title: 'Ada Lovelace',
    topic_last_date: expect.any(String),
    frontend_type: 'private',
    instance_name: sim.options.instance,
    user_id: USER,
    user_name: 'Ada Lovelace',
    user_first_name: 'Ada',
    user_username: 'ada',
    user_lang: 'en',
  });
  expect(run.outputs).toMatchObject({
    topic_link: USER_LINK,
    user_id: String(USER),
    topic_title: 'Ada Lovelace',
    topic_status: 'open',
    topic_last_date: info.topic_last_date,
    frontend_type: 'private',
    instance_name: sim.options.instance,
    user_name: 'Ada Lovelace',
    user_username: 'ada',
    user_lang: 'en',
  });

  // Exactly one request: info_by_topic, group_id a JSON string, topic_id a JSON number.
  expect(sim.requests).toHaveLength(1);
  const req = sim.requests[0]!;
  expect(req.headers['x-api-key']).toBe(sim.options.xApiKey);
  expect(req.body).toEqual({
    action: 'info_by_topic',
    instance: sim.options.instance,
    api_key: sim.options.apiKey,
    group_id: GROUP,
    topic_id: USER_TOPIC,
  });
  expect(req.rawBody).toContain(`"group_id":"${GROUP}"`);
  expect(req.rawBody).toContain(`"topic_id":${USER_TOPIC}`);

  // Nothing sent.
  expect(sim.delivered).toEqual([]);
  expect(bodies().some((b) => b.action === 'incoming_in_topic')).toBe(false);

  // The summary shows the topic.
  expect(run.summary).toContain(USER_LINK);
  expect(run.summary).toContain('Ada Lovelace');
  expect(run.summary).toMatch(/user topic/i);
  expect(run.log).toContain(USER_LINK);
};

describe('info_by_topic: a user topic', () => {
  // The first through the bundled action, the others in process.
  const byLink: [string, string, typeof runAction][] = [
    ['an https topic link', USER_LINK, runAction],
    ['a link without scheme', `t.me/c/${GROUP}/${USER_TOPIC}`, runInProcess],
    ['a message link inside the topic', `${USER_LINK}/99`, runInProcess],
  ];
  for (const [what, link, runner] of byLink) {
    it(`by ${what} (${link}): the topic's details as outputs, one info_by_topic request, the summary`, async () => {
      const run = await runner({ inputs: { ...creds(), action: 'info_by_topic', topic_link: link } });
      expectUserTopicLookedUp(run);
    });
  }

  it('by group_id and topic_id: the same', async () => {
    const run = await runInProcess({
      inputs: { ...creds(), action: 'info_by_topic', group_id: GROUP, topic_id: String(USER_TOPIC) },
    });
    expectUserTopicLookedUp(run);
  });
});

describe('info_by_topic: other topics', () => {
  it('a chat topic: frontend_type group, no user_* outputs', async () => {
    const run = await runInProcess({ inputs: { ...creds(), action: 'info_by_topic', topic_link: CHAT_LINK } });
    expect(run.code).toBe(0);
    expect(run.errors).toEqual([]);
    expect(run.outputs.frontend_type).toBe('group');
    expect(run.outputs.topic_title).toBe('Partners chat');
    expect(run.outputs.topic_link).toBe(CHAT_LINK);
    for (const name of USER_FIELDS) expect(run.outputs[name], name).toBeUndefined();
    const info = JSON.parse(run.outputs.topic_info ?? 'null') as Record<string, unknown>;
    expect(info).toMatchObject({
      result: 'topic_info',
      frontend_type: 'group',
      topic_id: CHAT_TOPIC,
      frontend_chat_id: -1009876543210,
    });
    expect(bodies()).toEqual([
      expect.objectContaining({ action: 'info_by_topic', group_id: GROUP, topic_id: CHAT_TOPIC }),
    ]);
    expect(sim.delivered).toEqual([]);
    expect(run.summary).toContain(CHAT_LINK);
    expect(run.summary).toMatch(/chat topic/i);
  });

  it("the log names a topic in the README's words: a chat topic, a user topic", async () => {
    const chat = await runInProcess({ inputs: { ...creds(), action: 'info_by_topic', topic_link: CHAT_LINK } });
    expect(chat.log).toContain(`Topic ${CHAT_LINK}: chat topic "Partners chat"`);
    expect(chat.log).not.toMatch(/group topic/);
    const user = await runInProcess({ inputs: { ...creds(), action: 'info_by_topic', topic_link: USER_LINK } });
    expect(user.log).toContain(`Topic ${USER_LINK}: user topic "Ada Lovelace"`);
    expect(user.log).not.toMatch(/private topic/);
  });

  it("an unknown topic: exit 1, one error with HTTP 404 and the API's message, not retried", async () => {
    const run = await runInProcess({
      inputs: { ...creds(), action: 'info_by_topic', topic_link: `https://t.me/c/${GROUP}/987654` },
    });
    expect(run.code).toBe(1);
    expect(run.errors).toHaveLength(1);
    expect(run.errors[0]).toContain('HTTP 404');
    expect(run.errors[0]).toContain('Topic not found');
    expect(run.errors[0]).not.toContain(sim.options.apiKey);
    expect(run.errors[0]).not.toContain(sim.options.xApiKey);
    expect(sim.requests).toHaveLength(1);
    expect(run.outputs.error).toBe(run.errors[0]);
    expect(run.outputs.topic_info).toBeUndefined();
  });
});

describe('topic links refused before any request', () => {
  const malformed: [string, string][] = [
    ['a public link (t.me/<name>/<post>)', 't.me/name/5'],
    ['another host', 'https://example.com/c/1/2'],
    ['a group without a topic', `t.me/c/${GROUP}`],
  ];
  for (const [what, link] of malformed) {
    for (const action of ['info_by_topic', 'incoming_in_topic']) {
      it(`${what}: ${link} (${action})`, async () => {
        const run = await runInProcess({
          inputs: {
            ...creds(),
            action,
            topic_link: link,
            ...(action === 'incoming_in_topic' ? { message: 'hi' } : {}),
          },
        });
        const error = refusedBefore(run, 'topic_link');
        expect(error).toContain(FORM);
      });
    }
  }
});

describe('who the call is about: the rules, each refused before any request', () => {
  it('info_by_topic without a topic', async () => {
    const run = await runInProcess({ inputs: { ...creds(), action: 'info_by_topic' } });
    const error = refusedBefore(run, 'topic_link');
    expect(error).toContain('info_by_topic');
    expect(error).toContain('group_id');
  });

  it('info_by_topic with user_id', async () => {
    const run = await runInProcess({
      inputs: { ...creds(), action: 'info_by_topic', topic_link: USER_LINK, user_id: String(USER) },
    });
    expect(refusedBefore(run, 'user_id')).toContain('info_by_topic');
  });

  it('info_by_topic with message', async () => {
    const run = await runInProcess({
      inputs: { ...creds(), action: 'info_by_topic', topic_link: USER_LINK, message: 'hello' },
    });
    expect(refusedBefore(run, 'message')).toContain('info_by_topic');
  });

  it('topic_link together with group_id', async () => {
    for (const action of ['info_by_topic', 'incoming_in_topic']) {
      sim.reset();
      const run = await runInProcess({
        inputs: {
          ...creds(),
          action,
          topic_link: USER_LINK,
          group_id: GROUP,
          topic_id: String(USER_TOPIC),
          ...(action === 'incoming_in_topic' ? { message: 'hi' } : {}),
        },
      });
      expect(refusedBefore(run, 'topic_link')).toMatch(/not both/);
    }
  });

  it('group_id without topic_id (and topic_id without group_id)', async () => {
    let run = await runInProcess({ inputs: { ...creds(), action: 'info_by_topic', group_id: GROUP } });
    expect(refusedBefore(run, 'topic_id')).toContain('group_id');
    sim.reset();
    run = await runInProcess({ inputs: { ...creds(), message: 'hi', topic_id: String(USER_TOPIC) } });
    expect(refusedBefore(run, 'group_id')).toContain('topic_id');
  });

  it('incoming_in_topic with both user_id and topic_link', async () => {
    const run = await runInProcess({
      inputs: { ...creds(), user_id: String(USER), topic_link: USER_LINK, message: 'hi' },
    });
    const error = refusedBefore(run, 'user_id');
    expect(error).toContain('topic_link');
    expect(error).toMatch(/not both/);
  });
});

describe('incoming_in_topic by topic', () => {
  const expectSentToTopicUser = (run: ActionRun, text: string): void => {
    expect(run.code).toBe(0);
    expect(run.errors).toEqual([]);
    // Two requests: the lookup, then the message to the topic's user.
    expect(bodies()).toEqual([
      {
        action: 'info_by_topic',
        instance: sim.options.instance,
        api_key: sim.options.apiKey,
        group_id: GROUP,
        topic_id: USER_TOPIC,
      },
      {
        action: 'incoming_in_topic',
        instance: sim.options.instance,
        api_key: sim.options.apiKey,
        user_id: USER,
        message: text,
      },
    ]);
    expect(sim.requests[1]!.rawBody).toContain(`"user_id":${USER}`);
    expect(sim.delivered.map((d) => [d.user_id, d.message, d.topic_link])).toEqual([[USER, text, USER_LINK]]);
    // Outputs as for a send.
    expect(run.outputs.topic_link).toBe(USER_LINK);
    expect(run.outputs.chat_id).toBe(String(CHAT_ID));
    expect(run.outputs.thread_id).toBe(String(USER_TOPIC));
    expect(run.outputs.message).toBe(text);
    expect(run.outputs.truncated).toBe('false');
    expect(results(run)).toEqual([
      { user_id: USER, ok: true, topic_link: USER_LINK, chat_id: CHAT_ID, thread_id: USER_TOPIC, error: null },
    ]);
    expect(run.summary).toContain(USER_LINK);
    expect(run.summary).toContain(text);
  };

  it('with topic_link and no user_id: looks the topic up, then sends to its user', async () => {
    const run = await runInProcess({
      inputs: { ...creds(), topic_link: USER_LINK, message: 'Deployed {{ github.ref_name }}' },
    });
    expectSentToTopicUser(run, 'Deployed main');
    expect(run.log).toContain(String(USER));
  });

  it('with group_id and topic_id: the same', async () => {
    const run = await runInProcess({
      inputs: { ...creds(), group_id: GROUP, topic_id: String(USER_TOPIC), message: 'By ids' },
    });
    expectSentToTopicUser(run, 'By ids');
  });

  it('to a chat topic: exit 1, the error says it is a chat topic with no user; only the lookup was made', async () => {
    const run = await runInProcess({ inputs: { ...creds(), topic_link: CHAT_LINK, message: 'hi' } });
    expect(run.code).toBe(1);
    expect(run.errors).toHaveLength(1);
    expect(run.errors[0]).toContain(CHAT_LINK);
    expect(run.errors[0]).toMatch(/chat topic/);
    expect(run.errors[0]).toMatch(/no user/);
    expect(bodies()).toEqual([expect.objectContaining({ action: 'info_by_topic', topic_id: CHAT_TOPIC })]);
    expect(sim.delivered).toEqual([]);
  });

  it.each([
    ['a chat topic', CHAT_LINK, /is a chat topic \(frontend_type group\): it has no user to send to/],
    ['an unknown topic', `https://t.me/c/${GROUP}/987654`, /^HTTP 404: Topic not found$/],
  ])(
    'a failed lookup (%s) still sets message, truncated, results and the summary, and keeps the dead letter',
    async (_what, link, why) => {
      const run = await runInProcess({
        inputs: { ...creds(), topic_link: link, message: 'Your fix is out', overflow: 'split', max_length: '20' },
      });
      expect(run.code).toBe(1);
      expect(run.errors).toHaveLength(1);
      expect(run.errors[0]).toMatch(why);
      expect(run.outputs.error).toBe(run.errors[0]);
      expect(run.outputs.message).toBe('Your fix is out');
      expect(run.outputs.truncated).toBe('false');
      expect(run.outputs.topic_link).toBe('');
      // One entry for the topic: its user is unknown (null), topic_link names the topic it was meant for.
      expect(results(run)).toEqual([
        { user_id: null, ok: false, topic_link: link, chat_id: null, thread_id: null, error: run.errors[0] },
      ]);
      expect(run.summary).toContain('❌ Hotline: 1 of 1 not delivered');
      expect(run.summary).toContain(`| the user of the topic | failed: ${run.errors[0]} | [${link}](${link}) |`);
      expect(run.summary).toContain('Your fix is out');
      expect(run.outputs.dead_letter).toMatch(/hotline-undelivered-.*\.json$/);
      expect(sim.delivered).toEqual([]);
    },
  );

  it('a failed lookup of a split message: one entry per part, each with the reason', async () => {
    const run = await runInProcess({
      inputs: {
        ...creds(),
        topic_link: CHAT_LINK,
        message: 'First paragraph here.\n\nSecond paragraph here.',
        overflow: 'split',
        max_length: '30',
      },
    });
    expect(run.code).toBe(1);
    const entries = results(run);
    expect(entries.map((r) => [r.user_id, r.ok, r.topic_link, r.part, r.parts])).toEqual([
      [null, false, CHAT_LINK, 1, 2],
      [null, false, CHAT_LINK, 2, 2],
    ]);
    for (const r of entries) expect(r.error).toMatch(/chat topic/);
  });

  it('dry run with topic_link: no request at all (incoming_in_topic and info_by_topic)', async () => {
    let run = await runInProcess({ inputs: { ...creds(), topic_link: USER_LINK, message: 'hi', dry_run: 'true' } });
    expect(run.code).toBe(0);
    expect(run.errors).toEqual([]);
    expect(run.outputs.message).toBe('hi');
    expect(run.log).toContain(USER_LINK);
    expect(sim.requests).toHaveLength(0);

    run = await runInProcess({
      inputs: { ...creds(), action: 'info_by_topic', topic_link: USER_LINK, dry_run: 'true' },
    });
    expect(run.code).toBe(0);
    expect(run.errors).toEqual([]);
    expect(run.log).toContain(USER_LINK);
    expect(sim.requests).toHaveLength(0);
    expect(sim.delivered).toHaveLength(0);
  });
});
