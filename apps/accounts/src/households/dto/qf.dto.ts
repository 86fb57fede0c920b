import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import {
  ArrayMaxSize,
  ArrayMinSize,
  IsArray,
  IsDefined,
  IsIn,
  IsInt,
  IsISO8601,
  IsObject,
  IsOptional,
  IsString,
  Length,
  Matches,
  Max,
  Min,
  ValidateNested,
} from 'class-validator';
import { IsOneLine } from '@guichet/platform';

const APPLIES_FROM = 'Agents only: the first day it applies (else the first day of next month)';

/** The allocataire's civil identity, as API Particulier v3 looks files up; used for the call, not stored. */
export class AllocataireIdentityDto {
  @ApiProperty({ example: 'DURAND' }) @IsString() @IsOneLine() @Length(1, 100) birthName!: string;
  @ApiProperty({ example: ['Camille'] })
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(5)
  @IsString({ each: true })
  @IsOneLine(true)
  @Length(1, 60, { each: true })
  givenNames!: string[];
  @ApiProperty({ enum: ['F', 'M'] }) @IsIn(['F', 'M']) sex!: 'F' | 'M';
  @ApiProperty({ example: '1985-04-12' }) @IsISO8601({ strict: true }) @Length(10, 10) birthDate!: string;
  @ApiPropertyOptional({ example: '30189', description: 'INSEE code of the birth commune (born in France)' })
  @IsOptional()
  @Matches(/^[0-9][0-9AB][0-9]{3}$/, { message: 'birthCommuneCode must be an INSEE commune code' })
  birthCommuneCode?: string;
  @ApiProperty({ example: '99100', description: 'INSEE code of the birth country (99100 = France)' })
  @Matches(/^99\d{3}$/, { message: 'birthCountryCode must be an INSEE country code (99xxx)' })
  birthCountryCode!: string;
}

export class FetchCafQfDto {
  @ApiProperty({ type: AllocataireIdentityDto })
  @IsDefined({ message: 'identity is required' })
  @IsObject()
  @ValidateNested()
  @Type(() => AllocataireIdentityDto)
  identity!: AllocataireIdentityDto;
  @ApiPropertyOptional({ example: '2026-10', description: 'The month wanted (else the latest)' })
  @IsOptional()
  @Matches(/^\d{4}-(0[1-9]|1[0-2])$/, { message: 'month must read YYYY-MM' })
  month?: string;
  @ApiPropertyOptional({ description: APPLIES_FROM })
  @IsOptional()
  @IsISO8601({ strict: true })
  appliesFrom?: string;
}

export class FetchCafPsuDto {
  @ApiProperty({ type: AllocataireIdentityDto })
  @IsDefined({ message: 'identity is required' })
  @IsObject()
  @ValidateNested()
  @Type(() => AllocataireIdentityDto)
  identity!: AllocataireIdentityDto;
  @ApiPropertyOptional({ description: APPLIES_FROM })
  @IsOptional()
  @IsISO8601({ strict: true })
  appliesFrom?: string;
}

export class MunicipalQfDto {
  @ApiProperty({ description: 'Revenu fiscal de référence of the tax notice, in cents', example: 3600000 })
  @IsInt()
  @Min(0)
  @Max(100_000_000_00)
  revenuFiscalReferenceCents!: number;
  @ApiProperty({ example: 2025, description: 'The income year of the tax notice' })
  @IsInt()
  @Min(2000)
  @Max(2100)
  incomeYear!: number;
  @ApiProperty({ enum: [1, 2], description: 'A single parent (1) or a couple (2)' }) @IsIn([1, 2]) adults!:
    1 | 2;
  @ApiPropertyOptional({ description: 'Dependent children (else the children of the household)' })
  @IsOptional()
  @IsInt()
  @Min(0)
  @Max(20)
  children?: number;
  @ApiPropertyOptional({ description: 'Children with a disability (else those with AEEH in the household)' })
  @IsOptional()
  @IsInt()
  @Min(0)
  @Max(20)
  disabledChildren?: number;
  @ApiPropertyOptional({ description: APPLIES_FROM })
  @IsOptional()
  @IsISO8601({ strict: true })
  appliesFrom?: string;
}

export class PsuInputsDto {
  @ApiProperty({ example: 2025, description: 'The year the resources are for' })
  @IsInt()
  @Min(2000)
  @Max(2100)
  year!: number;
  @ApiProperty({ example: 3120000, description: 'Annual resources, in cents' })
  @IsInt()
  @Min(0)
  @Max(100_000_000_00)
  annualResourcesCents!: number;
  @ApiProperty() @IsInt() @Min(1) @Max(20) dependentChildren!: number;
  @ApiProperty({ description: 'Dependent children with AEEH' })
  @IsInt()
  @Min(0)
  @Max(20)
  aeehChildren!: number;
  @ApiPropertyOptional({ description: APPLIES_FROM })
  @IsOptional()
  @IsISO8601({ strict: true })
  appliesFrom?: string;
}
