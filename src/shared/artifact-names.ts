// Artifact names, checked up front (by getInputs) without loading the artifact client.

// characters the artifact service refuses in names
const INVALID = ['"', ':', '<', '>', '|', '*', '?', '\r', '\n', '\\', '/']
const SHOWN: Record<string, string> = { '\r': '\\r', '\n': '\\n' }

/** undefined when the name is valid, else a message naming the input and the characters. */
export function validateArtifactName(name: string): string | undefined {
  if (!name.trim()) return "Input 'artifact-name' is empty: give a name such as 'img2vid'."
  const bad = INVALID.filter(c => name.includes(c))
  if (bad.length) {
    return `Input 'artifact-name' ('${name.replace(/[\r\n]/g, ' ')}') contains ${bad.map(c => `'${SHOWN[c] ?? c}'`).join(', ')}, which the artifact service refuses: use letters, digits, '-', '_' and '.'.`
  }
  return undefined
}
