// The three actions' contract, in one table: each input's name, kind (and so its words or range),
// plain default, description, README row and the actions that take it; each output's name and
// descriptions. Everything else is derived from it: the names the code reads and sets (as
// actions/cache keeps Inputs and Outputs), the defaults an empty input reads as (`withDefaults`),
// the checks the Reader makes (src/inputs/get-inputs.ts), and, by `npm run contract`
// (scripts/contract.ts), the three action.yml files and the README's tables, which CI and
// test/unit/action-contract.test.ts hold to a fresh generation. A new input is one row.
import { DEFAULT_ARTIFACT_NAME, JOB_ARTIFACTS } from './artifact-names.js'
import { ASPECT_RATIOS, BACKEND_CHOICES, CACHE_CHOICES, DURATION, FITS, RELEASE_NOTES, RESOLUTIONS, TRANSITIONS } from './options.js'

export type ActionName = 'main' | 'plan' | 'collect'

/** What an input takes; the Reader checks a value against it and the texts state its words and range. */
export type InputKind =
  | { type: 'text' }
  | { type: 'flag' }
  /** one of the words */
  | { type: 'word'; words: readonly string[] }
  /** one or more of the words, comma-separated */
  | { type: 'words'; words: readonly string[] }
  /** a decimal number in [min, max]; `or`: a word taken instead of a number */
  | { type: 'number'; min: number; max: number; integer?: boolean; unit: string; or?: string }
  /** a loudness in LUFS (LOUDNESS) or 'off' */
  | { type: 'loudness' }

export interface InputRow {
  kind: InputKind
  /**
   * action.yml's description (the main action's, or the one action's that takes it). `{range}` is
   * replaced by the kind's range, `{keys}` by the keys a manifest entry may set.
   */
  description: string
  /** the plain default, or a `${{ … }}` expression the runner evaluates before the action starts */
  default?: string
  in: readonly ActionName[]
  /** a key a manifest entry may set for its own video; plan takes it as the render jobs' fallback */
  perVideo?: true
  /** plan's own description (and whether plan requires it), or 'as-render-jobs': the main one, said of the jobs the plan checks */
  plan?: { description: string; required?: true } | 'as-render-jobs'
  /** collect's own description or default where it differs from the main action's */
  collect?: { description?: string; default?: string }
  /** the main action's row of the README's Inputs table: the default column and the meaning */
  readme?: { default: string; meaning: string }
}

export interface OutputRow {
  description: string
  /** the README's Outputs row; an output without one shares the row above it */
  readme?: string
  /** collect sets this output too, described so */
  collect?: string
}

