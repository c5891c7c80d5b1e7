export const id = 162;
export const ids = [162];
export const modules = {

/***/ 93162:
/***/ ((__unused_webpack_module, __webpack_exports__, __webpack_require__) => {

/* harmony export */ __webpack_require__.d(__webpack_exports__, {
/* harmony export */   attachToRelease: () => (/* binding */ attachToRelease),
/* harmony export */   createReleaseApi: () => (/* binding */ createReleaseApi),
/* harmony export */   findRelease: () => (/* binding */ findRelease),
/* harmony export */   releaseFromEvent: () => (/* binding */ releaseFromEvent),
/* harmony export */   videoBlock: () => (/* binding */ videoBlock),
/* harmony export */   writeVideoBlock: () => (/* binding */ writeVideoBlock)
/* harmony export */ });
/* unused harmony exports withVideoBlock, NOTES_TRIES */
/* harmony import */ var _actions_github__WEBPACK_IMPORTED_MODULE_0__ = __webpack_require__(61351);
/* harmony import */ var node_crypto__WEBPACK_IMPORTED_MODULE_1__ = __webpack_require__(77598);
/* harmony import */ var node_crypto__WEBPACK_IMPORTED_MODULE_1___default = /*#__PURE__*/__webpack_require__.n(node_crypto__WEBPACK_IMPORTED_MODULE_1__);
/* harmony import */ var node_fs__WEBPACK_IMPORTED_MODULE_2__ = __webpack_require__(73024);
/* harmony import */ var node_fs__WEBPACK_IMPORTED_MODULE_2___default = /*#__PURE__*/__webpack_require__.n(node_fs__WEBPACK_IMPORTED_MODULE_2__);
/* harmony import */ var node_fs_promises__WEBPACK_IMPORTED_MODULE_3__ = __webpack_require__(51455);
/* harmony import */ var node_fs_promises__WEBPACK_IMPORTED_MODULE_3___default = /*#__PURE__*/__webpack_require__.n(node_fs_promises__WEBPACK_IMPORTED_MODULE_3__);
/* harmony import */ var _shared_guards_js__WEBPACK_IMPORTED_MODULE_4__ = __webpack_require__(62675);
/* harmony import */ var _shared_log_js__WEBPACK_IMPORTED_MODULE_5__ = __webpack_require__(21827);
/* harmony import */ var _shared_untrusted_js__WEBPACK_IMPORTED_MODULE_6__ = __webpack_require__(37991);
/* harmony import */ var _errors_js__WEBPACK_IMPORTED_MODULE_7__ = __webpack_require__(54188);
// Attaches the MP4 to a GitHub release. Every GitHub call sits behind ReleaseApi; attachToRelease
// holds the policy (which release, overwrite, the already_exists race) and the user-facing errors.








/** An asset's content type, from its name: the MP4, its poster and its preview. */
function contentTypeOf(name) {
    if (/\.jpe?g$/i.test(name))
        return 'image/jpeg';
    if (/\.webp$/i.test(name))
        return 'image/webp';
    return 'video/mp4';
}
/** Releases listed while looking for a tag's drafts: GitHub lists the newest first, so a new draft is on the first pages. */
const MAX_LISTED_RELEASES = 1000;
const toRef = (r) => ({ id: r.id, tag: r.tag_name, uploadUrl: r.upload_url, htmlUrl: r.html_url });
const toAsset = (a) => ({ id: a.id, name: a.name, url: a.browser_download_url });
const PERMISSIONS_HINT = "The 'github-token' needs write access to releases: add `permissions: contents: write` to the workflow or job.";
function isHttpError(err) {
    return typeof err === 'object' && err !== null && typeof err.status === 'number';
}
function githubMessage(err) {
    const data = err.response?.data;
    return typeof data?.message === 'string' ? data.message : err.message;
}
/** Turns an octokit failure into a message that says what to change. */
function explain(err, doing) {
    if (err instanceof _errors_js__WEBPACK_IMPORTED_MODULE_7__/* .PublishError */ .S || !isHttpError(err))
        return err instanceof Error ? err : new Error(String(err));
    const said = githubMessage(err);
    if (err.status === 401)
        return new _errors_js__WEBPACK_IMPORTED_MODULE_7__/* .PublishError */ .S(`GitHub rejected 'github-token' while ${doing} (401 ${said}).`);
    if (err.status === 403 && err.response?.headers?.['x-ratelimit-remaining'] === '0') {
        return new _errors_js__WEBPACK_IMPORTED_MODULE_7__/* .PublishError */ .S(`GitHub API rate limit reached while ${doing} (403 ${said}). Retry later.`);
    }
    if (err.status === 403)
        return new _errors_js__WEBPACK_IMPORTED_MODULE_7__/* .PublishError */ .S(`GitHub refused ${doing} (403 ${said}). ${PERMISSIONS_HINT}`);
    return new _errors_js__WEBPACK_IMPORTED_MODULE_7__/* .PublishError */ .S(`GitHub request failed while ${doing} (${err.status}): ${said}`);
}
function isAlreadyExists(err) {
    if (!isHttpError(err) || err.status !== 422)
        return false;
    const errors = err.response?.data?.errors;
    return Array.isArray(errors) && errors.some(e => e?.code === 'already_exists');
}
/**
 * Hosts allowed to receive the token for an upload: the API host itself (GHES: /api/uploads), or
 * its `uploads.` sibling (api.github.com → uploads.github.com, api.X.ghe.com → uploads.X.ghe.com).
 */
function uploadHostAllowed(upload, api) {
    if (upload.protocol !== 'https:' && !(upload.protocol === 'http:' && (0,_shared_guards_js__WEBPACK_IMPORTED_MODULE_4__/* .isLoopbackHost */ .cW)(upload.hostname)))
        return false;
    if (upload.host === api.host)
        return true;
    return api.hostname.startsWith('api.') && upload.hostname === `uploads.${api.hostname.slice(4)}` && upload.port === api.port;
}
function createReleaseApi(opts) {
    const baseUrl = (opts.apiUrl ?? process.env.GITHUB_API_URL ?? 'https://api.github.com').replace(/\/+$/, '');
    const octokit = (0,_actions_github__WEBPACK_IMPORTED_MODULE_0__.getOctokit)(opts.token, { baseUrl });
    const { owner, repo } = opts;
    const where = `${owner}/${repo}`;
    return {
        async getReleaseByTag(tag) {
            try {
                const { data } = await octokit.rest.repos.getReleaseByTag({ owner, repo, tag });
                return toRef(data);
            }
            catch (err) {
                if (isHttpError(err) && err.status === 404)
                    return undefined;
                throw explain(err, `reading release '${tag}' of ${where}`);
            }
        },
        async listDrafts(tag) {
            try {
                const found = [];
                let seen = 0;
                for await (const page of octokit.paginate.iterator(octokit.rest.repos.listReleases, { owner, repo, per_page: 100 })) {
                    found.push(...page.data.filter(r => r.draft && r.tag_name === tag));
                    if ((seen += page.data.length) >= MAX_LISTED_RELEASES)
                        break;
                }
                return found.sort((a, b) => a.id - b.id).map(toRef);
            }
            catch (err) {
                throw explain(err, `listing the releases of ${where}`);
            }
        },
        async createRelease(r) {
            try {
                const { data } = await octokit.rest.repos.createRelease({
                    owner,
                    repo,
                    tag_name: r.tag,
                    name: r.name || r.tag,
                    draft: r.draft,
                    prerelease: r.prerelease,
                    generate_release_notes: r.generateNotes,
                    ...(r.target ? { target_commitish: r.target } : {})
                });
                return toRef(data);
            }
            catch (err) {
                if (isAlreadyExists(err))
                    return undefined;
                throw explain(err, `creating release '${r.tag}' in ${where}`);
            }
        },
        async deleteRelease(releaseId) {
            try {
                await octokit.rest.repos.deleteRelease({ owner, repo, release_id: releaseId });
            }
            catch (err) {
                if (isHttpError(err) && err.status === 404)
                    return;
                throw explain(err, `deleting release ${releaseId} in ${where}`);
            }
        },
        async listAssets(releaseId) {
            try {
                const assets = await octokit.paginate(octokit.rest.repos.listReleaseAssets, { owner, repo, release_id: releaseId, per_page: 100 });
                return assets.map(toAsset);
            }
            catch (err) {
                throw explain(err, `listing the assets of release ${releaseId} in ${where}`);
            }
        },
        async getBody(releaseId) {
            try {
                const { data } = await octokit.rest.repos.getRelease({ owner, repo, release_id: releaseId });
                return data.body ?? '';
            }
            catch (err) {
                throw explain(err, `reading the notes of release ${releaseId} in ${where}`);
            }
        },
        async setBody(releaseId, body) {
            try {
                await octokit.rest.repos.updateRelease({ owner, repo, release_id: releaseId, body });
            }
            catch (err) {
                throw explain(err, `updating the notes of release ${releaseId} in ${where}`);
            }
        },
        async deleteAsset(assetId) {
            try {
                await octokit.rest.repos.deleteReleaseAsset({ owner, repo, asset_id: assetId });
            }
            catch (err) {
                throw explain(err, `deleting release asset ${assetId} in ${where}`);
            }
        },
        async uploadAsset(release, name, file, size) {
            // upload_url is an RFC 6570 template ("…/assets{?name,label}"); check where the token would go.
            const target = new URL(release.uploadUrl.replace(/\{[^}]*\}/g, ''));
            if (!uploadHostAllowed(target, new URL(baseUrl))) {
                throw new _errors_js__WEBPACK_IMPORTED_MODULE_7__/* .PublishError */ .S(`Refusing to send 'github-token' to ${target.origin}: the release's upload URL is not on the GitHub API host (${new URL(baseUrl).origin}).`);
            }
            try {
                const { data } = await octokit.request({
                    method: 'POST',
                    url: release.uploadUrl,
                    name,
                    // streamed: the MP4 is never held in memory
                    data: (0,node_fs__WEBPACK_IMPORTED_MODULE_2__.createReadStream)(file),
                    headers: { 'content-type': contentTypeOf(name), 'content-length': size }
                });
                return toAsset(data);
            }
            catch (err) {
                if (isAlreadyExists(err))
                    throw new _errors_js__WEBPACK_IMPORTED_MODULE_7__/* .AssetExistsError */ .N(`Release '${release.tag}' already has an asset named '${name}'.`);
                throw explain(err, `uploading '${name}' to release '${release.tag}' of ${where}`);
            }
        }
    };
}
/** The triggering release on `release` events (github.context.payload.release). */
function releaseFromEvent(eventName, payload) {
    if (eventName !== 'release' || typeof payload !== 'object' || payload === null)
        return undefined;
    const r = payload.release;
    if (!r || typeof r.id !== 'number' || typeof r.tag_name !== 'string' || typeof r.upload_url !== 'string')
        return undefined;
    return toRef({ id: r.id, tag_name: r.tag_name, upload_url: r.upload_url, html_url: typeof r.html_url === 'string' ? r.html_url : '' });
}
/** How often a tag's release is read again after GitHub said another job had just created it. */
const CREATED_READS = 5;
const CREATED_READ_WAIT_MS = 1000;
/**
 * The release to attach to: the triggering one, the one of `tag`, or, with `create`, one made for
 * the tag. Safe when several jobs make it at once: GitHub refuses a second published release of a
 * tag (422 already_exists), so the loser reads the winner's; drafts it does not refuse (any number
 * may share a tag), so a job that made a draft lists the tag's drafts and keeps the oldest,
 * deleting its own when another is older: every job ends on the same release.
 */
async function findRelease(opts) {
    const { api, tag, eventRelease, create } = opts;
    if (!tag || tag === eventRelease?.tag) {
        if (eventRelease)
            return eventRelease;
        throw new _errors_js__WEBPACK_IMPORTED_MODULE_7__/* .PublishError */ .S("No release to attach the video to: set 'release-tag', or run on a `release` event.");
    }
    const found = (await api.getReleaseByTag(tag)) ?? (create?.draft ? (await api.listDrafts(tag))[0] : undefined);
    if (found)
        return found;
    if (!create)
        throw new _errors_js__WEBPACK_IMPORTED_MODULE_7__/* .PublishError */ .S(`No release with tag '${(0,_shared_untrusted_js__WEBPACK_IMPORTED_MODULE_6__/* .oneLine */ .TN)(tag)}' was found ('release-tag'). Set 'create-release: true' to create it, or create or publish it first: draft releases are not found by tag.`);
    const made = await api.createRelease(create);
    const shown = (0,_shared_untrusted_js__WEBPACK_IMPORTED_MODULE_6__/* .oneLine */ .TN)(tag);
    if (!made) {
        // another job created it between our look and our create: read it (GitHub may lag a moment)
        for (let i = 0; i < CREATED_READS; i++) {
            const theirs = await api.getReleaseByTag(tag);
            if (theirs) {
                _shared_log_js__WEBPACK_IMPORTED_MODULE_5__/* .log */ .R.info(`Release '${shown}' was created by another job at the same moment: using it.`);
                return theirs;
            }
            await new Promise(r => setTimeout(r, CREATED_READ_WAIT_MS));
        }
        throw new _errors_js__WEBPACK_IMPORTED_MODULE_7__/* .PublishError */ .S(`GitHub says a release with tag '${shown}' exists, but it cannot be read: is it a draft? Set 'release-draft: true' to use drafts.`);
    }
    if (create.draft) {
        const oldest = (await api.listDrafts(tag))[0];
        if (oldest && oldest.id !== made.id) {
            await api.deleteRelease(made.id);
            _shared_log_js__WEBPACK_IMPORTED_MODULE_5__/* .log */ .R.info(`Release '${shown}': another job created a draft of it first; using that one (the second draft was deleted).`);
            return oldest;
        }
    }
    _shared_log_js__WEBPACK_IMPORTED_MODULE_5__/* .log */ .R.info(`Created the ${create.draft ? 'draft ' : create.prerelease ? 'pre-' : ''}release '${shown}' ('create-release'): ${(0,_shared_untrusted_js__WEBPACK_IMPORTED_MODULE_6__/* .oneLine */ .TN)(made.htmlUrl, 2000)}`);
    return made;
}
/** GitHub stores spaces in asset names as dots; match either spelling. */
const sameAsset = (name) => (a) => a.name === name || a.name === name.replace(/ /g, '.');
function existsError(name, release) {
    return new _errors_js__WEBPACK_IMPORTED_MODULE_7__/* .PublishError */ .S(`Release '${release.tag}' already has an asset named '${name}'. Set 'overwrite: true' to replace it, or remove it from the release.`);
}
async function removeExisting(api, release, name) {
    const existing = (await api.listAssets(release.id)).filter(sameAsset(name));
    for (const a of existing) {
        _shared_log_js__WEBPACK_IMPORTED_MODULE_5__/* .log */ .R.info(`Deleting the existing asset '${(0,_shared_untrusted_js__WEBPACK_IMPORTED_MODULE_6__/* .oneLine */ .TN)(a.name)}' (id ${a.id}) from release '${(0,_shared_untrusted_js__WEBPACK_IMPORTED_MODULE_6__/* .oneLine */ .TN)(release.tag)}' (overwrite: true).`);
        await api.deleteAsset(a.id);
    }
    return existing.length > 0;
}
async function attachToRelease(opts) {
    const { api, tag, eventRelease, file, name, overwrite } = opts;
    let release;
    if (tag && tag !== eventRelease?.tag) {
        release = await api.getReleaseByTag(tag);
        if (!release) {
            throw new _errors_js__WEBPACK_IMPORTED_MODULE_7__/* .PublishError */ .S(`No release with tag '${tag}' was found ('release-tag'). Set 'create-release: true' to create it, or create or publish it first: draft releases are not found by tag.`);
        }
    }
    else {
        release = eventRelease;
    }
    if (!release)
        throw new _errors_js__WEBPACK_IMPORTED_MODULE_7__/* .PublishError */ .S("No release to attach the video to: set 'release-tag', or run on a `release` event.");
    const { size } = await (0,node_fs_promises__WEBPACK_IMPORTED_MODULE_3__.stat)(file);
    if (overwrite) {
        await removeExisting(api, release, name);
    }
    else if ((await api.listAssets(release.id)).some(sameAsset(name))) {
        throw existsError(name, release);
    }
    // the names and the tag come from file names and the release: one line each, through the log helper
    const shown = { name: (0,_shared_untrusted_js__WEBPACK_IMPORTED_MODULE_6__/* .oneLine */ .TN)(name), tag: (0,_shared_untrusted_js__WEBPACK_IMPORTED_MODULE_6__/* .oneLine */ .TN)(release.tag) };
    _shared_log_js__WEBPACK_IMPORTED_MODULE_5__/* .log */ .R.info(`Uploading '${shown.name}' (${size} bytes) to release '${shown.tag}'.`);
    let asset;
    try {
        asset = await api.uploadAsset(release, name, file, size);
    }
    catch (err) {
        if (!(err instanceof _errors_js__WEBPACK_IMPORTED_MODULE_7__/* .AssetExistsError */ .N))
            throw err;
        // Another job uploaded the same name between our listing and our upload.
        if (!overwrite)
            throw existsError(name, release);
        _shared_log_js__WEBPACK_IMPORTED_MODULE_5__/* .log */ .R.info(`'${shown.name}' appeared on release '${shown.tag}' during the upload; replacing it once.`);
        await removeExisting(api, release, name);
        asset = await api.uploadAsset(release, name, file, size).catch((again) => {
            if (!(again instanceof _errors_js__WEBPACK_IMPORTED_MODULE_7__/* .AssetExistsError */ .N))
                throw again;
            throw new _errors_js__WEBPACK_IMPORTED_MODULE_7__/* .PublishError */ .S(`'${name}' was uploaded to release '${release.tag}' again by someone else while it was being replaced: give each job its own asset name.`);
        });
    }
    _shared_log_js__WEBPACK_IMPORTED_MODULE_5__/* .log */ .R.info(`Attached to release '${shown.tag}': ${(0,_shared_untrusted_js__WEBPACK_IMPORTED_MODULE_6__/* .oneLine */ .TN)(asset.url, 2000)}`);
    return { assetUrl: asset.url, release };
}
// The video block in the release notes. A block is replaced only when the action can prove it
// wrote it; every other text, markers included, is left as it is (a marker can sit inside a pull
// request title of generated notes, with hand-written text after it).
//
// This version writes, each on a line of its own:
//   <!-- img2vid:begin sha256=<the first 16 hex digits of the SHA-256 of the lines between> -->
//   one video line per video (videoBlock)
//   <!-- img2vid:end -->
// The previous version wrote `<!-- img2vid:begin -->` without a checksum; its block is still
// replaced when it is proven by its shape alone: both markers on lines of their own, and every line
// between one of its video lines: link text without `[]()<>*_\` and backticks, and links to
// release assets (…/releases/download/…) without parentheses or spaces.
const BEGIN_OLD = '<!-- img2vid:begin -->';
const END = '<!-- img2vid:end -->';
const beginLine = (content) => `<!-- img2vid:begin sha256=${checksum(content)} -->`;
const BEGIN_SIGNED = /^<!-- img2vid:begin sha256=([0-9a-f]{16}) -->$/;
/** Any text that looks like one of the markers, wherever it is. */
const ANY_MARKER = /<!--\s*img2vid:(?:begin|end)\b/g;
const checksum = (content) => (0,node_crypto__WEBPACK_IMPORTED_MODULE_1__.createHash)('sha256').update(content).digest('hex').slice(0, 16);
/** A line of the block as this version writes it (videoBlock): escaped link text, encoded URLs. */
const TEXT = String.raw `(?:[^\\\[\]<>&\r\n]|\\[!-/:-@[-\x60{-~])+`;
const LINK_URL = String.raw `[^\s()<>\\]+`;
const VIDEO_LINE = new RegExp(String.raw `^(?:\[!\[${TEXT}\]\(${LINK_URL}\)\]\(${LINK_URL}\)|\[${TEXT}\]\(${LINK_URL}\))$`);
/** A line of the block as the previous version wrote it. */
const OLD_TEXT = String.raw `[^[\]()<>\x60*_\\\r\n]*`;
const OLD_URL = String.raw `https?://[^()\s]*/releases/download/[^()\s]+`;
const OLD_VIDEO_LINE = new RegExp(String.raw `^(?:\[!\[${OLD_TEXT}\]\(${OLD_URL}\)\]\(${OLD_URL}\)|\[${OLD_TEXT}\]\(${OLD_URL}\))$`);
/** True when lines[begin..end] (begin and end markers) is a block this action wrote. */
function proven(lines, begin, end) {
    const content = lines.slice(begin + 1, end);
    if (!content.length)
        return false;
    const signed = BEGIN_SIGNED.exec(lines[begin]);
    if (signed)
        return signed[1] === checksum(content.join('\n')) && content.every(l => VIDEO_LINE.test(l));
    return lines[begin] === BEGIN_OLD && content.every(l => OLD_VIDEO_LINE.test(l));
}
/** The link text of a video line (its name, escaped as videoBlock writes it), or undefined. */
const LINE_NAME = new RegExp(String.raw `^\[(?:!\[)?(${TEXT})\]\(`);
/**
 * The block's lines when `order` (the manifest's names, one job of a matrix) is given: this job's
 * `own` lines, and the lines `existing` holds for the manifest's other videos (written by the
 * other jobs), by manifest order; a video's formats (`name-1080x1920`) stay together in the order
 * they were made. Without `order`, this job made every video: its own lines only.
 */
function mergeLines(existing, own, order) {
    if (!order)
        return own;
    const keys = order.map(linkText);
    const entryOf = (line) => {
        const name = LINE_NAME.exec(line)?.[1];
        return name === undefined
            ? -1
            : keys.findIndex(k => name === k || (name.startsWith(`${k}-`) && /^\d+x\d+$/.test(name.slice(k.length + 1))));
    };
    const made = new Set(own.map(l => LINE_NAME.exec(l)?.[1]));
    const seen = new Set();
    const others = existing.filter(l => {
        const name = LINE_NAME.exec(l)?.[1];
        if (name === undefined || made.has(name) || seen.has(name) || entryOf(l) < 0)
            return false;
        seen.add(name);
        return true;
    });
    // a stable sort: lines of one video keep their order
    return [...others, ...own]
        .map((line, i) => ({ line, i, at: entryOf(line) }))
        .sort((a, b) => (a.at < 0 ? keys.length : a.at) - (b.at < 0 ? keys.length : b.at) || a.i - b.i)
        .map(x => x.line);
}
/**
 * The release body with the action's block replaced (the first one it can prove it wrote), or
 * appended when there is none; with `order` (see mergeLines), the other jobs' lines in it kept.
 * `foreign` counts the markers it left alone, which the caller warns about. The rest of the body
 * is kept as it was, its line ends (GitHub stores CRLF after an edit in the browser) included.
 */
function withVideoBlock(body, block, order) {
    const own = block.trim().split('\n');
    const wrap = (content) => `${beginLine(content)}\n${content}\n${END}`;
    const wrapped = wrap(mergeLines([], own, order).join('\n'));
    const lines = body.split('\n');
    const bare = lines.map(l => l.replace(/\r$/, ''));
    const markers = (text) => text.match(ANY_MARKER)?.length ?? 0;
    // each line's next end marker, in one pass from the end (the body may hold many markers)
    const nextEnd = [];
    for (let i = bare.length - 1, end = -1; i >= 0; i--) {
        nextEnd[i] = end;
        if (bare[i] === END)
            end = i;
    }
    for (let i = 0; i < bare.length; i++) {
        const end = nextEnd[i];
        if (end < 0 || !(bare[i] === BEGIN_OLD || BEGIN_SIGNED.test(bare[i])) || !proven(bare, i, end))
            continue;
        const eol = lines[end].endsWith('\r') ? '\r' : '';
        const merged = wrap(mergeLines(bare.slice(i + 1, end), own, order).join('\n'));
        const next = [...lines.slice(0, i), merged.replace(/\n/g, `${eol}\n`) + eol, ...lines.slice(end + 1)].join('\n');
        const around = [...lines.slice(0, i), ...lines.slice(end + 1)].join('\n');
        return { body: next, replaced: true, foreign: markers(around) };
    }
    const appended = body.trim() ? `${body.replace(/\s+$/, '')}\n\n${wrapped}\n` : `${wrapped}\n`;
    return { body: appended, replaced: false, foreign: markers(body) };
}
/** A video's name as the link text of its line (see videoBlock). */
function linkText(name) {
    return (name
        // eslint-disable-next-line no-control-regex -- control characters are what is replaced
        .replace(/[\x00-\x1f\x7f-\x9f\u2028\u2029]+/g, ' ')
        .trim()
        .replace(/[\\[\]<>&*_~`!|]/g, '\\$&') || 'video');
}
/**
 * One line per video: its poster, linking to its MP4 (Markdown). A name is one line of plain
 * text: line breaks and control characters become spaces, and the characters Markdown or HTML
 * reads inside link text (brackets, backslash, angle brackets, `&`, `*`, `_`, `~`, backtick, `!`
 * and `|`) are backslash-escaped, so no name can end the link, the line or the block, or form a
 * tag or an entity.
 */
function videoBlock(videos) {
    const text = linkText;
    // a URL inside (…) holds no parenthesis, space, angle bracket or backslash (asset URLs are already encoded)
    const url = (u) => u.replace(/[()<>\\\s]/g, c => ({ '(': '%28', ')': '%29' })[c] ?? encodeURIComponent(c));
    return videos
        .map(v => (v.posterUrl ? `[![${text(v.name)}](${url(v.posterUrl)})](${url(v.mp4Url)})` : `[${text(v.name)}](${url(v.mp4Url)})`))
        .join('\n');
}
/** How long a job of a matrix waits after writing the notes before it reads them back, and how often it writes at most. */
const NOTES_SETTLE_MS = 2000;
const NOTES_TRIES = 6;
/**
 * Writes the video block into the release notes. Alone (no `order`), one read and one write. As
 * one job of a matrix, other jobs write the same notes at the same moment and the releases API has
 * no compare-and-set: after each write the job waits a settle time with jitter (longer than a
 * read-and-write of another job that read before this write landed), reads the notes back, and
 * while its lines are not there as it wrote them, merges again and writes, `tries` times at most.
 */
async function writeVideoBlock(api, releaseId, block, opts = {}) {
    const { order, settleMs = NOTES_SETTLE_MS, tries = NOTES_TRIES } = opts;
    let body = await api.getBody(releaseId);
    let first;
    let writes = 0;
    for (let attempt = 1;; attempt++) {
        const next = withVideoBlock(body, block, order);
        first ??= next;
        if (next.body === body)
            return { ...first, writes, repairs: Math.max(0, writes - 1), kept: true };
        if (attempt > tries)
            return { ...first, writes, repairs: Math.max(0, writes - 1), kept: false };
        await api.setBody(releaseId, next.body);
        writes++;
        if (!order)
            return { ...first, writes, repairs: 0, kept: true };
        await new Promise(r => setTimeout(r, settleMs * (1 + Math.random())));
        body = await api.getBody(releaseId);
    }
}


/***/ })

};
