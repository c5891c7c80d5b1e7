// libheif-js ships no types for its entry points; photo.ts names the part of the API it uses (Libheif).
declare module 'libheif-js/libheif-wasm/libheif-bundle.mjs' {
  const libheif: unknown
  export default libheif
}
