/** `--dry-run`: the exact request, as it would go out, without credentials (they are in a header). */
export function describeRequest(method: string, url: string, body?: unknown): string {
  return `${method} ${url}${body === undefined ? '' : ` ${JSON.stringify(body)}`}`
}
