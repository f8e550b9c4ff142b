// The flags that make the server safe to put on a network: token verification (JWT), the
// authentication cookie, the Origin allowlist and TLS. Flags win over environment variables.
import { type Command, InvalidArgumentError, Option } from 'commander'
import { type AllowedOrigins, normalizeOrigin } from '../server/http/origins.js'

/** Where tokens are verified against; null: authentication is off. */
export interface JwtConfig {
  secret: string | undefined
  publicKeyFile: string | undefined
  jwksUrl: string | undefined
  issuer: string | undefined
  audience: string | undefined
}

/** What the security flags configure. */
export interface SecurityConfig {
  jwt: JwtConfig | null
  authCookie: string
  allowedOrigins: AllowedOrigins
  tls: { certFile: string; keyFile: string } | null
}

function parseOrigins(value: string): AllowedOrigins {
  if (value.trim() === '*') return '*'
  const origins = value.split(',').map((origin) => origin.trim())
  for (const origin of origins) {
    const normalized = normalizeOrigin(origin)
    if (!normalized || normalized !== origin.replace(/\/$/, '')) {
      throw new InvalidArgumentError(
        `"${origin}" is not an origin; expected * or a list like https://a.example,https://b.example:8443.`,
      )
    }
  }
  return origins.map((origin) => normalizeOrigin(origin)!)
}

/** An http:// or https:// URL, for commander. */
export function parseHttpUrl(value: string): string {
  const isHttp = /^https?:\/\//.test(value) && URL.canParse(value)
  if (!isHttp) throw new InvalidArgumentError('expected an http:// or https:// URL.')
  return value
}

function parseCookieName(value: string): string {
  if (!/^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/.test(value)) {
    throw new InvalidArgumentError("expected a cookie name (letters, digits and !#$%&'*+-.^_`|~).")
  }
  return value
}

/** Adds the security flags to the server's command. */
export function addSecurityOptions(program: Command): void {
  program
    .addOption(
      new Option(
        '--jwt-secret <secret>',
        'verify HS256 tokens with this secret (its UTF-8 bytes)',
      ).env('JWT_SECRET'),
    )
    .addOption(
      new Option(
        '--jwt-public-key <file>',
        'verify tokens with this PEM public key or JWKS file (EdDSA, ES256, RS256)',
      ).env('JWT_PUBLIC_KEY'),
    )
    .addOption(
      new Option('--jwks-url <url>', "verify tokens with an identity provider's key set")
        .env('JWKS_URL')
        .argParser(parseHttpUrl),
    )
    .addOption(new Option('--jwt-issuer <issuer>', 'require this `iss` claim').env('JWT_ISSUER'))
    .addOption(
      new Option('--jwt-audience <audience>', 'require this `aud` claim').env('JWT_AUDIENCE'),
    )
    .addOption(
      new Option('--auth-cookie <name>', 'cookie that may carry the token (same-origin pages only)')
        .env('AUTH_COOKIE')
        .default('collab_token')
        .argParser(parseCookieName),
    )
    .addOption(
      new Option(
        '--allowed-origins <origins>',
        'browser origins allowed besides our own: * or https://a.example,https://b.example',
      )
        .env('ALLOWED_ORIGINS')
        .default('*')
        .argParser(parseOrigins),
    )
    .addOption(
      new Option('--tls-cert <file>', 'serve https/wss with this PEM certificate chain').env(
        'TLS_CERT',
      ),
    )
    .addOption(new Option('--tls-key <file>', 'the PEM private key of --tls-cert').env('TLS_KEY'))
}

/** Reads the security flags; returns a one-line problem for flags that do not fit together. */
export function readSecurityConfig(program: Command): SecurityConfig | string {
  const value = (name: string): string | undefined =>
    program.getOptionValue(name) as string | undefined
  const keySources = [value('jwtSecret'), value('jwtPublicKey'), value('jwksUrl')].filter(
    (source) => source !== undefined,
  )
  if (keySources.length > 1) {
    return 'give only one of --jwt-secret, --jwt-public-key and --jwks-url'
  }
  if (value('jwtSecret') === '') return '--jwt-secret must not be empty'
  if (keySources.length === 0 && (value('jwtIssuer') || value('jwtAudience'))) {
    return '--jwt-issuer and --jwt-audience need --jwt-secret, --jwt-public-key or --jwks-url'
  }
  const certFile = value('tlsCert')
  const keyFile = value('tlsKey')
  if ((certFile === undefined) !== (keyFile === undefined)) {
    return '--tls-cert and --tls-key go together'
  }
  return {
    jwt:
      keySources.length === 0
        ? null
        : {
            secret: value('jwtSecret'),
            publicKeyFile: value('jwtPublicKey'),
            jwksUrl: value('jwksUrl'),
            issuer: value('jwtIssuer'),
            audience: value('jwtAudience'),
          },
    authCookie: value('authCookie') ?? 'collab_token',
    allowedOrigins: program.getOptionValue('allowedOrigins') as AllowedOrigins,
    tls: certFile && keyFile ? { certFile, keyFile } : null,
  }
}
