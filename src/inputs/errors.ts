// The inputs' one error: every problem found, each naming the input (or manifest entry and key) and the fix.

/**
 * How a problem names where a value came from: `Input 'images'` for the step's input, or for a
 * manifest's video the file:line of its key (manifest.ts, entryLabels). Every later check of the
 * value (its files, its patterns) names it the same way.
 */
export type Label = (input: string) => string
export const inputLabel: Label = name => `Input '${name}'`

/** At most this many problems are listed in one error, each at most this long. */
const MAX_PROBLEMS_SHOWN = 20
const MAX_PROBLEM_CHARS = 500

export class InputError extends Error {
  constructor(readonly problems: string[]) {
    const shown = problems
      .slice(0, MAX_PROBLEMS_SHOWN)
      .map(p => (p.length > MAX_PROBLEM_CHARS ? `${p.slice(0, MAX_PROBLEM_CHARS - 1)}…` : p))
    const more = problems.length - shown.length
    if (more > 0) shown.push(`… and ${more} more (fix these first).`)
    super(problems.length === 1 ? shown[0] : `${problems.length} inputs need fixing:\n- ${shown.join('\n- ')}`)
    this.name = 'InputError'
  }
}
