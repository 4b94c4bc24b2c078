// Tests run under vitest, whose module runner sets import.meta.dirname and filename on every
// Node version; @types/node 18 (the oldest Node the CLI supports) does not declare them.
interface ImportMeta {
  dirname: string
  filename: string
}
