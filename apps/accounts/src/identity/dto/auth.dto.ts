import { ApiProperty } from '@nestjs/swagger';
import { ArrayMaxSize, IsArray, IsEmail, IsIn, IsString, Length, Matches } from 'class-validator';

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
  @ApiProperty({ type: [String], description: 'An agent’s services and sites' })
  @IsArray()
  @ArrayMaxSize(50)
  @IsString({ each: true })
  scopes!: string[];
}
