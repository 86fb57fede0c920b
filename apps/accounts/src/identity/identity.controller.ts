import { Body, Controller, Get, HttpCode, HttpStatus, Ip, Post } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiTags } from '@nestjs/swagger';
import { randomUUID } from 'node:crypto';
import argon2 from 'argon2';
import { CurrentPrincipal, Principal, Roles } from '@guichet/auth';
import { ProblemException, Public } from '@guichet/platform';
import {
  CreateStaffUserDto,
  LoginDto,
  PasswordResetConfirmDto,
  PasswordResetDto,
  RefreshDto,
  TokenPair,
  VerifyEmailDto,
} from './dto/auth.dto';
import { IdentityService } from './identity.service';
import { SigningKeys } from './signing-keys';
import { UsersRepository } from './users.repository';

@ApiTags('identity')
@Controller()
export class IdentityController {
  constructor(
    private readonly identity: IdentityService,
    private readonly keys: SigningKeys,
    private readonly users: UsersRepository,
  ) {}

  /** The public keys of access tokens, for every service to verify them alone. */
  @Public()
  @Get('.well-known/jwks.json')
  jwks() {
    return this.keys.jwks();
  }

  @Public()
  @Post('auth/login')
  @HttpCode(200)
  @ApiOperation({ summary: 'Log in: a 15-minute access token and a rotating refresh token' })
  login(@Body() body: LoginDto, @Ip() address: string): Promise<TokenPair> {
    return this.identity.login(body.email, body.password, address);
  }

  @Public()
  @Post('auth/refresh')
  @HttpCode(200)
  @ApiOperation({
    summary: 'Trade a refresh token (good once) for a new pair; a replayed one ends the session',
  })
  refresh(@Body() body: RefreshDto): Promise<TokenPair> {
    return this.identity.refresh(body.refreshToken);
  }

  @Public()
  @Post('auth/logout')
  @HttpCode(204)
  @ApiOperation({ summary: 'End the session of a refresh token' })
  async logout(@Body() body: RefreshDto): Promise<void> {
    await this.identity.logout(body.refreshToken);
  }

  @ApiBearerAuth()
  @Get('auth/me')
  @ApiOperation({ summary: 'Who is calling, and whether the account’s email address is verified' })
  me(@CurrentPrincipal() principal: Principal): Promise<Principal & { emailVerified: boolean }> {
    return this.identity.me(principal);
  }

  @Public()
  @Post('auth/verify-email')
  @HttpCode(204)
  @ApiOperation({ summary: 'Prove the account’s address with the token of the mailed link (good once)' })
  async verifyEmail(@Body() body: VerifyEmailDto): Promise<void> {
    await this.identity.verifyEmail(body.token);
  }

  @ApiBearerAuth()
  @Post('auth/verify-email/resend')
  @HttpCode(202)
  @ApiOperation({
    summary: 'Mail a new verification link (nothing if the address is verified; 429 past 3 in 15 minutes)',
  })
  async resendVerification(@CurrentPrincipal() principal: Principal, @Ip() address: string): Promise<void> {
    await this.identity.resendVerification(principal, address);
  }

  @Public()
  @Post('auth/password-reset')
  @HttpCode(202)
  @ApiOperation({
    summary: 'Mail a password-reset link; always 202, whether the account exists or not (throttled)',
  })
  async requestPasswordReset(@Body() body: PasswordResetDto, @Ip() address: string): Promise<void> {
    await this.identity.requestPasswordReset(body.email, address);
  }

  @Public()
  @Post('auth/password-reset/confirm')
  @HttpCode(204)
  @ApiOperation({ summary: 'Set a new password with the mailed token; every session of the account ends' })
  async confirmPasswordReset(@Body() body: PasswordResetConfirmDto): Promise<void> {
    await this.identity.confirmPasswordReset(body.token, body.password);
  }

  @ApiBearerAuth()
  @Roles('admin')
  @Post('staff-users')
  @ApiOperation({ summary: 'Create an agent, finance or admin account (admins only)' })
  async createStaffUser(
    @Body() body: CreateStaffUserDto,
  ): Promise<{ id: string; email: string; role: string }> {
    const id = randomUUID();
    const created = await this.users.create({
      _id: id,
      email: body.email,
      passwordHash: await argon2.hash(body.password, { type: argon2.argon2id }),
      role: body.role,
      scopes: body.scopes,
      createdAt: new Date(),
    });
    if (!created)
      throw new ProblemException(HttpStatus.CONFLICT, { detail: 'Cette adresse a déjà un compte.' });
    return { id, email: body.email.toLowerCase(), role: body.role };
  }
}
