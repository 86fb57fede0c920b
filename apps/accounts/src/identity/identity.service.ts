import { randomUUID } from 'node:crypto';
import { HttpStatus, Injectable, Logger } from '@nestjs/common';
import argon2 from 'argon2';
import type { Principal } from '@guichet/auth';
import { ProblemException } from '@guichet/platform';
import { LoginThrottle } from './login-throttle';
import { RefreshTokensRepository } from './refresh-tokens.repository';
import { ACCESS_TOKEN_SECONDS, SigningKeys } from './signing-keys';
import { UserDocument, UsersRepository } from './users.repository';
import type { TokenPair } from './dto/auth.dto';

/** Compared against when the account does not exist, so both cases take the same time. */
const DECOY_HASH = argon2.hash('decoy password', { type: argon2.argon2id });

const principalOf = (user: UserDocument): Principal => ({
  subject: user._id,
  role: user.role,
  householdId: user.householdId,
  scopes: user.scopes,
});

/** Logins, rotating refresh tokens and logout. */
@Injectable()
export class IdentityService {
  private readonly logger = new Logger(IdentityService.name);

  constructor(
    private readonly users: UsersRepository,
    private readonly refreshTokens: RefreshTokensRepository,
    private readonly keys: SigningKeys,
    private readonly throttle: LoginThrottle,
  ) {}

  async login(email: string, password: string, address: string): Promise<TokenPair> {
    const wait = await this.throttle.reserve(email, address);
    if (wait > 0) {
      throw new ProblemException(HttpStatus.TOO_MANY_REQUESTS, {
        detail: `Trop de tentatives : réessayez dans ${Math.ceil(wait / 60)} min.`,
      });
    }
    const user = await this.users.findByEmail(email);
    const valid = await argon2.verify(user?.passwordHash ?? (await DECOY_HASH), password);
    if (!user || !valid) {
      throw new ProblemException(HttpStatus.UNAUTHORIZED, {
        detail: 'Adresse e-mail ou mot de passe incorrect.',
      });
    }
    await this.throttle.release(email, address);
    return this.tokens(user, randomUUID());
  }

  async refresh(refreshToken: string): Promise<TokenPair> {
    const outcome = await this.refreshTokens.spend(refreshToken);
    if (outcome.kind === 'reused') this.logger.warn('a refresh token was used twice: its family is revoked');
    const user = outcome.kind === 'ok' ? await this.users.findById(outcome.userId) : null;
    if (outcome.kind !== 'ok' || !user) {
      throw new ProblemException(HttpStatus.UNAUTHORIZED, { detail: 'Session expirée : reconnectez-vous.' });
    }
    return this.tokens(user, outcome.familyId);
  }

  async logout(refreshToken: string): Promise<void> {
    await this.refreshTokens.revokeFamilyOf(refreshToken);
  }

  /** The administrator of a fresh installation, from the environment; nothing if it exists. */
  async seedAdmin(email: string, password: string): Promise<boolean> {
    return this.users.create({
      _id: randomUUID(),
      email,
      passwordHash: await argon2.hash(password, { type: argon2.argon2id }),
      role: 'admin',
      scopes: [],
      createdAt: new Date(),
    });
  }

  private async tokens(user: UserDocument, familyId: string): Promise<TokenPair> {
    const refreshToken = await this.refreshTokens.issue(user._id, familyId);
    if (!refreshToken)
      throw new ProblemException(HttpStatus.UNAUTHORIZED, { detail: 'Session expirée : reconnectez-vous.' });
    return {
      accessToken: await this.keys.signAccessToken(principalOf(user)),
      tokenType: 'Bearer',
      expiresIn: ACCESS_TOKEN_SECONDS,
      refreshToken,
    };
  }
}
