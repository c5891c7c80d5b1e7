// What a file the action makes may weigh, wherever one comes back from outside it: the cloud's
// download, a cache entry, another job's artifact. One rule for the three, so that what a job may
// write is what collect and a cache hit take back.

/** An MP4: the largest render the cloud serves, and what a 600-second 1080p encode stays under. */
export const MAX_VIDEO_BYTES = 2 * 1024 ** 3
/** A poster: a JPEG frame of at most 1920×1920. */
export const MAX_POSTER_BYTES = 8 * 1024 * 1024
