/**
 * The GraphQL documents `topics_from: fixed_issues` sends (GitHub's GraphQL API, v4). Kept apart from
 * the code that reads the answers so that they read as what GitHub receives.
 */

/** What is asked of each issue a pull request closes. */
const ISSUE_FIELDS = 'number title url state body repository { nameWithOwner }';

/** A pull request's closing references (`Fixes #12`, and issues linked by hand), a page at a time. */
export const CLOSING_ISSUES = `query ClosingIssues($owner: String!, $name: String!, $number: Int!, $after: String) {
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
export function pullRequestsOfCommits(oids: readonly string[]): string {
  const fields = oids
    .map((oid, i) => {
      if (!/^[0-9a-f]{40}$/.test(oid)) throw new Error(`not a commit sha: ${oid}`);
      return `c${i}: object(oid: "${oid}") { ... on Commit { associatedPullRequests(first: 10) { nodes { number url merged closingIssuesReferences(first: 50) { nodes { ${ISSUE_FIELDS} } } } } } }`;
    })
    .join('\n    ');
  return `query PullRequestsOfCommits($owner: String!, $name: String!) {
  repository(owner: $owner, name: $name) {
    ${fields}
  }
}`;
}