export const INPUTS = {
  images: {
    kind: { type: 'text' },
    description:
      'Glob patterns of the images, one per line or comma-separated, relative to the workspace. Pattern order is kept; inside a pattern, natural path order (2.jpg before 10.jpg); duplicates are dropped; file extensions match regardless of case. Required unless every manifest entry has its own images.',
    in: ['main', 'plan'],
    perVideo: true,
    readme: {
      default: '(required unless every manifest entry has its own)',
      meaning:
        'glob patterns, one per line or comma-separated, relative to the workspace. Pattern order is kept; inside a pattern, natural path order (`2.jpg` before `10.jpg`); duplicates dropped; `!pattern` excludes. File extensions match regardless of case (`photos/*.jpg` finds `IMG_0001.JPG`; folder and file names do not, and a pattern that matches nothing names the files that differ only in case). Links to folders outside the workspace are not followed; `.git/` is never searched. Each file is checked by its bytes (JPEG, PNG, WebP, GIF, HEIC, AVIF), at most 200 MB per file'
    }
  },
  prompt: {
    kind: { type: 'text' },
    description:
      'The instruction, free text. Several turns: separate them with a line holding only "---"; they are sent in order in the same session. Exactly one of prompt / prompt-file.',
    in: ['main', 'plan'],
    perVideo: true,
    readme: {
      default: '–',
      meaning: 'the instruction. Several turns: separate them with a line holding only `---`; each is sent in order in the same session'
    }
  },
  'prompt-file': {
    kind: { type: 'text' },
    description:
      'Read the prompt from this file instead of "prompt": a regular file inside the workspace (links resolved), not in .git/, at most 64 KB.',
    in: ['main', 'plan'],
    perVideo: true,
    readme: {
      default: '–',
      meaning:
        'read the prompt from this file instead (exactly one of `prompt` / `prompt-file`): a regular file whose real path (links resolved) is inside the workspace and not in `.git/`, at most 64 KB'
    }
  },
  duration: {
    kind: { type: 'number', ...DURATION, unit: 'seconds' },
    description: 'Target length in seconds ({range}).',
    in: ['main', 'plan'],
    perVideo: true,
    readme: {
      default: '–',
      meaning: 'target length in seconds ({range}), a decimal number; empty: what the prompt asks for, else (local backend) 4 s per photo'
    }
  },
  'aspect-ratio': {
    kind: { type: 'words', words: ASPECT_RATIOS },
    description: 'One of 16:9, 9:16, 1:1, 4:5; or several, comma-separated: one video per format, named <name>-<w>x<h>.mp4.',
    in: ['main', 'plan'],
    perVideo: true,
    readme: {
      default: '–',
      meaning:
        "`16:9`, `9:16`, `1:1` or `4:5`; or several, comma-separated (`16:9, 9:16, 1:1`): one video per format, named `<name>-<w>x<h>.mp4` beside `output` (`promo.mp4` → `promo-1920x1080.mp4`, …) and listed in the `videos` output; the single-video outputs are the first format's. Locally: one plan, one render per format. In the cloud: one chat (what costs credits), then one export per format with the canvas in the draft; where the service ignores the canvas (the file's real shape is checked), that format gets a session of its own, said in the log"
    }
  },
  resolution: {
    kind: { type: 'word', words: RESOLUTIONS },
    description: '720p or 1080p (the short side for portrait).',
    default: '1080p',
    in: ['main', 'plan'],
    perVideo: true,
    readme: { default: '`1080p`', meaning: '`720p` or `1080p` (the short side for portrait)' }
  },
  transition: {
    kind: { type: 'word', words: TRANSITIONS },
    description: 'One of fade, slide, wipe, zoom, none.',
    in: ['main', 'plan'],
    perVideo: true,
    readme: { default: '–', meaning: '`fade`, `slide`, `wipe`, `zoom`, `none`' }
  },
  fit: {
    kind: { type: 'word', words: FITS },
    description:
      'Local backend: how a photo of another shape fills the frame. cover (crop to fill), contain (whole photo on the background colour), blur (whole photo over a blurred, darkened copy of itself), or auto: cover while it keeps at least 65 % of the photo, else blur.',
    default: 'auto',
    in: ['main', 'plan'],
    perVideo: true,
    readme: {
      default: '`auto`',
      meaning:
        'Local backend: `cover` (crop to fill), `contain` (whole photo on `background`), `blur` (whole photo over a blurred, darkened copy of itself); `auto` covers while that keeps at least 65 % of the photo, else blurs'
    }
  },
  background: {
    kind: { type: 'text' },
    description: 'Local backend: the colour behind transparent pixels and around contained photos, a name such as white or #RRGGBB.',
    default: 'black',
    in: ['main', 'plan'],
    perVideo: true,
    readme: { default: '`black`', meaning: 'Local backend: colour behind transparent pixels and contained photos (`white`, `#RRGGBB`)' }
  },
  title: {
    kind: { type: 'text' },
    description: 'Title text shown at the start.',
    in: ['main', 'plan'],
    perVideo: true,
    readme: { default: '–', meaning: 'title text shown at the start' }
  },
  captions: {
    kind: { type: 'text' },
    description:
      "Each photo's caption, one line per photo in the order the photos are shown (the order 'images' matches them in); an empty line leaves its photo without one. Shown while its photo shows, entering and leaving with the transition, at the foot of the frame. At most one line per photo; a line is laid out from its first 500 characters. In a manifest: a list.",
    in: ['main', 'plan'],
    perVideo: true,
    readme: {
      default: '–',
      meaning:
        "one line per photo, in the order they are shown: each photo's caption (an empty line: none); in a manifest, a list. Local backend: drawn as the title is (every script, emoji), on at most two lines inside the safe zones; cloud backend: asked for in the prompt"
    }
  },
  music: {
    kind: { type: 'text' },
    description: 'Path to an audio file (uploaded with the images), or, for the cloud backend only, a description such as "lo-fi".',
    in: ['main', 'plan'],
    perVideo: true,
    readme: {
      default: '–',
      meaning: 'an audio file (mp3, wav, m4a, aac) uploaded with the images, or, for the cloud only, a description such as `lo-fi`'
    }
  },
  loudness: {
    kind: { type: 'loudness' },
    description:
      "Local backend: the music's integrated loudness in LUFS (EBU R128), from -30 to -5, measured on the MP4 with its true peak kept at -1 dBTP or below; -14 is what the platforms play at. 'off' keeps the music as it is. The cloud backend mixes its own sound track.",
    default: '-14',
    in: ['main', 'plan'],
    perVideo: true,
    readme: {
      default: '`-14`',
      meaning:
        "Local backend: the music's integrated loudness in LUFS (EBU R128), from `-30` to `-5`, measured on the MP4 with its true peak at -1 dBTP or below (see [Sound and MP4 for the platforms](#sound-and-mp4-for-the-platforms)); `off` keeps the music as it is. The cloud backend mixes its own sound track: there it is not applied (the log says so when it is not `-14`)"
    }
  },
  backend: {
    kind: { type: 'word', words: BACKEND_CHOICES },
    description:
      'auto (the NemoVideo cloud when a token is given, else local; the log says which and why), nemo (the cloud) or local (ffmpeg on the runner; no token, no network).',
    default: 'auto',
    in: ['main'],
    readme: {
      default: '`auto`',
      meaning:
        '`auto` (the cloud when a token is given, else local; the log says which and why), `nemo` (the cloud) or `local` (ffmpeg on the runner; no token, no network)'
    }
  },
  token: {
    kind: { type: 'text' },
    description: 'NemoVideo token (a secret). Defaults to env NEMO_TOKEN. With backend auto, a token selects the cloud.',
    in: ['main'],
    readme: { default: 'env `NEMO_TOKEN`', meaning: 'NemoVideo token, from a secret (one line)' }
  },
  'allow-anonymous': {
    kind: { type: 'flag' },
    description:
      'With no token, fetch an anonymous NemoVideo token and upload the images to the cloud (backend auto then picks the cloud). Off by default.',
    default: 'false',
    in: ['main'],
    readme: {
      default: '`false`',
      meaning: 'with no token, fetch an anonymous NemoVideo token and upload the images with it (`backend: auto` then picks the cloud)'
    }
  },
  'api-url': {
    kind: { type: 'text' },
    description:
      'NemoVideo API origin (no path). Defaults to env NEMO_API_URL, else https://mega-api-prod.nemovideo.ai. http is refused except to loopback hosts.',
    in: ['main'],
    readme: {
      default: 'env `NEMO_API_URL`, else `https://mega-api-prod.nemovideo.ai`',
      meaning: "the API's origin, no path; http is refused except to loopback hosts"
    }
  },
  'client-id': {
    kind: { type: 'text' },
    description: 'X-Client-Id for anonymous tokens. Defaults to env NEMO_CLIENT_ID, else a new UUID.',
    in: ['main'],
    readme: { default: 'env `NEMO_CLIENT_ID`, else a new UUID', meaning: '`X-Client-Id` for anonymous tokens' }
  },
  language: {
    kind: { type: 'text' },
    description: 'Session language.',
    default: 'en',
    in: ['main', 'plan'],
    perVideo: true,
    readme: {
      default: '`en`',
      meaning:
        'session language. The local backend does not translate: it reads a few phrasings in en, de, es, fr, pt, zh and ja (see [What the local backend reads in the prompt](#what-the-local-backend-reads-in-the-prompt)) and warns when this is not English'
    }
  },
  output: {
    kind: { type: 'text' },
    description:
      'Where the MP4 is written; its real path must be inside the workspace or the runner temp dir. With a manifest, for videos without their own output: img2vid.mp4 (the default) writes <name>.mp4, a folder ending in / writes <folder>/<name>.mp4, {name} in a path is replaced by the name.',
    default: 'img2vid.mp4',
    in: ['main', 'plan'],
    perVideo: true,
    readme: {
      default: '`img2vid.mp4`',
      meaning:
        'where the MP4 is written, a file path (not ending in `/`); the real path of its folder (links resolved) must be inside the workspace or `RUNNER_TEMP`. With a manifest: see the table above'
    }
  },
  'upload-artifact': {
    kind: { type: 'flag' },
    description: 'Upload the MP4 as a workflow artifact.',
    default: 'true',
    in: ['main', 'plan'],
    plan: 'as-render-jobs',
    readme: { default: '`true`', meaning: 'upload the MP4 as a workflow artifact' }
  },
  'artifact-name': {
    kind: { type: 'text' },
    description: 'Artifact name. Empty: img2vid, or with only img2vid-<first video>.',
    in: ['main'],
    readme: { default: '`img2vid` (with `only`: `img2vid-<first video>`)', meaning: 'artifact name (no `" : < > \\| * ? \\r \\n \\ /`)' }
  },
  'retention-days': {
    kind: { type: 'number', min: 1, max: 90, integer: true, unit: 'days' },
    description: 'Artifact retention in days ({range}; the repository setting applies when empty).',
    in: ['main', 'collect'],
    collect: { description: 'Retention of the merged artifact ({range}).' },
    readme: { default: '–', meaning: 'artifact retention ({range})' }
  },
  'release-tag': {
    kind: { type: 'text' },
    description: 'Attach the MP4 to the release with this tag. On release events the triggering release is used when empty.',
    in: ['main', 'collect'],
    collect: {
      description:
        'Attach every video (MP4, poster, preview) to the release with this tag. On release events the triggering release is used when empty.'
    },
    readme: {
      default: '–',
      meaning: 'attach the MP4 to the release with this tag. On `release` events the triggering release is used when empty'
    }
  },
  'create-release': {
    kind: { type: 'flag' },
    description:
      "With release-tag: create the release when the tag has none (pushing a tag makes no release): published, or as release-draft and release-prerelease say, titled release-name, a tag that does not exist yet made at the run's commit. Safe when several jobs create it at once: they all end on one release.",
    default: 'false',
    in: ['main', 'collect'],
    readme: {
      default: '`false`',
      meaning:
        "with `release-tag`: create the release when the tag has none (pushing a tag makes no release), as `release-name`, `release-draft`, `release-prerelease` and `release-generate-notes` say; a tag that does not exist yet is made at the run's commit. Jobs creating it at once end on one release: GitHub refuses a second published release of a tag, and of several drafts the oldest is kept"
    }
  },
  'release-name': {
    kind: { type: 'text' },
    description: "With create-release: the new release's title. Empty: the tag.",
    in: ['main', 'collect'],
    readme: { default: 'the tag', meaning: "with `create-release`: the new release's title" }
  },
  'release-draft': {
    kind: { type: 'flag' },
    description: 'With create-release: create it as a draft, to publish by hand (the jobs find the draft by listing the releases).',
    default: 'false',
    in: ['main', 'collect'],
    readme: { default: '`false`', meaning: 'with `create-release`: create it as a draft, to publish by hand' }
  },
  'release-prerelease': {
    kind: { type: 'flag' },
    description: 'With create-release: mark it as a pre-release.',
    default: 'false',
    in: ['main', 'collect'],
    readme: { default: '`false`', meaning: 'with `create-release`: mark it as a pre-release' }
  },
  'release-generate-notes': {
    kind: { type: 'flag' },
    description:
      "With create-release: GitHub's generated notes (what was merged since the previous release) as its body; release-notes: append adds the video block after them.",
    default: 'false',
    in: ['main', 'collect'],
    readme: {
      default: '`false`',
      meaning:
        "with `create-release`: GitHub's generated notes (what was merged since the previous release) as its body; `release-notes: append` adds the video block after them"
    }
  },
  overwrite: {
    kind: { type: 'flag' },
    description: 'Replace an existing artifact / release asset of the same name.',
    default: 'true',
    in: ['main', 'collect'],
    collect: { description: 'Replace a merged artifact or release asset of the same name.' },
    readme: { default: '`true`', meaning: 'replace an existing artifact / release asset of the same name' }
  },
  'github-token': {
    kind: { type: 'text' },
    description: 'Token for the release upload; needs permissions: contents: write.',
    default: '${{ github.token }}',
    in: ['main', 'collect'],
    collect: { description: 'For the release; needs permissions: contents: write.' },
    readme: { default: '`${{ github.token }}`', meaning: 'for the release; needs `permissions: contents: write`' }
  },
  'timeout-minutes': {
    kind: { type: 'number', min: 0.1, max: 360, unit: 'minutes' },
    description: 'Deadline for the whole backend part (chat + render + download), per video, in minutes ({range}; fractions allowed).',
    default: '20',
    in: ['main'],
    readme: {
      default: '`20`',
      meaning: 'deadline for the whole backend part (chat + render + download), per video, in minutes ({range}; fractions allowed)'
    }
  },
  'poll-interval': {
    kind: { type: 'number', min: 1, max: 600, unit: 'seconds' },
    description: 'Seconds between render polls ({range}); 429 backs off.',
    default: '10',
    in: ['main'],
    readme: { default: '`10`', meaning: 'seconds between render polls ({range}); 429 backs off' }
  },
  'ffmpeg-path': {
    kind: { type: 'text' },
    description:
      'ffmpeg binary for backend: local. When empty: ffmpeg on PATH; else, when IMG2VID_FFMPEG_URL is set, that archive, used only if its SHA-256 equals IMG2VID_FFMPEG_SHA256 (cached with the tool cache); else, on Linux runners with apt-get and unless install-missing is false, the Ubuntu ffmpeg package via sudo apt-get. Nothing is downloaded otherwise.',
    in: ['main'],
    readme: {
      default: '–',
      meaning: "ffmpeg for `backend: local`; else ffmpeg on `PATH`, else Ubuntu's `ffmpeg` package on runners (see above)"
    }
  },
  'install-missing': {
    kind: { type: 'flag' },
    description:
      'backend: local, on a GitHub-hosted Linux runner: install what the run needs and the runner lacks with apt (ffmpeg; fonts-noto-cjk for a title in Chinese, Japanese or Korean, fonts-noto-color-emoji for emoji, fonts-noto-core for other scripts). What is needed can follow from untrusted text (a CJK character in a pull request title): set false to never install anything; a missing tool then fails the step with the package to install.',
    default: 'true',
    in: ['main'],
    readme: {
      default: '`true`',
      meaning:
        "`backend: local` on a GitHub-hosted Linux runner: install a missing ffmpeg, or the fonts a title needs (CJK, colour emoji, other scripts), with apt; `false`: never install anything (what is needed can follow from untrusted text, such as a pull request's title), fail with the package to install instead"
    }
  },
  manifest: {
    kind: { type: 'text' },
    description:
      'A YAML file (at most 1 MB, 100 videos) listing several videos, each with a name and the per-video keys ({keys}); unset keys fall back to these inputs.',
    in: ['main', 'plan'],
    plan: {
      description:
        'The YAML file listing the videos, as for the main action: inside the workspace, at most 1 MB and 25600 videos (256 jobs of at most 100).',
      required: true
    },
    readme: {
      default: '–',
      meaning: 'a YAML file listing several videos (see above): inside the workspace (real path), at most 1 MB and 100 videos'
    }
  },
  only: {
    kind: { type: 'text' },
    description:
      "With manifest: make only these videos: a name, several separated by commas, or a JSON array (a job of a matrix: the plan's matrix.only). The artifact is then named img2vid-<first video> unless artifact-name is set.",
    in: ['main'],
    readme: {
      default: '–',
      meaning:
        "with `manifest`: make only these videos: a name, several separated by commas, or a JSON array (a matrix job: the plan's `matrix.only`); the artifact is then named `img2vid-<first video>` unless `artifact-name` is set"
    }
  },
  'max-parallel': {
    kind: { type: 'number', min: 1, max: 16, integer: true, unit: 'videos' },
    description: 'With manifest: how many videos are made at once ({range}).',
    default: '2',
    in: ['main'],
    readme: { default: '`2`', meaning: 'with `manifest`: videos made at once ({range})' }
  },
  'fail-fast': {
    kind: { type: 'flag' },
    description: 'With manifest: stop at the first failed video instead of making the others.',
    default: 'false',
    in: ['main'],
    readme: { default: '`false`', meaning: 'with `manifest`: stop at the first failed video' }
  },
  previews: {
    kind: { type: 'flag' },
    description:
      'Write a poster JPEG (<name>.poster.jpg) and a short looping animated WebP preview (<name>.preview.webp, at most 480 px wide and 2 MB) beside each MP4; both go into the artifact and onto the release. Needs ffmpeg (found as for backend: local).',
    default: 'true',
    in: ['main', 'plan'],
    plan: 'as-render-jobs',
    readme: {
      default: '`true`',
      meaning:
        'a poster JPEG (`<name>.poster.jpg`: a frame from the middle of a clip, under the title when there is one, never black or mid-transition) and a looping animated WebP preview (`<name>.preview.webp`: the first 6 s at 10 fps, at most 480 px wide and 2 MB) beside each MP4; both go into the artifact and onto the release. Needs ffmpeg (found as for `backend: local`); if it cannot make them, the step warns and goes on'
    }
  },
  'release-notes': {
    kind: { type: 'word', words: RELEASE_NOTES },
    description:
      'none, or append: add the poster, linking to the MP4 asset, to the release body between img2vid markers; a re-run replaces its own block and leaves the rest of the body alone.',
    default: 'none',
    in: ['main', 'collect'],
    collect: { description: "none, or append: write the release body's video block once, for every video, in the order of names." },
    readme: {
      default: '`none`',
      meaning:
        "`append`: add the poster, linking to the MP4 asset, to the release body between `<!-- img2vid:begin sha256=… -->` and `<!-- img2vid:end -->`, each on a line of its own; a re-run replaces the block it proves its own (by the checksum, or a block of an earlier version by its shape) and never touches the rest of the body: other markers are left alone, with a warning. With `only`, the block keeps the other jobs' videos (see the matrix example)"
    }
  },
  'artifact-per-video': {
    kind: { type: 'flag' },
    description: 'With manifest: one artifact per video (<artifact-name>-<name>) instead of one artifact holding all.',
    default: 'false',
    in: ['main'],
    readme: { default: '`false`', meaning: 'with `manifest`: one artifact per video' }
  },
  cache: {
    kind: { type: 'word', words: CACHE_CHOICES },
    description:
      "Keep each finished video (MP4, poster, preview) in the Actions cache under a key over its images, music, prompt, options, backend (with the cloud's api-url) and the action version, and restore it instead of rendering when a re-run has the same key: no second render, no credits. An entry is untrusted: it is unpacked in a private folder, only the action's own files are taken, and the video must fit the request (see the README). auto (on for the cloud backend; off for local and on release events, whose runs would read entries any default-branch run can save), true or false. A cache problem only warns.",
    default: 'auto',
    in: ['main'],
    readme: {
      default: '`auto`',
      meaning:
        'keep each finished video (MP4, poster, preview) in the Actions cache under its content key and restore it instead of rendering when a re-run has the same key (see [Re-runs cost nothing](#re-runs-cost-nothing), which says what an entry is trusted as): `auto` (on for the cloud backend, off for `local` and on `release` events), `true` or `false`'
    }
  },
  'per-job': {
    kind: { type: 'number', min: 1, max: 100, integer: true, unit: 'videos', or: 'auto' },
    description:
      "Videos per job: a whole number ({range}), or auto (1; more when one each would need more than a matrix's 256 jobs, and the log says so).",
    default: 'auto',
    in: ['plan']
  },
  names: {
    kind: { type: 'text' },
    description:
      "The plan's names output: the videos in manifest order. A name with no record in the artifacts is reported as not made. Empty: the videos the artifacts hold.",
    in: ['collect']
  },
  pattern: {
    kind: { type: 'text' },
    description:
      "Which of this run's artifacts to download, a glob of names. The jobs of a matrix name theirs img2vid-<first video> unless they set artifact-name.",
    default: JOB_ARTIFACTS,
    in: ['collect']
  },
  path: {
    kind: { type: 'text' },
    description: 'An empty or new folder inside the workspace or RUNNER_TEMP to download into, one folder per artifact.',
    default: 'img2vid-videos',
    in: ['collect']
  },
  merge: {
    kind: { type: 'flag' },
    description: 'Upload every downloaded video, poster, preview and record as one artifact named merged-name.',
    default: 'false',
    in: ['collect']
  },
  'merged-name': {
    kind: { type: 'text' },
    description: 'The name of the merged artifact.',
    default: DEFAULT_ARTIFACT_NAME,
    in: ['collect']
  },
  'delete-merged': {
    kind: { type: 'flag' },
    description: "With merge: delete the jobs' artifacts once merged.",
    default: 'false',
    in: ['collect']
  }
} as const satisfies Record<string, InputRow>

