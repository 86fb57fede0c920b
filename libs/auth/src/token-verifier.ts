import { createRemoteJWKSet, JWTPayload, jwtVerify, JWTVerifyGetKey } from 'jose';
import { DependencyUnavailableError } from '@guichet/platform';
import { Principal, Role, ROLES } from './principal';

export interface TokenVerifierSettings {
  /** Where accounts publishes its public keys, e.g. http://accounts:3001/.well-known/jwks.json */
  jwksUrl: string;
  issuer: string;
  audience: string;
}

export class InvalidTokenError extends Error {}

/** Access tokens are signed by accounts with an asymmetric key; every service checks them alone. */
const ALGORITHMS = ['ES256', 'EdDSA'];

/**
 * Verifies access tokens against the JWKS that accounts publishes (fetched once, cached, fetched
 * again when a token names an unknown key), so no service calls accounts per request.
 */
export class TokenVerifier {
  private readonly keys: JWTVerifyGetKey;

  constructor(private readonly settings: TokenVerifierSettings) {
    this.keys = createRemoteJWKSet(new URL(settings.jwksUrl), {
      cooldownDuration: 30_000,
      cacheMaxAge: 10 * 60_000,
    });
  }

  async verify(token: string): Promise<Principal> {
    let payload: JWTPayload;
    try {
      ({ payload } = await jwtVerify(token, this.keys, {
        issuer: this.settings.issuer,
        audience: this.settings.audience,
        algorithms: ALGORITHMS,
        requiredClaims: ['sub', 'exp', 'role'],
      }));
    } catch (error) {
      // The key set could not be had (accounts out of reach, or answering garbage): not the caller's
      // fault, so 503. Every other error of jose is about the token itself: 401.
      const code = (error as { code?: unknown }).code;
      const fromJose = typeof code === 'string' && code.startsWith('ERR_J');
      if (
        !fromJose ||
        code === 'ERR_JWKS_TIMEOUT' ||
        code === 'ERR_JWKS_INVALID' ||
        code === 'ERR_JOSE_GENERIC'
      ) {
        throw new DependencyUnavailableError(
          `the accounts key set is out of reach: ${(error as Error).message}`,
        );
      }
      throw new InvalidTokenError((error as Error).message);
    }
    const role = payload.role;
    if (typeof role !== 'string' || !ROLES.includes(role as Role))
      throw new InvalidTokenError('unknown role');
    const householdId = typeof payload.hid === 'string' ? payload.hid : undefined;
    if (role === 'family' && !householdId) throw new InvalidTokenError('a family token names its household');
    const scopes = Array.isArray(payload.scopes)
      ? payload.scopes.filter((s): s is string => typeof s === 'string')
      : [];
    return { subject: payload.sub as string, role: role as Role, householdId, scopes };
  }
}
