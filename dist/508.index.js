export const id = 508;
export const ids = [508];
export const modules = {

/***/ 3508:
/***/ ((__unused_webpack_module, __webpack_exports__, __webpack_require__) => {

// ESM COMPAT FLAG
__webpack_require__.r(__webpack_exports__);

// EXPORTS
__webpack_require__.d(__webpack_exports__, {
  MAX_COMMITS: () => (/* binding */ MAX_COMMITS),
  findFixedIssues: () => (/* binding */ findFixedIssues)
});

// EXTERNAL MODULE: ./src/errors.ts
var errors = __webpack_require__(3916);
;// CONCATENATED MODULE: ./src/github/queries.ts
/**
 * The GraphQL documents `topics_from: fixed_issues` sends (GitHub's GraphQL API, v4). Kept apart from
 * the code that reads the answers so that they read as what GitHub receives.
 */
/** What is asked of each issue a pull request closes. */
const ISSUE_FIELDS = 'number title url state body repository { nameWithOwner }';
/** A pull request's closing references (`Fixes #12`, and issues linked by hand), a page at a time. */
const CLOSING_ISSUES = `query ClosingIssues($owner: String!, $name: String!, $number: Int!, $after: String) {
  repository(owner: $owner, name: $name) {
    pullRequest(number: $number) {
      number url merged
      closingIssuesReferences(first: 50, after: $after) { pageInfo { hasNextPage endCursor } nodes { ${ISSUE_FIELDS} } }
    }
  }
}`;
/**
 * The pull requests of several commits, with the issues each closes: one alias per commit (`c0`,
 * `c1`, … in the order given). The oids are checked hex before they are written into the document.
 */
function pullRequestsOfCommits(oids) {
    const fields = oids
        .map((oid, i) => {
        if (!/^[0-9a-f]{40}$/.test(oid))
            throw new Error(`not a commit sha: ${oid}`);
        return `c${i}: object(oid: "${oid}") { ... on Commit { associatedPullRequests(first: 10) { nodes { number url merged closingIssuesReferences(first: 50) { nodes { ${ISSUE_FIELDS} } } } } } }`;
    })
        .join('\n    ');
    return `query PullRequestsOfCommits($owner: String!, $name: String!) {
  repository(owner: $owner, name: $name) {
    ${fields}
  }
}`;
}

;// CONCATENATED MODULE: ./src/github/fixed-issues.ts
/**
 * `topics_from: fixed_issues`: the issues this change fixes, with their bodies (where the topic links
 * are). A merged pull request fixes its closing issues (GitHub's closing references: "Fixes #12", and
 * issues linked by hand). A push, a release and a successful deployment fix the closing issues of the
 * merged pull requests of their commits: the pushed commits; the commits since the previous release;
 * the commits since the previous successful deployment of the same environment.
 */


/** At most this many commits are looked at: a range longer than that is cut, with a notice. */
const MAX_COMMITS = 1000;
/** Commits asked about in one GraphQL query (each an alias). */
const COMMITS_PER_QUERY = 25;
const record = (value) => (value && typeof value === 'object' ? value : {});
const fixed_issues_text = (value) => (typeof value === 'string' ? value : '');
async function findFixedIssues(gh, run, log) {
    const [owner = '', name = ''] = run.repository.split('/');
    const repo = { owner, repo: name };
    const ev = run.event;
    switch (run.event_name) {
        case 'pull_request':
        case 'pull_request_target': {
            const pr = record(ev.pull_request);
            if (ev.action !== 'closed' || pr.merged !== true) {
                return {
                    issues: [],
                    none: `pull request #${String(pr.number)} is not merged (${fixed_issues_text(ev.action) || 'no action'}): it fixes nothing yet`,
                };
            }
            return { issues: await closingIssues(gh, owner, name, Number(pr.number)) };
        }
        case 'push': {
            if (/^0+$/.test(fixed_issues_text(ev.after)))
                return { issues: [], none: 'the push deleted a branch or tag: it fixes nothing' };
            const shas = (Array.isArray(ev.commits) ? ev.commits : []).map((c) => fixed_issues_text(record(c).id)).filter(Boolean);
            return { issues: await issuesOfCommits(gh, owner, name, shas) };
        }
        case 'release': {
            const release = record(ev.release);
            const tag = fixed_issues_text(release.tag_name);
            const previous = await previousRelease(gh, repo, release);
            const shas = previous
                ? await commitsBetween(gh, repo, previous, tag, log)
                : await recentCommits(gh, repo, tag, log, 'no earlier release');
            return { issues: await issuesOfCommits(gh, owner, name, shas) };
        }
        case 'deployment_status': {
            const status = record(ev.deployment_status);
            const deployment = record(ev.deployment);
            if (status.state !== 'success') {
                return {
                    issues: [],
                    none: `the deployment's state is ${fixed_issues_text(status.state) || 'unknown'}, not success: nothing is deployed yet`,
                };
            }
            const sha = fixed_issues_text(deployment.sha);
            const previous = await previousSuccessfulDeployment(gh, repo, deployment);
            const shas = previous
                ? await commitsBetween(gh, repo, previous, sha, log)
                : await recentCommits(gh, repo, sha, log, `no earlier successful deployment to ${fixed_issues_text(deployment.environment)}`);
            return { issues: await issuesOfCommits(gh, owner, name, shas) };
        }
        default:
            throw new errors/* InputError */.dz('topics_from', `fixed_issues needs an event that ships a change: pull_request (merged), push, release or deployment_status; this run's event is ${run.event_name || 'unknown'}`);
    }
}
const asFixed = (node, via) => ({
    number: node.number,
    title: node.title,
    html_url: node.url,
    state: node.state.toLowerCase(),
    body: node.body ?? '',
    repository: node.repository?.nameWithOwner ?? '',
    via,
});
/** A merged pull request's closing issues, every page of them. */
async function closingIssues(gh, owner, name, number) {
    const issues = [];
    for (let after = null;;) {
        const answer = await gh.graphql(CLOSING_ISSUES, { owner, name, number, after }, { what: `the issues pull request #${number} closes`, need: 'pull-requests: read' });
        const references = answer.repository?.pullRequest?.closingIssuesReferences;
        for (const node of references?.nodes ?? [])
            issues.push(asFixed(node, `pull request #${number}`));
        if (!references?.pageInfo.hasNextPage)
            return issues;
        after = references.pageInfo.endCursor;
    }
}
/**
 * The closing issues of the merged pull requests the commits belong to (a commit of the PR, or its
 * merge commit), each issue once, in the order first found. Several commits per GraphQL query.
 */
async function issuesOfCommits(gh, owner, name, shas) {
    const oids = [...new Set(shas.filter((sha) => /^[0-9a-f]{40}$/.test(sha)))];
    const found = new Map();
    const seenPulls = new Set();
    for (let at = 0; at < oids.length; at += COMMITS_PER_QUERY) {
        const batch = oids.slice(at, at + COMMITS_PER_QUERY);
        const answer = await gh.graphql(pullRequestsOfCommits(batch), { owner, name }, { what: `the pull requests of ${batch.length} commit(s)`, need: 'pull-requests: read' });
        for (const [, commit] of Object.entries(answer.repository ?? {}).sort(([a], [b]) => Number(a.slice(1)) - Number(b.slice(1)))) {
            for (const pull of commit?.associatedPullRequests.nodes ?? []) {
                if (!pull.merged || seenPulls.has(pull.number))
                    continue;
                seenPulls.add(pull.number);
                for (const node of pull.closingIssuesReferences.nodes) {
                    const key = `${node.repository?.nameWithOwner ?? ''}#${node.number}`;
                    if (!found.has(key))
                        found.set(key, asFixed(node, `pull request #${pull.number}`));
                }
            }
        }
    }
    return [...found.values()];
}
/** The release published before this one (drafts aside), by publication date; undefined for the first. */
async function previousRelease(gh, repo, release) {
    const when = (r) => fixed_issues_text(r.published_at) || fixed_issues_text(r.created_at);
    const current = when(release);
    let previous;
    await gh.pages('GET /repos/{owner}/{repo}/releases', repo, { what: 'the releases', need: 'contents: read' }, (releases) => {
        for (const r of releases) {
            if (r.draft === true || r.id === release.id || !(when(r) < current))
                continue;
            if (!previous || when(r) > previous.at)
                previous = { tag: fixed_issues_text(r.tag_name), at: when(r) };
        }
        // Newest first: once a whole page is older than the one found, no later page holds a closer one.
        return !(previous && releases.every((r) => when(r) < (previous?.at ?? '')));
    });
    return previous?.tag;
}
/** The sha of the previous successful deployment to the same environment; undefined for the first. */
async function previousSuccessfulDeployment(gh, repo, deployment) {
    const environment = fixed_issues_text(deployment.environment);
    const older = [];
    await gh.pages('GET /repos/{owner}/{repo}/deployments', { ...repo, environment }, { what: `the deployments to ${environment}`, need: 'deployments: read' }, (page) => {
        older.push(...page.filter((d) => d.id !== deployment.id && fixed_issues_text(d.created_at) < fixed_issues_text(deployment.created_at)));
        return older.length < 30;
    });
    // Newest first: the first one with a success status.
    older.sort((a, b) => fixed_issues_text(b.created_at).localeCompare(fixed_issues_text(a.created_at)));
    for (const candidate of older.slice(0, 30)) {
        const statuses = await gh.request('GET /repos/{owner}/{repo}/deployments/{deployment_id}/statuses', { ...repo, deployment_id: candidate.id, per_page: 100 }, { what: `the statuses of deployment ${String(candidate.id)}`, need: 'deployments: read' });
        if (statuses.some((s) => s.state === 'success'))
            return fixed_issues_text(candidate.sha);
    }
    return undefined;
}
/** The commits after `base` up to `head`, oldest first (GitHub's compare, page after page). */
async function commitsBetween(gh, repo, base, head, log) {
    const shas = [];
    for (let page = 1;; page++) {
        const compare = await gh.request('GET /repos/{owner}/{repo}/compare/{basehead}', { ...repo, basehead: `${base}...${head}`, per_page: 100, page }, { what: `the commits from ${base} to ${head}`, need: 'contents: read' });
        shas.push(...compare.commits.map((c) => c.sha));
        if (compare.commits.length === 0 || shas.length >= compare.total_commits)
            break;
        if (shas.length >= MAX_COMMITS) {
            log.notice(`${base}...${head} holds ${compare.total_commits} commits: only the last ${MAX_COMMITS} are looked at for fixed issues.`);
            break;
        }
    }
    return shas.slice(-MAX_COMMITS);
}
/** With nothing before it to compare with: the last 100 commits up to `head`. */
async function recentCommits(gh, repo, head, log, because) {
    const commits = await gh.request('GET /repos/{owner}/{repo}/commits', { ...repo, sha: head, per_page: 100 }, { what: `the commits up to ${head}`, need: 'contents: read' });
    log.notice(`${because}: the last ${commits.length} commits up to ${head} are looked at for fixed issues.`);
    // Newest first from GitHub: oldest first, as compare gives them.
    return commits.map((c) => c.sha).reverse();
}


/***/ })

};