/** The main action's outputs; those with `collect` are set by collect too. */
export const OUTPUTS = {
  'video-path': { description: 'Path of the MP4.', readme: 'absolute path of the MP4' },
  'video-url': {
    description: 'Cloud download URL (empty for the local backend).',
    readme: "the cloud's download URL, any token in it as `***` (empty for `local`)"
  },
  duration: { description: 'Duration in seconds, read from the MP4.', readme: "read from the MP4's boxes" },
  width: { description: 'Video width in pixels.' },
  height: { description: 'Video height in pixels.' },
  size: { description: 'File size in bytes.', readme: 'bytes and SHA-256 of the MP4' },
  sha256: { description: 'SHA-256 of the MP4, hex.' },
  'session-id': {
    description: 'NemoVideo session id (local: a generated id).',
    readme: 'the NemoVideo session and render (generated ids for `local`)'
  },
  'render-id': { description: 'Render id.' },
  timeline: {
    description: 'JSON summary of the timeline tracks.',
    readme: 'JSON summary of the timeline: `{"duration":…,"tracks":[{"kind":"video","name":…,"start":…,"end":…}, …]}`'
  },
  'credits-available': {
    description: 'NemoVideo credits left after the run (empty for local).',
    readme: 'NemoVideo credits left (empty for `local`)',
    collect: 'The fewest NemoVideo credits a job saw left.'
  },
  'artifact-id': {
    description: 'Id of the uploaded artifact.',
    readme: 'the uploaded artifact',
    collect: 'The merged artifact (with merge: true).'
  },
  'artifact-url': { description: 'URL of the uploaded artifact.', collect: 'The merged artifact (with merge: true).' },
  'release-asset-url': { description: 'Download URL of the release asset.', readme: 'download URL of the release asset' },
  'poster-path': {
    description: 'Path of the poster JPEG (empty when previews is false or could not be made).',
    readme: 'the poster JPEG and the looping WebP preview beside the MP4 (empty with `previews: false`)'
  },
  'preview-path': { description: 'Path of the looping animated WebP preview (empty when previews is false or could not be made).' },
  'cache-hit': {
    description: 'true when the video was restored from the cache instead of rendered (a batch: every video it made); else false.',
    readme: '`true` when the video was restored from the cache instead of rendered (a batch: when every video it made was), else `false`',
    collect: 'true when every video collected was restored from the cache.'
  },
  backend: {
    description: 'The backend that rendered: nemo or local.',
    readme: '`nemo` or `local`',
    collect: 'The backend the jobs rendered with.'
  },
  videos: {
    description:
      "JSON array with each video's outputs (name, ok, error, and the outputs above), at most 512 KB: timelines and long error texts are left out first (said in the log).",
    readme:
      "JSON array: each video's `name`, `ok`, `error` and the outputs above; at most 512 KB: when the whole is larger, each video's `timeline` is left out first, then error texts are cut to 200 characters, then every field but `name`, `ok`, `error` and the paths (`video-path`, `poster-path`, `preview-path`), and last the error; the log says what was left out. Names and paths are never cut (only paths thousands of characters long in a 100-video batch could exceed the bound; the step then warns)",
    collect:
      "JSON array of every video, in the order of names: each video's name, ok, error and the main action's outputs, with the paths where collect downloaded the files."
  }
} as const satisfies Record<string, OutputRow>

