// The job summary: what was made, the timeline, where to find the video, and what failed.
import * as core from '@actions/core'
import { relative } from 'node:path'
import type { Inputs } from '../inputs/get-inputs.js'
import type { MadeVideo } from '../render-video.js'
import type { Failure } from './outputs.js'
import type { Published } from '../publish/publish.js'

export interface SummaryFacts {
  inputs: Inputs
  made: MadeVideo[]
  failures: Failure[]
  published: Published
  warnings: string[]
}

const mb = (bytes: number): string => `${(bytes / 1048576).toFixed(1)} MB`

export async function writeSummary({ inputs, made, failures, published, warnings }: SummaryFacts): Promise<void> {
  if (!process.env.GITHUB_STEP_SUMMARY) return
  const s = core.summary.addHeading('🎬 img2vid', 2)
  const path = (v: MadeVideo): string => relative(inputs.workspace, v.videoPath) || v.videoPath

  if (inputs.batch) {
    s.addTable([
      ['Video', 'Status', 'File', 'Duration', 'Size', 'Links'].map(data => ({ data, header: true })),
      ...inputs.videos.map(spec => {
        const v = made.find(m => m.spec.name === spec.name)
        if (!v) {
          const f = failures.find(x => x.name === spec.name)
          return [escape(spec.name), f?.skipped ? '⏭ skipped' : '❌ failed', escape(f?.message ?? ''), '', '', '']
        }
        return [
          escape(spec.name),
          '✅',
          `<code>${escape(path(v))}</code>`,
          `${v.info.duration.toFixed(1)} s`,
          `${v.info.width}×${v.info.height}, ${mb(v.info.size)}`,
          links(v, published).join(' · ')
        ]
      })
    ])
  }

  for (const v of made) {
    if (inputs.batch) s.addHeading(escape(v.spec.name), 3)
    s.addTable([
      [
        { data: 'Video', header: true },
        { data: '', header: true }
      ],
      ['File', `<code>${escape(path(v))}</code>`],
      ['Duration', `${v.info.duration.toFixed(1)} s`],
      ['Size', `${v.info.width}×${v.info.height}, ${mb(v.info.size)}`],
      ['Codec', escape([v.info.videoCodec, v.info.audioCodec].filter(Boolean).join(' + '))],
      ['SHA-256', `<code>${v.sha256}</code>`],
      ['Backend', inputs.backend],
      ['Session / render', `<code>${escape(v.sessionId)}</code> / <code>${escape(v.renderId)}</code>`],
      ...(v.creditsAvailable !== undefined ? [['Credits left', String(v.creditsAvailable)]] : [])
    ])
    if (v.timeline.tracks.length) {
      s.addHeading(`Timeline (${v.timeline.duration} s)`, 4)
      s.addTable([
        ['#', 'Track', 'Content', 'Span', 'Segments'].map(data => ({ data, header: true })),
        ...v.timeline.tracks.map((t, i) => [
          String(i + 1),
          t.label,
          escape(t.kind === 'text' ? `"${t.name}"` : t.name) + (t.volume !== undefined ? ` (${Math.round(t.volume * 100)}%)` : ''),
          `${t.start}–${t.end} s`,
          String(t.segments)
        ])
      ])
    }
    const l = links(v, published)
    if (l.length) s.addList(l)
  }

  if (!inputs.batch && failures.length) s.addRaw(`<p>❌ ${escape(failures[0].message)}</p>`, true)
  if (warnings.length) {
    s.addHeading('Warnings', 3)
    s.addList(warnings.map(escape))
  }
  await s.write()
}

function links(v: MadeVideo, published: Published): string[] {
  const p = published.videos.get(v.spec.name) ?? {}
  const out: string[] = []
  if (p.artifactUrl) out.push(`<a href="${escape(p.artifactUrl)}">Artifact ${escape(p.artifactName ?? '')}</a>`)
  if (p.releaseAssetUrl) out.push(`<a href="${escape(p.releaseAssetUrl)}">Release asset</a>`)
  if (v.videoUrl) out.push(`<a href="${escape(v.videoUrl)}">Cloud render</a>`)
  if (v.claimUrl) out.push(`<a href="${escape(v.claimUrl)}">Open in NemoVideo</a> (claims the anonymous session)`)
  return out
}

function escape(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;')
}
