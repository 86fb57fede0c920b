import { ApiProperty } from '@nestjs/swagger';
import { ArrayMaxSize, IsArray, IsEmail, IsIn, IsString, Length, Matches } from 'class-validator';

/** An agent's scope: a whole service, one site (ids as the enrolments catalogue names them), or everything. */
export const STAFF_SCOPE = /^(\*|service:(creche|cantine|acm|periscolaire)|site:[A-Za-z0-9][\w-]{0,63})$/;

export class LoginDto {
  @ApiProperty({ example: 'parent@example.fr' }) @IsEmail() @Length(3, 254) email!: string;
  @ApiProperty() @IsString() @Length(1, 200) password!: string;
}

export class RefreshDto {
  @ApiProperty()
  @IsString()
  @Matches(/^[\w-]{43}$/, { message: 'refreshToken is not a refresh token' })
  refreshToken!: string;
}

export class VerifyEmailDto {
  @ApiProperty({ description: 'The token of the link mailed at registration' })
  @Matches(/^[\w-]{43}$/, { message: 'token is not a link token' })
  token!: string;
}

export class PasswordResetDto {
  @ApiProperty({ example: 'parent@example.fr' }) @IsEmail() @Length(3, 254) email!: string;
}

export class PasswordResetConfirmDto {
  @ApiProperty({ description: 'The token of the mailed link' })
  @Matches(/^[\w-]{43}$/, { message: 'token is not a link token' })
  token!: string;
  @ApiProperty({ minLength: 12 }) @IsString() @Length(12, 200) password!: string;
}

export interface TokenPair {
  accessToken: string;
  tokenType: 'Bearer';
  expiresIn: number;
  refreshToken: string;
}

export class CreateStaffUserDto {
  @ApiProperty({ example: 'finance@ville.fr' }) @IsEmail() @Length(3, 254) email!: string;
  @ApiProperty({ minLength: 12 }) @IsString() @Length(12, 200) password!: string;
  @ApiProperty({ enum: ['agent', 'finance', 'admin'] }) @IsIn(['agent', 'finance', 'admin']) role!:
    'agent' | 'finance' | 'admin';
  @ApiProperty({
    type: [String],
    example: ['service:cantine', 'site:ecole-jaures'],
    description:
      'What an agent works on: `service:<creche|cantine|acm|periscolaire>`, `site:<siteId>` or `*` (everything)',
  })
  @IsArray()
  @ArrayMaxSize(50)
  @Matches(STAFF_SCOPE, {
    each: true,
    message: 'each scope must read service:<creche|cantine|acm|periscolaire>, site:<siteId> or *',
  })
  scopes!: string[];
}
