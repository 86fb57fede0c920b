import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import {
  IsDefined,
  IsISO8601,
  IsObject,
  IsBoolean,
  IsInt,
  IsOptional,
  IsString,
  Length,
  Matches,
  Max,
  Min,
  ValidateNested,
} from 'class-validator';

/** A household's facts for a price preview; only what the price depends on. */
export class HouseholdFactsDto {
  @ApiPropertyOptional({ description: 'Quotient familial, whole euros per month; absent when unknown' })
  @IsOptional()
  @IsInt()
  @Min(0)
  @Max(30000)
  qf?: number;
  @ApiPropertyOptional() @IsOptional() @IsInt() @Min(0) @Max(100_000_000) monthlyResourcesCents?: number;
  @ApiPropertyOptional() @IsOptional() @IsInt() @Min(0) @Max(1_200_000_000) annualResourcesCents?: number;
  @ApiPropertyOptional() @IsOptional() @IsInt() @Min(0) @Max(20) dependentChildren?: number;
  @ApiPropertyOptional() @IsOptional() @IsInt() @Min(0) @Max(20) aeehChildren?: number;
  @ApiProperty() @IsBoolean() resident!: boolean;
  @ApiPropertyOptional() @IsOptional() @IsInt() @Min(1) @Max(20) childRank?: number;
  @ApiPropertyOptional() @IsOptional() @IsBoolean() pai?: boolean;
  @ApiPropertyOptional() @IsOptional() @IsInt() @Min(0) @Max(10_000) quantity?: number;
  @ApiPropertyOptional() @IsOptional() @IsInt() @Min(0) @Max(8_784) contractHoursPerYear?: number;
}

export class QuoteRequestDto {
  @ApiProperty({ example: 'demo-cantine' }) @IsString() @Length(1, 64) gridId!: string;
  @ApiPropertyOptional({ example: '2026-09-07', description: 'YYYY-MM-DD, Europe/Paris; today when absent' })
  @IsOptional()
  @Matches(/^\d{4}-\d{2}-\d{2}$/, { message: 'date must read YYYY-MM-DD' })
  @IsISO8601({ strict: true }, { message: 'date must be a real date' })
  date?: string;
  @ApiProperty({ type: HouseholdFactsDto })
  @IsDefined()
  @IsObject()
  @ValidateNested()
  @Type(() => HouseholdFactsDto)
  household!: HouseholdFactsDto;
}

export class PublishRequestDto {
  @ApiProperty({ description: 'Why: the council decision (délibération) or the reason of the change' })
  @IsString()
  @Length(3, 2000)
  reason!: string;
}