export const PLAN_OUTPUTS = {
  matrix: {
    description:
      'For strategy.matrix: ${{ fromJSON(needs.<job>.outputs.matrix) }}: {"include":[{"only":"<name>[,<name>…]"}, …]}; give each job only: ${{ matrix.only }}.'
  },
  names: { description: "Every video name, in manifest order, as a JSON array: collect's 'names'." },
  count: { description: 'How many videos the manifest lists.' },
  jobs: { description: 'How many jobs the matrix has.' }
} as const satisfies Record<string, OutputRow>

/** collect's own outputs (it sets the main action's that have `collect` too). */
export const COLLECT_OUTPUTS = {
  count: { description: 'How many videos (formats count each) the videos output lists.' },
  failed: { description: 'How many of them were not made.' },
  path: { description: 'The folder the artifacts were downloaded into.' }
} as const satisfies Record<string, OutputRow>

export type InputName = keyof typeof INPUTS
type Row<N extends InputName> = (typeof INPUTS)[N]
/** 'prompt-file' → 'promptFile' */
type Camel<S extends string> = S extends `${infer H}-${infer T}` ? `${H}${Capitalize<Camel<T>>}` : S
const camel = (name: string): string => name.replace(/-(\w)/g, (_, c: string) => c.toUpperCase())
type Taken<N extends InputName, A extends ActionName> = A extends Row<N>['in'][number] ? N : never
type InputsOf<A extends ActionName> = { readonly [N in InputName as Camel<Taken<N, A>>]: N }
type NamesOf<T> = { readonly [K in keyof T & string as Camel<K>]: K }

