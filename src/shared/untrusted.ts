// The one place that makes untrusted text (server replies, agent text, file names, repository
// files) safe where it ends up: log lines that the runner never runs as workflow commands, and job
// summary text that can neither end the summary's HTML block nor form HTML or Markdown.
import escapeHtml from 'escape-html'

/**
 * Text as log lines that the runner prints and never runs. The runner splits its input at \n, \r
 * and \r\n and runs a line that starts, after .NET's TrimStart() whitespace, with `::` (and the
 * legacy `##[` anywhere): both are broken up with a space, and control characters (ANSI escapes,
 * and the C1 set with U+0085 NEXT LINE, which TrimStart() strips and JavaScript's \s does not
 * match) are dropped.
 */
export function safeText(text: string): string {
  return text
    .split(/\r\n|\r|\n/)
    .map(line =>
      line
        // eslint-disable-next-line no-control-regex -- dropping control characters is the point
        .replace(/[\x00-\x08\x0b-\x1f\x7f-\x9f\u2028\u2029]/g, '')
        .replace(/^(\s*):(?=:)/, '$1: ')
        .replace(/##\[/g, '# #[')
    )
    .join('\n')
}

/** One line: line breaks become spaces (for values shown inside a sentence). */
export function oneLine(text: string, max = 300): string {
  const flat = safeText(text)
    .replace(/\s*\n\s*/g, ' ')
    .trim()
  return flat.length > max ? `${flat.slice(0, max - 1)}…` : flat
}

/**
 * Text for the job summary: one line (a blank line would end the HTML block and let Markdown
 * render: images, links), HTML-escaped, and bounded. `max` bounds the escaped text, the one the
 * summary holds: `&` becomes 5 characters and `"` 6, so cutting before escaping let 2000
 * characters of them take 12000. The cut never splits an entity or a surrogate pair.
 */
export function htmlText(text: string, max = 2000): string {
  // escaping never shortens text: past `max` characters of the line, nothing more can be shown
  const escaped = escapeHtml(oneLine(text, Number.MAX_SAFE_INTEGER).slice(0, max + 1))
  if (escaped.length <= max) return escaped
  let cut = escaped.slice(0, Math.max(0, max - 1))
  // an entity cut short (`&am`) would show as text and could join what follows: drop it whole
  const amp = cut.lastIndexOf('&')
  if (amp >= 0 && !cut.includes(';', amp)) cut = cut.slice(0, amp)
  if (/[\uD800-\uDBFF]$/.test(cut)) cut = cut.slice(0, -1)
  return `${cut}…`
}
