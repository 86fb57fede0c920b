import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import {
  IsBoolean,
  IsEmail,
  IsInt,
  IsISO8601,
  IsOptional,
  IsString,
  Length,
  Matches,
  Max,
  Min,
} from 'class-validator';

export class RegisterFamilyDto {
  @ApiProperty({ example: 'parent@example.fr' }) @IsEmail() @Length(3, 254) email!: string;
  @ApiProperty({ minLength: 12 }) @IsString() @Length(12, 200) password!: string;
  @ApiProperty({ description: 'Lives in the city (some prices differ for non-residents)' })
  @IsBoolean()
  resident!: boolean;
}

export class UpdateHouseholdDto {
  @ApiProperty() @IsBoolean() resident!: boolean;
}

export class AddChildDto {
  @ApiProperty() @IsString() @Length(1, 100) firstName!: string;
  @ApiProperty() @IsString() @Length(1, 100) lastName!: string;
  @ApiProperty({ example: '2019-05-14' }) @IsISO8601({ strict: true }) birthDate!: string;
  @ApiPropertyOptional({ description: 'PAI (medical diet, packed meal)' })
  @IsOptional()
  @IsBoolean()
  pai?: boolean;
  @ApiPropertyOptional({ description: 'Receives AEEH' }) @IsOptional() @IsBoolean() aeeh?: boolean;
}

export class DeclareQfDto {
  @ApiProperty({ description: 'Quotient familial in whole euros per month' })
  @IsInt()
  @Min(0)
  @Max(30000)
  value!: number;
  @ApiProperty({ example: '2026-10', description: 'The month the value refers to' })
  @Matches(/^\d{4}-(0[1-9]|1[0-2])$/, { message: 'referenceMonth must read YYYY-MM' })
  referenceMonth!: string;
  @ApiPropertyOptional({
    description: 'Agents only: the first day it applies (else the first day of next month)',
  })
  @IsOptional()
  @IsISO8601({ strict: true })
  appliesFrom?: string;
}
