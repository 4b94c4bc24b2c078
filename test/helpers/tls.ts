import {execFileSync} from 'node:child_process'
import {mkdtempSync, readFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'

/**
 * A new temporary directory with a self-signed certificate for 127.0.0.1 (cert.pem, key.pem),
 * as `restapi.certfile` or etcd's --cert-file would use; the caller removes `dir`.
 */
export function selfSignedCert(prefix: string): {cert: Buffer; certFile: string; dir: string; key: Buffer} {
  const dir = mkdtempSync(join(tmpdir(), prefix))
  const [certFile, keyFile] = [join(dir, 'cert.pem'), join(dir, 'key.pem')]
  const subject = ['-subj', '/CN=127.0.0.1', '-addext', 'subjectAltName=IP:127.0.0.1']
  execFileSync(
    'openssl',
    ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '1', ...subject, '-keyout', keyFile, '-out', certFile],
    {stdio: 'ignore'},
  )
  return {cert: readFileSync(certFile), certFile, dir, key: readFileSync(keyFile)}
}