function inputsOf<A extends ActionName>(action: A): InputsOf<A> {
  const rows = Object.entries(INPUTS as Record<string, InputRow>).filter(([, row]) => row.in.includes(action))
  return Object.fromEntries(rows.map(([name]) => [camel(name), name])) as InputsOf<A>
}
const namesOf = <T extends Record<string, OutputRow>>(table: T): NamesOf<T> =>
  Object.fromEntries(Object.keys(table).map(name => [camel(name), name])) as NamesOf<T>

/** The names each action reads, by their camel-case keys: `Input.promptFile` is 'prompt-file'. */
export const Input = inputsOf('main')
export const PlanInput = inputsOf('plan')
export const CollectInput = inputsOf('collect')
export const Output = namesOf(OUTPUTS)
export const PlanOutput = namesOf(PLAN_OUTPUTS)
export const CollectOutput = namesOf(COLLECT_OUTPUTS)
export type OutputName = keyof typeof OUTPUTS
/** One video's outputs: the step's for a single video, each entry's of `videos` for a manifest. */
export type VideoOutputName = Exclude<OutputName, 'backend' | 'videos'>
/** The main action's outputs collect sets too. */
export const COLLECT_SHARED_OUTPUTS = (Object.keys(OUTPUTS) as OutputName[]).filter(name => 'collect' in OUTPUTS[name])

