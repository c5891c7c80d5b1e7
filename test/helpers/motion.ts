// Motion between video frames, measured by phase correlation on grey frames: the sub-pixel
// translation of a centred 128×128 window from one frame to the next.
import { execFile } from 'node:child_process'
import { promisify } from 'node:util'

const run = promisify(execFile)
const N = 128

/** All frames of a video as grey bytes (w×h each). */
export async function greyFrames(file: string, w: number, h: number): Promise<Buffer[]> {
  const { stdout } = await run('ffmpeg', ['-v', 'error', '-i', file, '-f', 'rawvideo', '-pix_fmt', 'gray', '-'], {
    encoding: 'buffer',
    maxBuffer: 1 << 28
  })
  const buf = stdout as unknown as Buffer
  const frames: Buffer[] = []
  for (let o = 0; o + w * h <= buf.length; o += w * h) frames.push(buf.subarray(o, o + w * h))
  return frames
}

function fft(re: Float64Array, im: Float64Array, inverse: boolean): void {
  const n = re.length
  for (let i = 1, j = 0; i < n; i++) {
    let bit = n >> 1
    for (; j & bit; bit >>= 1) j ^= bit
    j ^= bit
    if (i < j) {
      ;[re[i], re[j]] = [re[j], re[i]]
      ;[im[i], im[j]] = [im[j], im[i]]
    }
  }
  for (let len = 2; len <= n; len <<= 1) {
    const ang = ((inverse ? 2 : -2) * Math.PI) / len
    for (let i = 0; i < n; i += len)
      for (let k = 0; k < len / 2; k++) {
        const [wr, wi] = [Math.cos(ang * k), Math.sin(ang * k)]
        const [ar, ai] = [re[i + k + len / 2], im[i + k + len / 2]]
        const [xr, xi] = [ar * wr - ai * wi, ar * wi + ai * wr]
        re[i + k + len / 2] = re[i + k] - xr
        im[i + k + len / 2] = im[i + k] - xi
        re[i + k] += xr
        im[i + k] += xi
      }
  }
}

function fft2(re: Float64Array, im: Float64Array, inverse: boolean): void {
  const r = new Float64Array(N)
  const i = new Float64Array(N)
  for (let pass = 0; pass < 2; pass++)
    for (let a = 0; a < N; a++) {
      for (let b = 0; b < N; b++) {
        const idx = pass === 0 ? a * N + b : b * N + a
        r[b] = re[idx]
        i[b] = im[idx]
      }
      fft(r, i, inverse)
      for (let b = 0; b < N; b++) {
        const idx = pass === 0 ? a * N + b : b * N + a
        re[idx] = r[b]
        im[idx] = i[b]
      }
    }
}

function window(frame: Buffer, w: number, h: number): [Float64Array, Float64Array] {
  const re = new Float64Array(N * N)
  const [x0, y0] = [Math.floor((w - N) / 2), Math.floor((h - N) / 2)]
  const hann = (k: number): number => 0.5 - 0.5 * Math.cos((2 * Math.PI * k) / (N - 1))
  for (let y = 0; y < N; y++) for (let x = 0; x < N; x++) re[y * N + x] = frame[(y0 + y) * w + x0 + x] * hann(x) * hann(y)
  return [re, new Float64Array(N * N)]
}

/** How far the centre of `b` moved from `a`, in pixels (x right, y down). */
export function shift(a: Buffer, b: Buffer, w: number, h: number): { x: number; y: number } {
  const [ar, ai] = window(a, w, h)
  const [br, bi] = window(b, w, h)
  fft2(ar, ai, false)
  fft2(br, bi, false)
  for (let k = 0; k < N * N; k++) {
    // B·conj(A), normalised: its inverse peaks at the shift from a to b
    const r = br[k] * ar[k] + bi[k] * ai[k]
    const i = bi[k] * ar[k] - br[k] * ai[k]
    const m = Math.hypot(r, i) || 1
    ar[k] = r / m
    ai[k] = i / m
  }
  fft2(ar, ai, true)
  let best = 0
  for (let k = 1; k < N * N; k++) if (ar[k] > ar[best]) best = k
  const [py, px] = [Math.floor(best / N), best % N]
  const at = (y: number, x: number): number => ar[((y + N) % N) * N + ((x + N) % N)]
  const sub = (m: number, c: number, p: number): number => (m - p) / (2 * (m - 2 * c + p) || 1)
  const dx = px + sub(at(py, px - 1), at(py, px), at(py, px + 1))
  const dy = py + sub(at(py - 1, px), at(py, px), at(py + 1, px))
  const wrap = (v: number): number => (v > N / 2 ? v - N : v)
  return { x: wrap(dx), y: wrap(dy) }
}
