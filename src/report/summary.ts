// The job summary, from the run report: what was made, the timeline, where to find the video, and
// what failed. Every text that did not come from this code goes through htmlText.
import * as core from '@actions/core'
import { relative } from 'node:path'
import { htmlText } from '../shared/untrusted.js'
import type { RunReport, VideoOutcome } from './run-report.js'

const mb = (bytes: number): string => `${(bytes / 1048576).toFixed(1)} MB`
const code = (text: string): string => `<code>${htmlText(text)}</code>`
const header = (cells: string[]): { data: string; header: true }[] => cells.map(data => ({ data, header: true }))
/** core.summary writes an empty cell without its end tag: never give it one */
const cell = (text: string): string => text || '–'

/** The runner drops a step summary over 1 MiB: stay well under it. */
const MAX_SUMMARY_BYTES = 900 * 1024

/** Warnings listed in the summary (each cut to 500 characters); the log has them all. */
const MAX_WARNINGS = 100
const LEFT_OUT = "to keep the summary under the runner's 1 MiB limit"

/**
 * Writes the summary in the first form that fits MAX_SUMMARY_BYTES, each measured as written
 * (escaped): every detail; else the overview table alone; else the overview's first rows, as many
 * as fit, and a line that says how many were left out. The overview without rows always fits:
 * what else it holds is bounded (a heading, two errors and 100 warnings, each cut by htmlText).
 */
export async function writeSummary(report: RunReport): Promise<void> {
  if (!process.env.GITHUB_STEP_SUMMARY) return
  const fits = (details: boolean, rows: number): boolean => {
    core.summary.emptyBuffer()
    compose(report, details, rows)
    return Buffer.byteLength(core.summary.stringify()) <= MAX_SUMMARY_BYTES
  }
  const all = report.videos.length
  if (!fits(true, all) && !fits(false, all)) {
    // the most rows that fit: the size grows with the rows, so a binary search finds it
    let lo = 0
    let hi = all - 1
    while (lo < hi) {
      const mid = Math.ceil((lo + hi) / 2)
      if (fits(false, mid)) lo = mid
      else hi = mid - 1
    }
    fits(false, lo)
  }
  await core.summary.write()
}

/** The summary, with the per-video details or not, and the overview's first `rows` videos. */
function compose(report: RunReport, details: boolean, rows: number): void {
  const s = core.summary.addHeading('🎬 img2vid', 2)
  const path = (v: VideoOutcome): string => (v.made ? relative(report.workspace, v.made.video.path) || v.made.video.path : '')

  if (report.batch || !details) {
    // a poster can be shown once it has a URL: on the release (an artifact's files have none)
    const posters = details && report.videos.some(v => v.links.releasePosterUrl)
    const poster = (v: VideoOutcome): string[] =>
      !posters ? [] : [v.links.releasePosterUrl ? `<img src="${htmlText(v.links.releasePosterUrl)}" alt="" width="160">` : '–']
    s.addTable([
      header([...(posters ? ['Poster'] : []), 'Video', 'Status', 'File', 'Duration', 'Size', 'Links']),
      ...report.videos.slice(0, rows).map(v => {
        if (!v.made)
          return [...poster(v), htmlText(v.name), v.skipped ? '⏭ skipped' : '❌ failed', cell(htmlText(v.error ?? '')), '–', '–', '–']
        const { info } = v.made.video
        return [
          ...poster(v),
          htmlText(v.name),
          '✅',
          code(path(v)),
          `${info.duration.toFixed(1)} s`,
          `${info.width}×${info.height}, ${mb(info.size)}`,
          cell(links(v).join(' · '))
        ]
      })
    ])
    const hidden = report.videos.length - rows
    if (hidden > 0) {
      s.addRaw(
        `<p>${hidden} more video${hidden === 1 ? ' was' : 's were'} left out of this table ${LEFT_OUT}; the step's \`videos\` output lists every video.</p>`,
        true
      )
    }
  }
  if (!details) s.addRaw(`<p>The per-video details were left out ${LEFT_OUT}; the step outputs carry them.</p>`, true)

  for (const v of details ? report.videos : []) {
    const m = v.made
    if (!m) continue
    const { info } = m.video
    if (report.videos.length > 1) s.addHeading(htmlText(v.name), 3)
    s.addTable([
      header(['Video', code(path(v))]),
      ['Duration', `${info.duration.toFixed(1)} s`],
      ['Size', `${info.width}×${info.height}, ${mb(info.size)}`],
      ['Codec', cell(htmlText([info.videoCodec, info.audioCodec].filter(Boolean).join(' + ')))],
      ['SHA-256', code(m.video.sha256)],
      ['Backend', m.cacheHit ? `${report.backend}, restored from the cache (not rendered again, no credits)` : report.backend],
      ['Session / render', `${code(m.sessionId)} / ${code(m.renderId)}`],
      ...(m.creditsAvailable !== undefined ? [['Credits left', String(m.creditsAvailable)]] : [])
    ])
    if (m.timeline.tracks.length) {
      s.addHeading(`Timeline (${m.timeline.duration} s)`, 4)
      s.addTable([
        header(['#', 'Track', 'Content', 'Span', 'Segments']),
        ...m.timeline.tracks.map((t, i) => [
          String(i + 1),
          t.label,
          cell(htmlText(t.kind === 'text' ? `"${t.name}"` : t.name) + (t.volume !== undefined ? ` (${Math.round(t.volume * 100)}%)` : '')),
          `${t.start}–${t.end} s`,
          String(t.segments)
        ])
      ])
    }
    const l = links(v)
    if (l.length) s.addList(l)
  }

  const failed = report.videos.find(v => !v.made && !v.skipped)
  if (!report.batch && failed?.error) s.addRaw(`<p>❌ ${htmlText(failed.error)}</p>`, true)
  if (report.publishError) s.addRaw(`<p>❌ ${htmlText(report.publishError)}</p>`, true)
  if (report.warnings.length) {
    s.addHeading('Warnings', 3)
    const more = report.warnings.length - MAX_WARNINGS
    s.addList([...report.warnings.slice(0, MAX_WARNINGS).map(w => htmlText(w, 500)), ...(more > 0 ? [`${more} more in the log`] : [])])
  }
}

function links(v: VideoOutcome): string[] {
  const out: string[] = []
  const a = (url: string, text: string): string => `<a href="${htmlText(url)}">${text}</a>`
  if (v.links.artifactUrl) out.push(a(v.links.artifactUrl, `Artifact ${htmlText(v.links.artifactName ?? '')}`))
  if (v.links.releaseAssetUrl) out.push(a(v.links.releaseAssetUrl, 'Release asset'))
  if (v.made?.videoUrl) out.push(a(v.made.videoUrl, 'Cloud render'))
  if (v.made?.claimUrl) out.push(`${a(v.made.claimUrl, 'Open in NemoVideo')} (claims the anonymous session)`)
  return out
}