/** The inputs a manifest entry may set for its own video; the rest apply to the whole run. */
export const VIDEO_KEYS = (Object.keys(INPUTS) as InputName[]).filter(name => 'perVideo' in INPUTS[name])

/** action.yml's default for 'output'; with a manifest it means "each video writes <name>.mp4". */
export const DEFAULT_OUTPUT = INPUTS.output.default
/** Where collect downloads the artifacts when 'path' is empty: a folder of the workspace. */
export const DEFAULT_COLLECT_PATH = INPUTS.path.default

/** A default the runner evaluates before the action starts: the code never sees it as written. */
export const isExpression = (value: string): boolean => /^\$\{\{.*\}\}$/.test(value)

/** An input as one action's action.yml declares it. */
export interface DeclaredInput {
  name: InputName
  row: InputRow
  /** with `{range}` and `{keys}` still in it */
  description: string
  default?: string
  required: boolean
}

/** Whether a row is one of a sub-action's own inputs (not the main action's, or described its own way). */
const ownOf = (action: ActionName, row: InputRow): boolean =>
  action !== 'main' && (!row.in.includes('main') || (action === 'plan' && typeof row.plan === 'object'))

/** An action's inputs, its own first, else in the table's order, with that action's description and default. */
export function declaredInputs(action: ActionName): DeclaredInput[] {
  const rows = (Object.entries(INPUTS) as [InputName, InputRow][]).filter(([, row]) => row.in.includes(action))
  return [...rows.filter(([, row]) => ownOf(action, row)), ...rows.filter(([, row]) => !ownOf(action, row))].map(([name, row]) => {
    const own = action === 'collect' ? row.collect : undefined
    let description = own?.description ?? row.description
    if (action === 'plan' && row.plan === 'as-render-jobs')
      description = `As the render jobs set it: ${description[0].toLowerCase()}${description.slice(1)} (the plan checks the files they write).`
    else if (action === 'plan' && typeof row.plan === 'object') description = row.plan.description
    else if (action === 'plan' && row.perVideo)
      description = `The fallback for videos without this key, as the render jobs set it: ${description}`
    return {
      name,
      row,
      description,
      default: own?.default ?? row.default,
      required: action === 'plan' && typeof row.plan === 'object' && !!row.plan.required
    }
  })
}

