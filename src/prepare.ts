// Every video's input files found and checked and its request built, before any backend runs:
// a bad input fails the step before a single request or render.
import { relative } from 'node:path'
import { collectInputFiles, FileCheckError, FileChecks } from './input-files/check-files.js'
import type { InputFile } from './input-files/input-file.js'
import type { Inputs, VideoSpec } from './inputs/get-inputs.js'
import { buildRequest, type VideoRequest } from './request/request.js'
import { log } from './shared/log.js'
import { Input } from './shared/contract.js'

export interface PreparedVideo {
  spec: VideoSpec
  images: InputFile[]
  request: VideoRequest
}

/** `list: false` (the plan, over thousands of videos): the files are checked but not listed in the log. */
export async function prepareVideos(
  inputs: Pick<Inputs, 'videos' | 'batch' | 'workspace'>,
  opts: { list: boolean } = { list: true }
): Promise<PreparedVideo[]> {
  const prepared: PreparedVideo[] = []
  const problems: string[] = []
  // videos of a manifest share photos: each file is checked once (100 videos of the same 300
  // photos opened 30 000 files)
  const checks = new FileChecks()
  for (const spec of inputs.videos) {
    try {
      // problems name the inputs as the inputs' own checks do (spec.label: a manifest key's file:line)
      const find = (): ReturnType<typeof collectInputFiles> =>
        collectInputFiles(
          spec.images,
          inputs.workspace,
          spec.music && 'file' in spec.music ? spec.music.file : undefined,
          spec.label,
          checks
        )
      const files = !opts.list
        ? await find()
        : await log.block(`Images${inputs.batch ? ` for ${spec.name}` : ''}`, async () => {
            const found = await find()
            for (const f of found.images) log.info(`🖼  ${relative(inputs.workspace, f.path)} (${f.type}, ${(f.size / 1024).toFixed(0)} KB)`)
            if (found.music) log.info(`🎵 ${relative(inputs.workspace, found.music.path)} (${found.music.type})`)
            log.info(`${found.images.length} image${found.images.length === 1 ? '' : 's'} matched.`)
            return found
          })
      const captions = spec.captions?.length ?? 0
      if (captions > files.images.length)
        throw new FileCheckError(
          `${spec.label(Input.captions)} has ${captions} lines and 'images' matches ${files.images.length} photo${files.images.length === 1 ? '' : 's'}: give one line per photo, in the order they are shown (an empty line for a photo without a caption), or match more photos.`
        )
      for (const p of files.unmatched) log.warning(p)
      prepared.push({ spec, images: files.images, request: buildRequest(spec, files.music) })
    } catch (err) {
      if (!(err instanceof FileCheckError)) throw err
      problems.push(err.message)
    }
  }
  if (problems.length) throw new FileCheckError(problems.join('\n'))
  return prepared
}
