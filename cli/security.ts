// Turns the security flags into what createCollabServer takes: the token verifier, the Origin
// allowlist and the TLS certificate. Fails with one line naming the flag to fix.
import { readFile } from 'node:fs/promises'
import { createJwtAuthenticator } from '../auth/jwt-authenticator.js'
import type { CollabServerOptions } from '../server/index.js'
import type { Logger } from '../server/logger.js'
import { ConfigError } from './config.js'
import type { SecurityConfig } from './security-config.js'

/** The server options the security flags decide, and what to tell the operator once listening. */
export interface PreparedSecurity {
  options: Pick<CollabServerOptions, 'authenticate' | 'allowedOrigins' | 'tls'>
  announce: (logger: Logger) => void
}

const isLoopback = (host: string): boolean =>
  host === 'localhost' || host === '::1' || host === '[::1]' || /^127\./.test(host)

async function readPem(path: string, flag: string): Promise<Buffer> {
  try {
    return await readFile(path)
  } catch (error) {
    throw new ConfigError(`cannot read ${flag} ${path}: ${(error as Error).message}`)
  }
}

/** Builds the security options, and the start-up lines that say what they mean. */
export async function prepareSecurity(
  config: SecurityConfig,
  host: string,
): Promise<PreparedSecurity> {
  const tls = config.tls && {
    cert: await readPem(config.tls.certFile, '--tls-cert'),
    key: await readPem(config.tls.keyFile, '--tls-key'),
  }
  if (!config.jwt) {
    const message =
      'authentication is off: anyone who can reach the server reads and writes every document (see --jwt-secret)'
    return {
      options: { allowedOrigins: config.allowedOrigins, tls: tls ?? undefined },
      announce: (logger) => {
        if (isLoopback(host)) logger.info(message)
        else logger.warn({ host }, `${message}, and it listens beyond this machine`)
      },
    }
  }
  let authenticate
  try {
    authenticate = await createJwtAuthenticator({ ...config.jwt, cookieName: config.authCookie })
  } catch (error) {
    throw new ConfigError(
      `${(error as Error).message} (--jwt-secret / --jwt-public-key / --jwks-url)`,
    )
  }
  return {
    options: { authenticate, allowedOrigins: config.allowedOrigins, tls: tls ?? undefined },
    announce: (logger) =>
      logger.info(
        { cookie: config.authCookie, allowedOrigins: config.allowedOrigins },
        'authentication is on: every connection needs a valid token',
      ),
  }
}
