export const id = 294;
export const ids = [294];
export const modules = {

/***/ 7294:
/***/ ((__unused_webpack_module, __webpack_exports__, __webpack_require__) => {

/* harmony export */ __webpack_require__.d(__webpack_exports__, {
/* harmony export */   conclusionAsStatus: () => (/* binding */ conclusionAsStatus),
/* harmony export */   previousRun: () => (/* binding */ previousRun)
/* harmony export */ });
/** The run of the same workflow, on the same branch, completed before this one; undefined for the first. */
async function previousRun(gh, repository, runId) {
    const [owner = '', repo = ''] = repository.split('/');
    const need = 'actions: read';
    const current = await gh.request('GET /repos/{owner}/{repo}/actions/runs/{run_id}', { owner, repo, run_id: runId }, { what: `workflow run ${runId}`, need });
    let found;
    let pagesLeft = 5;
    await gh.pages('GET /repos/{owner}/{repo}/actions/workflows/{workflow_id}/runs', {
        owner,
        repo,
        workflow_id: current.workflow_id,
        ...(current.head_branch ? { branch: current.head_branch } : {}),
        status: 'completed',
    }, {
        need,
        what: `the completed runs of ${current.path?.split('/').pop() ?? `workflow ${current.workflow_id}`}${current.head_branch ? ` on ${current.head_branch}` : ''}`,
    }, (page) => {
        // The pagination plugin gives the runs themselves (it unwraps `workflow_runs`), newest first.
        const runs = page.filter((run) => run.id !== current.id && run.run_number < current.run_number);
        const previous = runs[0];
        if (previous)
            found = {
                run_number: previous.run_number,
                conclusion: previous.conclusion ?? 'unknown',
                html_url: previous.html_url,
            };
        return !found && --pagesLeft > 0;
    });
    return found;
}
/** A run's conclusion in the words of the status input: a timeout or a failed start is a failure. */
function conclusionAsStatus(conclusion) {
    return conclusion === 'timed_out' || conclusion === 'startup_failure' ? 'failure' : conclusion;
}


/***/ })

};