/** What an empty input of an action reads as: its plain defaults (not the runner's expressions). */
function defaultsOf(action: ActionName): Readonly<Record<string, string>> {
  return Object.fromEntries(
    declaredInputs(action).flatMap(i => (i.default === undefined || isExpression(i.default) ? [] : [[i.name, i.default]]))
  )
}
export const DEFAULTS = defaultsOf('main')
export const PLAN_DEFAULTS = defaultsOf('plan')
export const COLLECT_DEFAULTS = defaultsOf('collect')

/** The input names whose kind is of `type`, for the Reader's typed checks. */
export type InputOfKind<T extends InputKind['type']> = {
  [N in InputName]: Row<N>['kind'] extends { type: T } ? N : never
}[InputName]
/** The words a 'word' or 'words' input takes. */
export type WordOf<N extends InputName> = Row<N>['kind'] extends { words: readonly (infer W extends string)[] } ? W : never
export const kindOf = (name: InputName): InputKind => (INPUTS as Record<string, InputRow>)[name].kind

/** An input read through its action's defaults: empty means the default, as the runner sets it. */
export function withDefaults(
  get: (name: string) => string,
  defaults: Readonly<Record<string, string | undefined>>
): (name: string) => string {
  return name => {
    const v = get(name)
    return v.trim() === '' ? (defaults[name] ?? v) : v
  }
}
