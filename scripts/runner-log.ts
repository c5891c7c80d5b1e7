// Shows an action's raw stdout/stderr the way a runner's log view does: workflow commands are
// consumed, not printed. `::group::X` becomes a heading and `::endgroup::` disappears; `::debug::`
// lines are hidden unless asked for; `::warning::`, `::error::` and `::notice::` become
// "Warning: …" lines with their %-escapes decoded; `::add-mask::` and the other commands vanish.
// Inside a group, a block of many lines printed at once (a filtergraph, say) is folded to its
// first line, as the runner folds a group, unless `verbose` is set.

export interface LogOptions {
  /** show ::debug:: lines (RUNNER_DEBUG=1 or --debug) */
  debug?: boolean
  /** show folded blocks in full */
  verbose?: boolean
  /** ANSI styles (a TTY) */
  color?: boolean
  /** lines in one block before it is folded */
  foldAbove?: number
  /** a block ends after this much quiet (ms) */
  blockGapMs?: number
  write: (text: string) => void
}

/** %25 %0D %0A (and %3A %2C in properties) as `@actions/core` escapes them. */
export function unescapeData(s: string): string {
  return s.replace(/%0D/gi, '\r').replace(/%0A/gi, '\n').replace(/%25/g, '%')
}
function unescapeProperty(s: string): string {
  return unescapeData(s.replace(/%3A/gi, ':').replace(/%2C/gi, ','))
}

const COMMAND = /^::([a-z-]+)(?: ([^:]*))?::(.*)$/

export class RunnerLog {
  private partial = ''
  private inGroup = false
  private block: string[] = []
  private timer?: NodeJS.Timeout
  private stopToken?: string
  private readonly o: Required<Omit<LogOptions, 'write'>> & Pick<LogOptions, 'write'>

  constructor(opts: LogOptions) {
    this.o = { debug: false, verbose: false, color: false, foldAbove: 10, blockGapMs: 40, ...opts }
  }

  private style(code: string, text: string): string {
    return this.o.color ? `\x1b[${code}m${text}\x1b[0m` : text
  }

  private out(line: string): void {
    this.o.write(line + '\n')
  }

  /** Feed a chunk of the action's output (stdout and stderr alike). */
  push(chunk: string): void {
    this.partial += chunk
    let nl: number
    while ((nl = this.partial.indexOf('\n')) >= 0) {
      this.line(this.partial.slice(0, nl).replace(/\r$/, ''))
      this.partial = this.partial.slice(nl + 1)
    }
  }

  /** The action exited: print what is left. */
  end(): void {
    if (this.partial) this.line(this.partial)
    this.partial = ''
    this.flush()
  }

  private line(raw: string): void {
    if (this.stopToken !== undefined) {
      if (raw === `::${this.stopToken}::`) this.stopToken = undefined
      else this.text(raw)
      return
    }
    const m = COMMAND.exec(raw)
    if (!m) return this.text(raw)
    const [, name, props = '', data] = m
    switch (name) {
      case 'group':
        this.flush()
        this.inGroup = true
        this.out('')
        this.out(this.style('1;36', `▸ ${unescapeData(data)}`))
        return
      case 'endgroup':
        this.flush()
        this.inGroup = false
        return
      case 'debug':
        if (this.o.debug) this.message(this.style('2', 'Debug:'), unescapeData(data), '2')
        return
      case 'notice':
      case 'warning':
      case 'error': {
        const label = { notice: 'Notice:', warning: 'Warning:', error: 'Error:' }[name]
        const where = this.location(props)
        this.message(this.style(name === 'error' ? '1;31' : name === 'warning' ? '1;33' : '1;34', label), unescapeData(data) + where)
        return
      }
      case 'stop-commands':
        this.stopToken = data
        return
      default:
        // add-mask, echo, save-state, set-output, add-path, …: consumed by the runner
        return
    }
  }

  /** ` (file:line:col)` from `file=…,line=…,col=…` when given. */
  private location(props: string): string {
    const p: Record<string, string> = {}
    for (const kv of props.split(',')) {
      const at = kv.indexOf('=')
      if (at > 0) p[kv.slice(0, at).trim()] = unescapeProperty(kv.slice(at + 1))
    }
    const parts = [p.file, p.line, p.col].filter(Boolean)
    const title = p.title ? ` [${p.title}]` : ''
    return (parts.length ? ` (${parts.join(':')})` : '') + title
  }

  private message(label: string, text: string, bodyStyle?: string): void {
    this.flush()
    const [first, ...rest] = text.split(/\r?\n/)
    const indent = this.inGroup ? '  ' : ''
    const body = (s: string): string => (bodyStyle ? this.style(bodyStyle, s) : s)
    this.out(`${indent}${label} ${body(first)}`)
    for (const r of rest) this.out(`${indent}  ${body(r)}`)
  }

  private text(line: string): void {
    if (!this.inGroup) {
      this.flush()
      this.out(line)
      return
    }
    this.block.push(line)
    clearTimeout(this.timer)
    this.timer = setTimeout(() => this.flush(), this.o.blockGapMs)
  }

  private flush(): void {
    clearTimeout(this.timer)
    this.timer = undefined
    const lines = this.block
    this.block = []
    if (!lines.length) return
    if (this.o.verbose || lines.length <= this.o.foldAbove) {
      for (const l of lines) this.out(`  ${l}`)
      return
    }
    this.out(`  ${lines[0]}`)
    this.out(this.style('2', `    … ${lines.length - 1} more lines folded (--verbose shows them)`))
  }
}
