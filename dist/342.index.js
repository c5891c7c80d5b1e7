export const id = 342;
export const ids = [342];
export const modules = {

/***/ 20342:
/***/ ((__unused_webpack_module, __webpack_exports__, __webpack_require__) => {

__webpack_require__.r(__webpack_exports__);
/* harmony export */ __webpack_require__.d(__webpack_exports__, {
/* harmony export */   downloadEntry: () => (/* binding */ downloadEntry),
/* harmony export */   unpackEntry: () => (/* binding */ unpackEntry)
/* harmony export */ });
/* harmony import */ var node_fs__WEBPACK_IMPORTED_MODULE_0__ = __webpack_require__(73024);
/* harmony import */ var node_fs__WEBPACK_IMPORTED_MODULE_0___default = /*#__PURE__*/__webpack_require__.n(node_fs__WEBPACK_IMPORTED_MODULE_0__);
/* harmony import */ var node_fs_promises__WEBPACK_IMPORTED_MODULE_1__ = __webpack_require__(51455);
/* harmony import */ var node_fs_promises__WEBPACK_IMPORTED_MODULE_1___default = /*#__PURE__*/__webpack_require__.n(node_fs_promises__WEBPACK_IMPORTED_MODULE_1__);
/* harmony import */ var node_path__WEBPACK_IMPORTED_MODULE_2__ = __webpack_require__(76760);
/* harmony import */ var node_path__WEBPACK_IMPORTED_MODULE_2___default = /*#__PURE__*/__webpack_require__.n(node_path__WEBPACK_IMPORTED_MODULE_2__);
/* harmony import */ var node_stream__WEBPACK_IMPORTED_MODULE_3__ = __webpack_require__(57075);
/* harmony import */ var node_stream__WEBPACK_IMPORTED_MODULE_3___default = /*#__PURE__*/__webpack_require__.n(node_stream__WEBPACK_IMPORTED_MODULE_3__);
/* harmony import */ var node_stream_promises__WEBPACK_IMPORTED_MODULE_4__ = __webpack_require__(46466);
/* harmony import */ var node_stream_promises__WEBPACK_IMPORTED_MODULE_4___default = /*#__PURE__*/__webpack_require__.n(node_stream_promises__WEBPACK_IMPORTED_MODULE_4__);
/* harmony import */ var node_zlib__WEBPACK_IMPORTED_MODULE_5__ = __webpack_require__(38522);
/* harmony import */ var node_zlib__WEBPACK_IMPORTED_MODULE_5___default = /*#__PURE__*/__webpack_require__.n(node_zlib__WEBPACK_IMPORTED_MODULE_5__);
/* harmony import */ var tar_stream__WEBPACK_IMPORTED_MODULE_6__ = __webpack_require__(56118);
/* harmony import */ var _shared_untrusted_js__WEBPACK_IMPORTED_MODULE_7__ = __webpack_require__(37991);
/* harmony import */ var _errors_js__WEBPACK_IMPORTED_MODULE_8__ = __webpack_require__(1652);
// A cache entry read without trusting it. Anyone who can write an entry a run reads (a job on the
// default branch that runs a compromised dependency, a pull_request_target job that runs PR code)
// chooses its archive. @actions/cache's restoreCache extracts that archive with
// `tar -P -C $GITHUB_WORKSPACE` before its caller sees a byte: `../` and absolute names, links and
// any path of the workspace (`.git/hooks/…`) are written. So a hit is found and downloaded by the
// toolkit's own client (its internal functions: the very calls restoreCache makes, for both cache
// services) into a fresh private folder, and unpacked here, in the process: only regular files with
// the exact names the action saves, each under its size cap, each written once under a name chosen
// here (never the member's). Anything else refuses the whole entry before any of it is used.
// (Folder members of exactly the entry's own folders are skipped: nothing is made for them.)









/**
 * @actions/cache's zstd archives are made with `--long=30` (a window of up to 1 GiB, which it
 * reads back with `unzstd --long=30`); the window's memory is only touched as far as the data goes.
 */
const ZSTD_WINDOW_LOG_MAX = 30;
/** tar's headers (pax records with times), padding and end blocks around the members' bytes */
const TAR_OVERHEAD = 1024 * 1024;
let internals;
/**
 * The toolkit's internal modules, loaded on first use. They are not in its package exports, so
 * they are named by path; their types come with them, so an upgrade that moves or changes them
 * fails the type check and the build, never a run.
 */
const cacheInternals = () => (internals ??= Promise.all([
    __webpack_require__.e(/* import() */ 253).then(__webpack_require__.bind(__webpack_require__, 65253)),
    __webpack_require__.e(/* import() */ 604).then(__webpack_require__.bind(__webpack_require__, 48604)),
    Promise.all(/* import() */[__webpack_require__.e(604), __webpack_require__.e(222), __webpack_require__.e(632)]).then(__webpack_require__.bind(__webpack_require__, 71632)),
    Promise.all(/* import() */[__webpack_require__.e(604), __webpack_require__.e(420), __webpack_require__.e(513), __webpack_require__.e(201)]).then(__webpack_require__.bind(__webpack_require__, 99513))
]));
/**
 * Looks the entry of `key` (saved with `paths`, which make its version) up with the cache service
 * and downloads its archive to `archive`, as restoreCache does, without extracting it. The exact
 * key only (no restore keys). Returns why there is nothing to restore, or undefined when the
 * archive is there; a failing service throws.
 */
async function downloadEntry(paths, key, archive) {
    const [config, utils, http, twirp] = await cacheInternals();
    const mode = config.getCacheMode();
    if (!config.isCacheReadable(mode))
        return `the cache mode '${mode}' does not permit reads`;
    const compressionMethod = await utils.getCompressionMethod();
    if (config.getCacheServiceVersion() === 'v2') {
        const version = utils.getCacheVersion(paths, compressionMethod, false);
        const found = await twirp.internalCacheTwirpClient().GetCacheEntryDownloadURL({ key, restoreKeys: [], version });
        if (!found.ok || found.matchedKey !== key || !found.signedDownloadUrl)
            return `no entry for ${key}`;
        // restoreCache downloads from the v2 service with the Azure SDK
        await http.downloadCache(found.signedDownloadUrl, archive, { useAzureSdk: true });
        return undefined;
    }
    const found = await http.getCacheEntry([key], paths, { compressionMethod, enableCrossOsArchive: false });
    if (!found?.archiveLocation || found.cacheKey !== key)
        return `no entry for ${key}`;
    await http.downloadCache(found.archiveLocation, archive);
    return undefined;
}
/** The decompressor for the archive's first bytes: zstd or gzip, as @actions/cache makes them. */
async function decompressor(archive) {
    const fh = await (0,node_fs_promises__WEBPACK_IMPORTED_MODULE_1__.open)(archive, 'r');
    const head = Buffer.alloc(4);
    try {
        await fh.read(head, 0, 4, 0);
    }
    finally {
        await fh.close();
    }
    if (head.equals(Buffer.from([0x28, 0xb5, 0x2f, 0xfd]))) {
        return (0,node_zlib__WEBPACK_IMPORTED_MODULE_5__.createZstdDecompress)({ params: { [node_zlib__WEBPACK_IMPORTED_MODULE_5__.constants.ZSTD_d_windowLogMax]: ZSTD_WINDOW_LOG_MAX } });
    }
    if (head[0] === 0x1f && head[1] === 0x8b)
        return (0,node_zlib__WEBPACK_IMPORTED_MODULE_5__.createGunzip)();
    throw new _errors_js__WEBPACK_IMPORTED_MODULE_8__/* .EntryRefused */ .j('its archive is neither zstd nor gzip');
}
/**
 * Unpacks `archive` into the private folder `into`: each of `members` exactly once, as a regular
 * file under its cap, nothing else. The bytes decompressed are counted and capped too (a small
 * archive must not decompress forever). Throws EntryRefused when the entry is not the action's.
 */
async function unpackEntry(archive, into, members) {
    const byName = new Map(members.map(m => [m.name, m]));
    // the members' own folders ('a/', 'a/b/'), which tar adds when a folder rather than its files is
    // packed: skipped, as nothing is ever made from a member's name
    const folders = new Set(members.flatMap(m => m.name
        .split('/')
        .slice(0, -1)
        .map((_, i, parts) => `${parts.slice(0, i + 1).join('/')}/`)));
    const maxBytes = members.reduce((n, m) => n + m.maxBytes, TAR_OVERHEAD);
    // compressed, the members are no larger than they are (zstd and gzip add bytes only to noise)
    const { size } = await (0,node_fs_promises__WEBPACK_IMPORTED_MODULE_1__.stat)(archive);
    if (size > maxBytes * 1.01)
        throw new _errors_js__WEBPACK_IMPORTED_MODULE_8__/* .EntryRefused */ .j(`its archive is ${size} bytes, more than the files it may hold`);
    let total = 0;
    const count = new node_stream__WEBPACK_IMPORTED_MODULE_3__.Transform({
        transform(chunk, _enc, done) {
            total += chunk.length;
            if (total > maxBytes)
                done(new _errors_js__WEBPACK_IMPORTED_MODULE_8__/* .EntryRefused */ .j(`its archive decompresses to more than ${maxBytes} bytes`));
            else
                done(null, chunk);
        }
    });
    const tar = (0,tar_stream__WEBPACK_IMPORTED_MODULE_6__.extract)();
    const feed = (0,node_stream_promises__WEBPACK_IMPORTED_MODULE_4__.pipeline)((0,node_fs__WEBPACK_IMPORTED_MODULE_0__.createReadStream)(archive), await decompressor(archive), count, tar);
    // settled below; when the loop stops first, its error is the one reported
    feed.catch(() => undefined);
    const seen = new Set();
    try {
        for await (const entry of tar) {
            const { name, type, size: bytes } = entry.header;
            const quoted = `'${(0,_shared_untrusted_js__WEBPACK_IMPORTED_MODULE_7__/* .oneLine */ .TN)(name, 160)}'`;
            if (type === 'directory' && folders.has(name)) {
                entry.resume();
                continue;
            }
            const member = byName.get(name);
            if (!member)
                throw new _errors_js__WEBPACK_IMPORTED_MODULE_8__/* .EntryRefused */ .j(`it holds ${quoted}, which the action does not write`);
            if (type !== 'file')
                throw new _errors_js__WEBPACK_IMPORTED_MODULE_8__/* .EntryRefused */ .j(`${quoted} is a ${type}, not a regular file`);
            if (seen.has(name))
                throw new _errors_js__WEBPACK_IMPORTED_MODULE_8__/* .EntryRefused */ .j(`it holds ${quoted} twice`);
            if (bytes > member.maxBytes)
                throw new _errors_js__WEBPACK_IMPORTED_MODULE_8__/* .EntryRefused */ .j(`${quoted} is ${bytes} bytes, over the ${member.maxBytes} byte cap`);
            seen.add(name);
            // 'wx': created here, never opened through anything already there
            await (0,node_stream_promises__WEBPACK_IMPORTED_MODULE_4__.pipeline)(entry, (0,node_fs__WEBPACK_IMPORTED_MODULE_0__.createWriteStream)((0,node_path__WEBPACK_IMPORTED_MODULE_2__.join)(into, member.file), { flags: 'wx' }));
        }
        await feed;
    }
    catch (err) {
        tar.destroy();
        await feed.catch(() => undefined);
        // a file system error (a full disk) is the runner's, not the entry's
        if (err instanceof _errors_js__WEBPACK_IMPORTED_MODULE_8__/* .EntryRefused */ .j || err.syscall)
            throw err;
        // tar-stream's words for a header that is not tar, and the decompressor's for a broken stream
        throw new _errors_js__WEBPACK_IMPORTED_MODULE_8__/* .EntryRefused */ .j(`its archive is not a whole tar archive: ${err.message}`);
    }
    const missing = members.filter(m => !seen.has(m.name)).map(m => m.file);
    if (missing.length)
        throw new _errors_js__WEBPACK_IMPORTED_MODULE_8__/* .EntryRefused */ .j(`it lacks ${missing.join(', ')}`);
}


/***/ })

};
