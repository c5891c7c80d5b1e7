export const id = 625;
export const ids = [625];
export const modules = {

/***/ 67625:
/***/ ((__unused_webpack_module, __webpack_exports__, __webpack_require__) => {

/* harmony export */ __webpack_require__.d(__webpack_exports__, {
/* harmony export */   uploadArtifact: () => (/* binding */ uploadArtifact)
/* harmony export */ });
/* unused harmony export artifactUrl */
/* harmony import */ var _actions_artifact__WEBPACK_IMPORTED_MODULE_0__ = __webpack_require__(75203);
/* harmony import */ var node_fs_promises__WEBPACK_IMPORTED_MODULE_1__ = __webpack_require__(51455);
/* harmony import */ var node_fs_promises__WEBPACK_IMPORTED_MODULE_1___default = /*#__PURE__*/__webpack_require__.n(node_fs_promises__WEBPACK_IMPORTED_MODULE_1__);
/* harmony import */ var node_path__WEBPACK_IMPORTED_MODULE_2__ = __webpack_require__(76760);
/* harmony import */ var node_path__WEBPACK_IMPORTED_MODULE_2___default = /*#__PURE__*/__webpack_require__.n(node_path__WEBPACK_IMPORTED_MODULE_2__);
/* harmony import */ var _shared_artifact_names_js__WEBPACK_IMPORTED_MODULE_3__ = __webpack_require__(45638);
/* harmony import */ var _shared_log_js__WEBPACK_IMPORTED_MODULE_4__ = __webpack_require__(21827);
/* harmony import */ var _errors_js__WEBPACK_IMPORTED_MODULE_6__ = __webpack_require__(54188);
/* harmony import */ var _shared_errors_js__WEBPACK_IMPORTED_MODULE_5__ = __webpack_require__(58382);
// The MP4(s) as a workflow artifact, with @actions/artifact. Names are checked up front with the
// service's rules; overwrite deletes a same-named artifact first, as actions/upload-artifact does.







/** The deepest folder holding every file, so the archive keeps only their names (and sub-folders). */
function commonRoot(files) {
    let root = (0,node_path__WEBPACK_IMPORTED_MODULE_2__.dirname)(files[0]);
    while (!files.every(f => !(0,node_path__WEBPACK_IMPORTED_MODULE_2__.relative)(root, f).startsWith('..')))
        root = (0,node_path__WEBPACK_IMPORTED_MODULE_2__.dirname)(root);
    return root;
}
/** Where the run's artifact is shown: <server>/<owner>/<repo>/actions/runs/<run_id>/artifacts/<id>. */
function artifactUrl(id) {
    const server = (process.env.GITHUB_SERVER_URL || 'https://github.com').replace(/\/+$/, '');
    return `${server}/${process.env.GITHUB_REPOSITORY ?? ''}/actions/runs/${process.env.GITHUB_RUN_ID ?? ''}/artifacts/${id}`;
}
const GHES_HINT = "Workflow artifacts from actions (@actions/artifact v2+) are not supported on GitHub Enterprise Server: set 'upload-artifact: false' there.";
/** The client's own GHES test; checked first so the run does not get its "errors can be temporary" warning. */
function isGhes() {
    const host = new URL(process.env.GITHUB_SERVER_URL || 'https://github.com').hostname.toLowerCase();
    return host !== 'github.com' && !host.endsWith('.ghe.com') && !host.endsWith('.localhost');
}
/** Best effort, like actions/upload-artifact: returns why it failed, if it did. */
async function deleteExisting(client, name) {
    try {
        const { id } = await client.deleteArtifact(name);
        _shared_log_js__WEBPACK_IMPORTED_MODULE_4__/* .log */ .R.info(`Deleted the existing artifact '${name}' (id ${id}) to replace it ('overwrite: true').`);
    }
    catch (err) {
        if (err instanceof _actions_artifact__WEBPACK_IMPORTED_MODULE_0__/* .ArtifactNotFoundError */ .CL)
            return undefined;
        const why = (0,_shared_errors_js__WEBPACK_IMPORTED_MODULE_5__/* .errorMessage */ .gJ)(err);
        _shared_log_js__WEBPACK_IMPORTED_MODULE_4__/* .log */ .R.warning(`Could not delete the existing artifact '${name}' before replacing it: ${why}`);
        return why;
    }
    return undefined;
}
async function uploadArtifact(opts) {
    const { name, overwrite } = opts;
    const bad = (0,_shared_artifact_names_js__WEBPACK_IMPORTED_MODULE_3__/* .validateArtifactName */ .YG)(name);
    if (bad)
        throw new _errors_js__WEBPACK_IMPORTED_MODULE_6__/* .PublishError */ .S(bad);
    const files = opts.files ?? (opts.file ? [opts.file] : []);
    if (!files.length)
        throw new _errors_js__WEBPACK_IMPORTED_MODULE_6__/* .PublishError */ .S(`No file to upload as the artifact '${name}'.`);
    for (const f of files) {
        if (!(0,node_path__WEBPACK_IMPORTED_MODULE_2__.isAbsolute)(f))
            throw new _errors_js__WEBPACK_IMPORTED_MODULE_6__/* .PublishError */ .S(`Artifact file paths must be absolute (got '${f}').`);
        const s = await (0,node_fs_promises__WEBPACK_IMPORTED_MODULE_1__.stat)(f).catch(() => undefined);
        if (!s?.isFile())
            throw new _errors_js__WEBPACK_IMPORTED_MODULE_6__/* .PublishError */ .S(`The file for the artifact '${name}' does not exist: ${f}`);
    }
    if (isGhes())
        throw new _errors_js__WEBPACK_IMPORTED_MODULE_6__/* .PublishError */ .S(GHES_HINT);
    const client = new _actions_artifact__WEBPACK_IMPORTED_MODULE_0__/* .DefaultArtifactClient */ .t9();
    const deleteFailure = overwrite ? await deleteExisting(client, name) : undefined;
    _shared_log_js__WEBPACK_IMPORTED_MODULE_4__/* .log */ .R.info(`Uploading ${files.length === 1 ? 'the video' : `${files.length} videos`} as the artifact '${name}'${opts.retentionDays ? ` (kept ${opts.retentionDays} days)` : ''}.`);
    let res;
    try {
        res = await client.uploadArtifact(name, files, commonRoot(files), {
            retentionDays: opts.retentionDays,
            // MP4 does not compress; zipping at level 0 saves the CPU
            compressionLevel: 0
        });
    }
    catch (err) {
        const msg = (0,_shared_errors_js__WEBPACK_IMPORTED_MODULE_5__/* .errorMessage */ .gJ)(err);
        if (/\(409\)|already exists/i.test(msg)) {
            const fix = !overwrite
                ? "Set 'overwrite: true' to replace it, or choose another 'artifact-name'."
                : deleteFailure
                    ? `Deleting it first failed (${deleteFailure}); retry, or choose another 'artifact-name'.`
                    : "Another job created it during this upload: give each job its own 'artifact-name'.";
            throw new _errors_js__WEBPACK_IMPORTED_MODULE_6__/* .PublishError */ .S(`An artifact named '${name}' already exists in this workflow run. ${fix}`, { cause: err });
        }
        throw new _errors_js__WEBPACK_IMPORTED_MODULE_6__/* .PublishError */ .S(`Uploading the artifact '${name}' failed: ${msg}`, { cause: err });
    }
    if (res.id === undefined)
        throw new _errors_js__WEBPACK_IMPORTED_MODULE_6__/* .PublishError */ .S(`Uploading the artifact '${name}' failed: the service returned no artifact id.`);
    return { id: res.id, url: artifactUrl(res.id), size: res.size ?? 0 };
}


/***/ })

};
