import { ApiProperty, ApiPropertyOptional, PartialType } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import {
  IsBoolean,
  IsEmail,
  IsIn,
  IsInt,
  IsISO8601,
  IsOptional,
  IsString,
  Length,
  Matches,
  Max,
  Min,
  ValidateIf,
  ValidateNested,
} from 'class-validator';
import { IsOneLine } from '@guichet/platform';

/** E.164, as the SMS provider needs it. */
const E164 = /^\+[1-9]\d{6,14}$/;
const E164_MESSAGE = 'phone must be in E.164 form, e.g. +33612345678';

export class ConsentsDto {
  @ApiPropertyOptional({ description: 'The QF may be fetched from the CAF or MSA (API Particulier)' })
  @IsOptional()
  @IsBoolean()
  cafDataSharing?: boolean;
  @ApiPropertyOptional({ description: 'Notices by email' }) @IsOptional() @IsBoolean() emailNotices?: boolean;
  @ApiPropertyOptional({ description: 'Notices by SMS' }) @IsOptional() @IsBoolean() smsNotices?: boolean;
}

export class ContactDto {
  @ApiPropertyOptional({ example: 'parent@example.fr' })
  @IsOptional()
  @IsEmail()
  @Length(3, 254)
  email?: string;
  @ApiPropertyOptional({ example: '+33612345678' })
  @IsOptional()
  @Matches(E164, { message: E164_MESSAGE })
  phone?: string;
}

export class AllocataireDto {
  @ApiProperty({ enum: ['caf', 'msa'] }) @IsIn(['caf', 'msa']) organisme!: 'caf' | 'msa';
  @ApiProperty({ example: '1234567', description: 'Numéro d’allocataire' })
  @Matches(/^\d{4,13}$/, { message: 'number must be 4 to 13 digits' })
  number!: string;
}

export class RegisterFamilyDto {
  @ApiProperty({ example: 'parent@example.fr' }) @IsEmail() @Length(3, 254) email!: string;
  @ApiProperty({ minLength: 12 }) @IsString() @Length(12, 200) password!: string;
  @ApiProperty({ description: 'Lives in the city (some prices differ for non-residents)' })
  @IsBoolean()
  resident!: boolean;
  @ApiPropertyOptional({
    type: ConsentsDto,
    description: 'Email notices are on unless refused; SMS notices and CAF data sharing are opt-in',
  })
  @IsOptional()
  @ValidateNested()
  @Type(() => ConsentsDto)
  consents?: ConsentsDto;
}

export class UpdateHouseholdDto {
  @ApiPropertyOptional() @IsOptional() @IsBoolean() resident?: boolean;
  @ApiPropertyOptional({ type: ContactDto, description: 'Where notices go' })
  @IsOptional()
  @ValidateNested()
  @Type(() => ContactDto)
  contact?: ContactDto;
  @ApiPropertyOptional({ type: ConsentsDto })
  @IsOptional()
  @ValidateNested()
  @Type(() => ConsentsDto)
  consents?: ConsentsDto;
  @ApiPropertyOptional({ type: AllocataireDto, nullable: true, description: 'null removes it' })
  @ValidateIf((body: UpdateHouseholdDto) => body.allocataire !== undefined && body.allocataire !== null)
  @ValidateNested()
  @Type(() => AllocataireDto)
  allocataire?: AllocataireDto | null;
}

export class GuardianDto {
  @ApiProperty() @IsString() @IsOneLine() @Length(1, 100) firstName!: string;
  @ApiProperty() @IsString() @IsOneLine() @Length(1, 100) lastName!: string;
  @ApiPropertyOptional({ example: 'mère' })
  @IsOptional()
  @IsString()
  @IsOneLine()
  @Length(1, 50)
  relationship?: string;
  @ApiPropertyOptional() @IsOptional() @IsEmail() @Length(3, 254) email?: string;
  @ApiPropertyOptional({ example: '+33612345678' })
  @IsOptional()
  @Matches(E164, { message: E164_MESSAGE })
  phone?: string;
  @ApiProperty({ description: 'Pays the household’s bills' }) @IsBoolean() pays!: boolean;
}

export class UpdateGuardianDto extends PartialType(GuardianDto) {}

export class AddChildDto {
  @ApiProperty() @IsString() @IsOneLine() @Length(1, 100) firstName!: string;
  @ApiProperty() @IsString() @IsOneLine() @Length(1, 100) lastName!: string;
  @ApiProperty({ example: '2019-05-14' }) @IsISO8601({ strict: true }) birthDate!: string;
  @ApiPropertyOptional({ description: 'PAI (medical diet, packed meal)' })
  @IsOptional()
  @IsBoolean()
  pai?: boolean;
  @ApiPropertyOptional({ description: 'Receives AEEH' }) @IsOptional() @IsBoolean() aeeh?: boolean;
  @ApiPropertyOptional({ example: 'École Jean Jaurès' })
  @IsOptional()
  @IsString()
  @IsOneLine()
  @Length(1, 150)
  school?: string;
  @ApiPropertyOptional({ example: 'CE1' })
  @IsOptional()
  @IsString()
  @IsOneLine()
  @Length(1, 50)
  schoolClass?: string;
}

export class UpdateChildDto extends PartialType(AddChildDto) {}

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
