export const id = 572;
export const ids = [572];
export const modules = {

/***/ 21572:
/***/ ((__unused_webpack_module, __webpack_exports__, __webpack_require__) => {


// EXPORTS
__webpack_require__.d(__webpack_exports__, {
  createLocalBackend: () => (/* binding */ createLocalBackend)
});

// UNUSED EXPORTS: findFont, renderPlan

// EXTERNAL MODULE: external "node:crypto"
var external_node_crypto_ = __webpack_require__(77598);
// EXTERNAL MODULE: external "node:fs"
var external_node_fs_ = __webpack_require__(73024);
// EXTERNAL MODULE: external "node:fs/promises"
var promises_ = __webpack_require__(51455);
// EXTERNAL MODULE: external "node:path"
var external_node_path_ = __webpack_require__(76760);
// EXTERNAL MODULE: ./src/shared/log.ts
var log = __webpack_require__(21827);
// EXTERNAL MODULE: ./src/shared/timeline.ts
var timeline = __webpack_require__(20098);
// EXTERNAL MODULE: ./src/backends/local/ffmpeg.ts + 4 modules
var local_ffmpeg = __webpack_require__(29229);
;// CONCATENATED MODULE: ./src/backends/local/filtergraph.ts
const PRESET = 'veryfast';
const XFADE = { fade: 'fade', slide: 'slideleft', wipe: 'wipeleft', zoom: 'zoomin' };
/** Frames of each clip at the plan's fps (what ffmpeg will really produce). */
function clipFrames(plan) {
    return plan.clips.map(c => Math.max(1, Math.round(c.duration * plan.fps)));
}
/**
 * xfade offsets: offset_k = Σ D_j (j<k) − k·T. An offset at or past the end of the chain so far
 * makes ffmpeg silently drop the rest, so every one is checked here.
 */
function xfadeOffsets(durations, T) {
    if (durations.length < 2 || T <= 0)
        return [];
    const shortest = Math.min(...durations);
    if (!(T < shortest))
        throw new Error(`transition of ${T} s does not fit a clip of ${shortest} s`);
    const offsets = [];
    let chain = durations[0];
    for (let k = 1; k < durations.length; k++) {
        const offset = chain - T;
        const prev = offsets.at(-1) ?? 0;
        if (!(offset > prev) || offset + T > chain + 1e-9)
            throw new Error(`invalid xfade offset ${offset} for clip ${k} (chain ${chain} s)`);
        offsets.push(Math.round(offset * 1e6) / 1e6);
        chain += durations[k] - T;
    }
    return offsets;
}
/** Quote a value for a filtergraph option (paths, expressions with commas). */
function quote(value) {
    return `'${value.replace(/\\/g, '\\\\').replace(/'/g, "'\\''").replace(/:/g, '\\:')}'`;
}
// Ken Burns, alternating per image. Zooms run zoompan on a 1.5× still (sub-pixel steps hide the
// integer crop grid); pans crop a once-scaled still that moves exactly 1 px a frame, which costs
// no per-frame scaling and cannot judder. Measured per 3.5 s 1080p clip: zoompan on 2× 0.59 s,
// on 1.5× 0.48 s, pan 0.09 s of one core.
const ZOOMS = [
    { z: (p) => `1+0.12*${p}`, x: (_p) => `(iw-iw/zoom)*0.5`, y: (_p) => `(ih-ih/zoom)*0.5` },
    { z: (p) => `1.12-0.12*${p}`, x: (p) => `(iw-iw/zoom)*${p}`, y: (_p) => `(ih-ih/zoom)*0.4` }
];
const PANS = ['right', 'down', 'left', 'up'];
const even = (n) => Math.round(n / 2) * 2;
/** Cover-crop to exactly w×h, square pixels, 8-bit 4:2:0 once (not per frame). */
function cover(w, h) {
    return `scale=${w}:${h}:force_original_aspect_ratio=increase:flags=bicubic,crop=${w}:${h},setsar=1,format=yuv420p`;
}
/** One still repeated for F frames, with clean timestamps. */
function still(F, fps) {
    return `loop=loop=${F - 1}:size=1:start=0,settb=AVTB,setpts=N/${fps}/TB`;
}
function clipFilter(i, F, plan) {
    const { width: W, height: H, fps } = plan;
    if (!plan.kenBurns)
        return `${cover(W, H)},${still(F, fps)}`;
    if (i % 2 === 0) {
        const m = ZOOMS[(i / 2) % ZOOMS.length];
        const p = `(on/${Math.max(1, F - 1)})`;
        return `${cover(even(W * 1.5), even(H * 1.5))},zoompan=z='${m.z(p)}':x='${m.x(p)}':y='${m.y(p)}':d=${F}:s=${W}x${H}:fps=${fps}`;
    }
    const dir = PANS[((i - 1) / 2) % PANS.length];
    const travel = F - 1;
    if (dir === 'right' || dir === 'left') {
        const x = dir === 'right' ? 'n' : `${travel}-n`;
        return `${cover(even(W + travel + 1), H)},${still(F, fps)},crop=${W}:${H}:x='min(${x},${travel})':y=0`;
    }
    const y = dir === 'down' ? 'n' : `${travel}-n`;
    return `${cover(W, even(H + travel + 1))},${still(F, fps)},crop=${W}:${H}:x=0:y='min(${y},${travel})'`;
}
/**
 * Crossfades on the overlapping frames only: every clip is split into head, body and tail
 * (frame-exact trims), xfade blends tail k with head k+1, and concat joins bodies and blends.
 * The same result as an xfade chain at the offsets above, but frames outside a transition are
 * not pushed through every later xfade: measured for 30 s at 1080p from 10 photos, 14.7 s
 * instead of 17.0 s.
 */
function transitions(frames, plan) {
    const T = Math.round(plan.transitionDuration * plan.fps);
    const n = frames.length;
    const lines = [];
    const trim = (from, start, end, to) => `[${from}]trim=start_frame=${start}:end_frame=${end},setpts=PTS-STARTPTS[${to}]`;
    for (let k = 0; k < n; k++) {
        const F = frames[k];
        const head = k > 0;
        const tail = k < n - 1;
        const bodyStart = head ? T : 0;
        const bodyEnd = tail ? F - T : F;
        if (bodyEnd <= bodyStart)
            throw new Error(`clip ${k + 1} (${F} frames) is too short for two ${T}-frame transitions`);
        const parts = [head ? `h${k}` : '', `b${k}`, tail ? `t${k}` : ''].filter(Boolean);
        lines.push(`[v${k}]split=${parts.length}${parts.map(p => `[${p}]`).join('')}`);
        if (head)
            lines.push(trim(`h${k}`, 0, T, `H${k}`));
        lines.push(trim(`b${k}`, bodyStart, bodyEnd, `B${k}`));
        if (tail)
            lines.push(trim(`t${k}`, F - T, F, `T${k}`));
    }
    const kind = XFADE[plan.transition] ?? 'fade';
    const order = [];
    for (let k = 0; k < n; k++) {
        order.push(`[B${k}]`);
        if (k < n - 1) {
            lines.push(`[T${k}][H${k + 1}]xfade=transition=${kind}:duration=${T / plan.fps}:offset=0[X${k}]`);
            order.push(`[X${k}]`);
        }
    }
    lines.push(`${order.join('')}concat=n=${order.length}:v=1:a=0[vx]`);
    return lines;
}
function buildGraph(plan, files) {
    const { width: W, height: H, fps } = plan;
    const frames = clipFrames(plan);
    const durations = frames.map(f => f / fps);
    const lines = [];
    plan.clips.forEach((_c, i) => {
        lines.push(`[${i}:v]${clipFilter(i, frames[i], plan)},settb=AVTB,setpts=PTS-STARTPTS[v${i}]`);
    });
    let last = 'v0';
    if (plan.clips.length > 1) {
        if (plan.transition === 'none' || plan.transitionDuration <= 0) {
            lines.push(`${plan.clips.map((_c, i) => `[v${i}]`).join('')}concat=n=${plan.clips.length}:v=1:a=0[vcat]`);
            last = 'vcat';
        }
        else {
            // where each transition starts on the timeline; checked here because an offset past a
            // clip's end makes ffmpeg drop the rest silently
            xfadeOffsets(durations, plan.transitionDuration);
            lines.push(...transitions(frames, plan));
            last = 'vx';
        }
    }
    if (plan.title && files.titleFile && files.fontFile) {
        const D = plan.title.duration;
        const size = Math.round(Math.min(W, H) / 12);
        const alpha = `if(lt(t,0.4),t/0.4,if(lt(t,${D - 0.5}),1,max(0,(${D}-t)/0.5)))`;
        lines.push(`[${last}]drawtext=fontfile=${quote(files.fontFile)}:textfile=${quote(files.titleFile)}:expansion=none:fontsize=${size}:fontcolor=white:` +
            `box=1:boxcolor=black@0.35:boxborderw=${Math.round(size / 2)}:x=(w-text_w)/2:y=(h-text_h)/2:` +
            `alpha=${quote(alpha)}:enable=${quote(`lt(t,${D})`)}[vt]`);
        last = 'vt';
    }
    lines.push(`[${last}]format=yuv420p[vout]`);
    let audioOut;
    if (plan.music) {
        const total = plan.total;
        const fadeOut = Math.min(1.5, total / 3);
        lines.push(`[${plan.clips.length}:a]atrim=0:${total},asetpts=PTS-STARTPTS,aresample=48000,aformat=channel_layouts=stereo,` +
            `afade=t=in:st=0:d=${Math.min(1, total / 3)},afade=t=out:st=${Math.max(0, total - fadeOut)}:d=${fadeOut}[aout]`);
        audioOut = 'aout';
    }
    return { graph: lines.join(';\n'), videoOut: 'vout', audioOut };
}
/**
 * `-i` for a still image, read as the file it names: the image2 demuxer would take `a%d.jpg` as a
 * numbered sequence and a `name:` prefix as a protocol.
 */
function openLiterally(path) {
    return ['-f', 'image2', '-pattern_type', 'none', '-i', `file:${path}`];
}
/** The ffmpeg command line, with the graph read from `graphFile`. */
function buildArgs(plan, graphFile, output, hasAudio) {
    // the image demuxer's rate is the looped still's rate, and xfade needs every input at the same rate
    const inputs = plan.clips.flatMap(c => ['-framerate', String(plan.fps), ...openLiterally(c.path)]);
    // the music loops as often as needed; atrim cuts it to the video
    const music = plan.music ? ['-stream_loop', '-1', '-i', plan.music.path] : [];
    return [
        '-hide_banner',
        '-nostdin',
        '-y',
        '-loglevel',
        'error',
        '-progress',
        'pipe:1',
        '-nostats',
        ...inputs,
        ...music,
        '-filter_complex_script',
        graphFile,
        '-map',
        '[vout]',
        ...(hasAudio ? ['-map', '[aout]'] : []),
        '-c:v',
        'libx264',
        '-preset',
        PRESET,
        '-profile:v',
        'high',
        '-crf',
        '23',
        '-pix_fmt',
        'yuv420p',
        '-r',
        String(plan.fps),
        ...(hasAudio ? ['-c:a', 'aac', '-b:a', '160k'] : []),
        '-t',
        String(plan.total),
        '-movflags',
        '+faststart',
        '-f',
        'mp4',
        output
    ];
}

// EXTERNAL MODULE: ./src/request/request.ts
var request = __webpack_require__(40712);
;// CONCATENATED MODULE: ./src/backends/local/plan.ts
// Request → plan (+ the same t/tt/sg/d/m draft the cloud returns). Inputs win over what the
// prompt says; the prompt is read the way a person writes it ("30-second", "vertical", "fade").



/** What a person's prompt says about the options. */
function readPrompt(prompt) {
    const p = prompt.toLowerCase();
    const h = {};
    const dur = /(\d+(?:\.\d+)?)\s*(?:-|\s)?(?:seconds?|secs?|s)\b/.exec(p) ?? /(\d+(?:\.\d+)?)\s*(?:-|\s)?minutes?\b/.exec(p);
    if (dur)
        h.duration = /minute/.test(dur[0]) ? Number(dur[1]) * 60 : Number(dur[1]);
    if (/\b(9:16|vertical|portrait|stories|reels?|tiktok|shorts)\b/.test(p))
        h.aspectRatio = '9:16';
    else if (/\b(1:1|square)\b/.test(p))
        h.aspectRatio = '1:1';
    else if (/\b4:5\b/.test(p))
        h.aspectRatio = '4:5';
    else if (/\b(16:9|horizontal|landscape|widescreen)\b/.test(p))
        h.aspectRatio = '16:9';
    if (/\b720p\b/.test(p))
        h.resolution = '720p';
    else if (/\b1080p\b|\bfull hd\b/.test(p))
        h.resolution = '1080p';
    if (/\bno transitions?\b|\bhard cuts?\b|\bwithout transitions?\b/.test(p))
        h.transition = 'none';
    else if (/\b(cross-?fades?|fades?|dissolves?)\b/.test(p))
        h.transition = 'fade';
    else if (/\bslides?\b/.test(p))
        h.transition = 'slide';
    else if (/\bwipes?\b/.test(p))
        h.transition = 'wipe';
    if (/\b(no motion|static|still images?|no ken burns)\b/.test(p))
        h.kenBurns = false;
    else if (/\b(ken burns|zoom(?:s|ing)?|pan(?:s|ning)?)\b/.test(p))
        h.kenBurns = true;
    const title = /\btitle[d:]?\s*(?:text\s*)?["“']([^"”']{1,100})["”']/i.exec(prompt) ?? /["“]([^"”]{1,100})["”]/.exec(prompt);
    if (title)
        h.title = title[1].trim();
    return h;
}
const DEFAULT_PER_IMAGE = 4;
const DEFAULT_TRANSITION = 0.75;
function makePlan(req, images) {
    const hints = readPrompt(req.turns.join('\n'));
    const aspect = req.aspectRatio ?? hints.aspectRatio ?? '16:9';
    // 1080p is also the input's default, so a prompt that asks for 720p is heard
    const resolution = hints.resolution && req.resolution === '1080p' ? hints.resolution : req.resolution;
    const { width, height } = (0,request/* canvasSize */.IL)(aspect, resolution);
    const transition = req.transition ?? hints.transition ?? 'fade';
    const n = images.length;
    const target = req.duration ?? hints.duration;
    // per-image time: 3–5 s by default; fit to the target when one is given
    let T = transition === 'none' || n < 2 ? 0 : DEFAULT_TRANSITION;
    let per = target ? (target + (n - 1) * T) / n : DEFAULT_PER_IMAGE;
    if (T > 0) {
        T = Math.min(T, Math.max(0.2, per * 0.4));
        if (target)
            per = (target + (n - 1) * T) / n;
    }
    // whole frames everywhere, so the rendered length is exactly the planned one
    const fps = 30;
    const Tf = Math.round(T * fps);
    const totalFrames = target ? Math.round(target * fps) : Math.round(per * fps) * n - (n - 1) * Tf;
    const sum = totalFrames + (n - 1) * Tf;
    const base = Math.floor(sum / n);
    const clips = images.map((f, i) => ({ path: f.path, name: f.name, duration: (base + (i < sum - base * n ? 1 : 0)) / fps }));
    const total = totalFrames / fps;
    const titleText = req.title ?? hints.title;
    return {
        width,
        height,
        fps,
        clips,
        transition,
        transitionDuration: Tf / fps,
        kenBurns: hints.kenBurns ?? true,
        title: titleText ? { text: titleText, duration: Math.min(3, total) } : undefined,
        music: req.music && 'file' in req.music ? { path: req.music.file.path, name: req.music.file.name } : undefined,
        total
    };
}
/** The plan as a draft in the cloud's short-key form, so summaries look the same. */
function planToDraft(plan) {
    const ms = (s) => Math.round(s * 1000);
    let at = 0;
    const video = plan.clips.map((c, i) => {
        const sg = {
            st: ms(at),
            d: ms(c.duration),
            n: c.name,
            src: (0,external_node_path_.basename)(c.path),
            ...(i > 0 && plan.transition !== 'none' ? { tr: { type: plan.transition, d: ms(plan.transitionDuration) } } : {}),
            ...(plan.kenBurns ? { kb: true } : {})
        };
        at += c.duration - plan.transitionDuration;
        return sg;
    });
    const t = [{ tt: timeline/* TRACK_VIDEO */.w7, sg: video }];
    if (plan.music)
        t.push({ tt: timeline/* TRACK_AUDIO */.dM, sg: [{ st: 0, d: ms(plan.total), n: plan.music.name, src: plan.music.name, v: 1 }] });
    if (plan.title)
        t.push({ tt: timeline/* TRACK_TEXT */.Wf, sg: [{ st: 0, d: ms(plan.title.duration), txt: plan.title.text }] });
    return { t, d: ms(plan.total), m: { title: plan.title?.text, width: plan.width, height: plan.height } };
}

;// CONCATENATED MODULE: ./src/backends/local/local-backend.ts
// The local backend: the same request rendered by one ffmpeg run on the runner. No token, no
// network. The MP4 goes to the temp file the job names; the finish line checks and renames it.









const SYSTEM_FONTS = [
    '/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf',
    '/usr/share/fonts/TTF/DejaVuSans-Bold.ttf',
    '/System/Library/Fonts/Supplemental/Arial Bold.ttf',
    'C:\\Windows\\Fonts\\arialbd.ttf'
];
/** The shipped font: walk up from this module (src/local/ in tests, dist/ when bundled). */
function findFont() {
    let dir = import.meta.dirname;
    for (let i = 0; i < 4; i++) {
        const candidate = (0,external_node_path_.join)(dir, 'fonts', 'DejaVuSans-Bold.ttf');
        if ((0,external_node_fs_.existsSync)(candidate))
            return candidate;
        dir = (0,external_node_path_.dirname)(dir);
    }
    return SYSTEM_FONTS.find(f => (0,external_node_fs_.existsSync)(f));
}
/** Renders a plan into `videoFile`; the graph goes through a script file. */
async function renderPlan(ffmpeg, plan, videoFile, tempDir, signal) {
    const files = {};
    if (plan.title) {
        files.fontFile = findFont();
        if (!files.fontFile)
            log/* log */.R.warning('No font found for the title; rendering without it.');
        files.titleFile = (0,external_node_path_.join)(tempDir, 'title.txt');
        await (0,promises_.writeFile)(files.titleFile, plan.title.text);
    }
    const { graph, audioOut } = buildGraph(plan, files);
    const graphFile = (0,external_node_path_.join)(tempDir, 'graph.txt');
    await (0,promises_.writeFile)(graphFile, graph);
    await log/* log */.R.block(`ffmpeg: ${plan.clips.length} images → ${plan.width}×${plan.height}, ${plan.total.toFixed(1)} s`, async () => {
        const started = Date.now();
        log/* log */.R.debug(`Filtergraph (${graphFile}):\n${graph}`);
        // nothing half-written is left behind, whatever ffmpeg managed to write before it failed
        await (0,local_ffmpeg/* runFfmpeg */.LK)(ffmpeg, buildArgs(plan, graphFile, videoFile, !!audioOut), {
            totalSeconds: plan.total,
            signal,
            failOn: /drawtext/i
        }).catch(async (err) => {
            await (0,promises_.rm)(videoFile, { force: true });
            throw err;
        });
        log/* log */.R.info(`Rendered in ${((Date.now() - started) / 1000).toFixed(1)} s.`);
    });
}
function createLocalBackend(opts) {
    return {
        name: 'local',
        async render(job) {
            const ffmpeg = await (0,local_ffmpeg/* findFfmpeg */.xr)(opts.ffmpegPath);
            let request = job.request;
            if (request.music && 'description' in request.music) {
                log/* log */.R.warning(`input 'music': '${request.music.description}' is a description; the local backend needs an audio file, so the video has no music.`);
                request = { ...request, music: undefined };
            }
            // one plan per format (the same photos, timing and title, framed for each canvas), one render each
            const id = (0,external_node_crypto_.randomBytes)(6).toString('hex');
            let draft;
            for (const [i, v] of job.videos.entries()) {
                const plan = makePlan(v.aspectRatio ? { ...request, aspectRatio: v.aspectRatio } : request, job.images);
                if (i === 0) {
                    draft = planToDraft(plan);
                    log/* log */.R.info((0,timeline/* describe */.q0)((0,timeline/* summarize */.eh)(draft)));
                }
                await renderPlan(ffmpeg, plan, v.file, job.tempDir, job.signal);
            }
            return {
                videos: job.videos.map((v, i) => ({
                    video: { file: v.file },
                    videoUrl: '',
                    renderId: `render_local_${id}${job.videos.length > 1 ? `_${i + 1}` : ''}`
                })),
                sessionId: `local-${id}`,
                draft: draft
            };
        }
    };
}


/***/ })

};
