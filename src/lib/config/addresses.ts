/** "host:port", "[v6]:port" or "host" (a bare IPv6 address has no port); Patroni's split_host_port. */
export function splitHostPort(value: string, defaultPort: number): [string, number] {
  const {host, port} = hostAndPort(value)
  return [host, port ?? defaultPort]
}

/** As splitHostPort, the port undefined when the value has none (or an unreadable one). */
export function hostAndPort(value: string): {host: string; port?: number} {
  const v = value.trim()
  if (v.startsWith('[')) {
    const end = v.indexOf(']')
    const port = Number(v.slice(end + 2))
    return {host: v.slice(1, end), port: v[end + 1] === ':' && port ? port : undefined}
  }
  const colon = v.lastIndexOf(':')
  if (colon < 0 || v.indexOf(':') !== colon) return {host: v}
  return {host: v.slice(0, colon), port: Number(v.slice(colon + 1)) || undefined}
}
