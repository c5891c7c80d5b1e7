// Publishing failures the user can act on; the message says what to change.

export class PublishError extends Error {
  override name = 'PublishError'
}

/** A release upload refused because an asset of that name exists (422 already_exists). */
export class AssetExistsError extends PublishError {
  override name = 'AssetExistsError'
}
