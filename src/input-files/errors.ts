// The input files' one error: a file or pattern that cannot be used.

/** An input file (or pattern) that cannot be used; the message names the input and the fix. */
export class FileCheckError extends Error {}
