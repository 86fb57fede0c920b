import { Body, Controller, Get, HttpCode, HttpStatus, Ip, Post } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiTags } from '@nestjs/swagger';
import { randomUUID } from 'node:crypto';
import argon2 from 'argon2';
import { CurrentPrincipal, Principal, Roles } from '@guichet/auth';
import { ProblemException, Public } from '@guichet/platform';
import { CreateStaffUserDto, LoginDto, RefreshDto, TokenPair } from './dto/auth.dto';
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
  me(@CurrentPrincipal() principal: Principal): Principal {
    return principal;
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
