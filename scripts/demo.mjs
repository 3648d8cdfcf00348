// npm run demo: the bundled action (dist/index.js) run exactly as the GitHub runner runs it, against
// the local Topics API simulator on loopback. No credentials, no network.
import examples from '@octokit/webhooks-examples' with { type: 'json' };
import { logAsShown, runAction } from '../test/support/harness.ts';
import { startSimulator } from '../test/support/simulator.ts';

const push = examples
  .find((e) => e.name === 'push')
  .examples.find((p) => p.ref.startsWith('refs/heads/') && p.head_commit);
const template = `🚀 {{ github.repository }}: {{ github.event.commits.size }} commit(s) pushed to {{ github.ref_name }} by {{ github.event.pusher.name }}
{{ short_sha }} {{ github.event.head_commit.message | split: "\\n" | first }}
Status: {{ status }}
Run: {{ run_url }}`;

const sim = await startSimulator();
const [first, second] = [123456789, 555000111];
// Show a retry: the second recipient's first attempt gets 503 with Retry-After: 1.
sim.failFor(second, { type: 'status', status: 503, headers: { 'retry-after': '1' } });

const rule = (title) => console.log(`\n── ${title} ${'─'.repeat(Math.max(0, 60 - title.length))}`);
console.log(`Topics API simulator listening on ${sim.url} (loopback only)`);
console.log(`Running dist/index.js as the runner would: a push event, recipients ${first} and ${second}.`);
console.log(`The simulator answers ${second}'s first attempt with 503 and Retry-After: 1.`);

try {
  const run = await runAction({
    inputs: {
      endpoint: sim.url,
      user_id: `${first}, ${second}`,
      message: template,
      status: 'success',
    },
    env: {
      HOTLINE_X_API_KEY: sim.options.xApiKey,
      HOTLINE_INSTANCE: sim.options.instance,
      HOTLINE_API_KEY: sim.options.apiKey,
      GITHUB_REPOSITORY: push.repository.full_name,
      GITHUB_REPOSITORY_OWNER: push.repository.owner.login,
      GITHUB_REF: push.ref,
      GITHUB_REF_NAME: push.ref.replace('refs/heads/', ''),
      GITHUB_SHA: push.after,
      GITHUB_ACTOR: push.sender.login,
    },
    event: { name: 'push', payload: push },
  });

  // As GitHub shows it: the workflow commands the runner obeyed (masks, fences) are not printed.
  rule('action log (as GitHub shows it)');
  console.log(logAsShown(run.stdout));
  if (run.stderr) {
    rule('stderr');
    process.stdout.write(run.stderr);
  }
  rule('outputs (GITHUB_OUTPUT)');
  for (const [name, value] of Object.entries(run.outputs)) console.log(`${name} = ${value}`);
  rule('job summary (GITHUB_STEP_SUMMARY)');
  process.stdout.write(run.summary);
  rule('what the simulator delivered');
  for (const d of sim.delivered) console.log(`user ${d.user_id} → ${d.topic_link}\n${d.message}\n`);
  console.log(
    `${sim.requests.length} requests received, ${sim.delivered.length} messages delivered; the action exited with ${run.code}.`,
  );
  process.exitCode = run.code === 0 ? 0 : 1;
} finally {
  await sim.close();
}
