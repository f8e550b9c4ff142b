// CSS files imported by the editor are bundled as their text (scripts/build.mjs).
declare module '*.css' {
  const text: string
  export default text
}
