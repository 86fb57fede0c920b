import { randomUUID } from 'node:crypto';
import { HttpStatus, Injectable, Logger } from '@nestjs/common';
import argon2 from 'argon2';
import type { Principal } from '@guichet/auth';
import { ProblemException } from '@guichet/platform';
import { AccountMessages } from './account-messages';
import { LoginThrottle, PASSWORD_RESET_LIMITS, VERIFICATION_RESEND_LIMITS } from './login-throttle';
import { RefreshTokensRepository } from './refresh-tokens.repository';
import { ACCESS_TOKEN_SECONDS, SigningKeys } from './signing-keys';
import { UserDocument, UsersRepository } from './users.repository';
import type { TokenPair } from './dto/auth.dto';

/** Compared against when the account does not exist, so both cases take the same time. */
const DECOY_HASH = argon2.hash('decoy password', { type: argon2.argon2id });

const invalidLink = () =>
  new ProblemException(HttpStatus.BAD_REQUEST, {
    detail: 'Ce lien n’est plus valable : demandez-en un nouveau.',
    errors: [{ field: 'token', message: 'token is unknown, used or expired' }],
  });

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
    private readonly messages: AccountMessages,
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

  /** Who is calling, and whether the account's address is proven (login works either way). */
  async me(principal: Principal): Promise<Principal & { emailVerified: boolean }> {
    const user = await this.users.findById(principal.subject);
    if (!user) throw new ProblemException(HttpStatus.UNAUTHORIZED, { detail: 'Compte introuvable.' });
    return { ...principal, emailVerified: Boolean(user.emailVerifiedAt) };
  }

  async verifyEmail(token: string): Promise<void> {
    const userId = await this.messages.spend(token, 'email-verification');
    if (!userId) throw invalidLink();
    await this.users.markEmailVerified(userId);
  }

  /** A new verification link for the caller, unless the address is proven already (429 past the limit). */
  async resendVerification(principal: Principal, address: string): Promise<void> {
    const user = await this.users.findById(principal.subject);
    if (!user || user.emailVerifiedAt) return;
    const wait = await this.throttle.reserve(user.email, address, Date.now(), VERIFICATION_RESEND_LIMITS);
    if (wait > 0) {
      throw new ProblemException(HttpStatus.TOO_MANY_REQUESTS, {
        detail: `Un lien vient de vous être envoyé : réessayez dans ${Math.ceil(wait / 60)} min.`,
      });
    }
    await this.messages.request(user, 'email-verification');
  }

  /**
   * Mails a reset link when the account exists and the limits allow. The caller learns nothing
   * either way (the answer is the same), so accounts cannot be enumerated.
   */
  async requestPasswordReset(email: string, address: string): Promise<void> {
    if ((await this.throttle.reserve(email, address, Date.now(), PASSWORD_RESET_LIMITS)) > 0) {
      this.logger.warn('password reset requests over the limit: ignored');
      return;
    }
    const user = await this.users.findByEmail(email);
    if (user) await this.messages.request(user, 'password-reset');
  }

  /** Sets the new password and ends every session of the account (a thief's included). */
  async confirmPasswordReset(token: string, password: string): Promise<void> {
    const userId = await this.messages.spend(token, 'password-reset');
    if (!userId) throw invalidLink();
    await this.users.setPassword(userId, await argon2.hash(password, { type: argon2.argon2id }));
    await this.refreshTokens.revokeAllOf(userId);
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
