// Checks HTML with a real parser (htmlparser2): every element is closed by its own end tag, none
// implied by the parser, and nothing is left open.
import assert from 'node:assert/strict'
import { Parser } from 'htmlparser2'

const VOID = new Set(['br', 'hr', 'img', 'input', 'meta', 'link', 'wbr'])

export function assertWellFormedHtml(html: string): void {
  const problems: string[] = []
  const open: string[] = []
  const parser = new Parser(
    {
      onopentag: name => {
        if (!VOID.has(name)) open.push(name)
      },
      onclosetag: (name, isImplied) => {
        if (VOID.has(name)) return
        if (isImplied) problems.push(`<${name}> closed by the parser, not by </${name}>`)
        open.pop()
      }
    },
    { decodeEntities: true, recognizeSelfClosing: false }
  )
  parser.write(html)
  parser.end()
  assert.deepEqual(problems, [], `malformed HTML:\n${html.slice(0, 2000)}`)
}
