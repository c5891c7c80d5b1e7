// The input files' one error: a file or pattern that cannot be used.

/** An input file (or pattern) that cannot be used; the message names the input and the fix. */
export class FileCheckError extends Error {
  /** `detail`: the problem after the input's name, for the same problem said of another input (FileChecks) */
  constructor(
    message: string,
    readonly detail?: string
  ) {
    super(message)
  }

  /** `${where}: ${detail}` */
  static at(where: string, detail: string): FileCheckError {
    return new FileCheckError(`${where}: ${detail}`, detail)
  }
}
