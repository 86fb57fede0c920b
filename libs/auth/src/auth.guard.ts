import { CanActivate, ExecutionContext, HttpStatus, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { Request, Response } from 'express';
import { IS_PUBLIC, ProblemException } from '@guichet/platform';
import { ROLES_KEY } from './decorators';
import type { Principal, Role } from './principal';
import { InvalidTokenError, TokenVerifier } from './token-verifier';

/**
 * Checks every HTTP route: a valid bearer access token (401 otherwise), and the route's roles
 * (403 otherwise). Routes marked @Public (health, documentation) are open. Whether a family may see
 * a given household is the service's rule: it answers 404 for another household's ids.
 */
@Injectable()
export class AuthGuard implements CanActivate {
  constructor(
    private readonly verifier: TokenVerifier,
    private readonly reflector: Reflector,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    if (context.getType() !== 'http') return true; // Kafka events are not user calls
    const targets = [context.getHandler(), context.getClass()];
    if (this.reflector.getAllAndOverride<boolean>(IS_PUBLIC, targets)) return true;
    const request = context.switchToHttp().getRequest<Request & { principal?: Principal }>();
    const header = request.headers.authorization ?? '';
    const match = /^Bearer ([\w-]+\.[\w-]+\.[\w-]+)$/i.exec(header);
    if (!match) this.unauthorized(context, 'Un jeton d’accès est nécessaire (Authorization: Bearer …).');
    try {
      request.principal = await this.verifier.verify(match[1]);
    } catch (error) {
      if (error instanceof InvalidTokenError)
        this.unauthorized(context, 'Le jeton d’accès est invalide ou expiré.');
      throw error; // the key set could not be fetched: a dependency problem, not the caller's
    }
    const roles = this.reflector.getAllAndOverride<Role[] | undefined>(ROLES_KEY, targets);
    if (roles && !roles.includes(request.principal.role)) {
      throw new ProblemException(HttpStatus.FORBIDDEN, {
        detail: 'Votre rôle ne permet pas cette opération.',
      });
    }
    return true;
  }

  private unauthorized(context: ExecutionContext, detail: string): never {
    context.switchToHttp().getResponse<Response>().setHeader('WWW-Authenticate', 'Bearer realm="guichet"');
    throw new ProblemException(HttpStatus.UNAUTHORIZED, { detail });
  }
}
