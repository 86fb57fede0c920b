import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import {
  ArrayMaxSize,
  ArrayUnique,
  IsArray,
  IsBoolean,
  IsIn,
  IsInt,
  IsISO8601,
  IsOptional,
  IsString,
  Length,
  Matches,
  Max,
  Min,
  ValidateNested,
} from 'class-validator';
import { IsOneLine } from '@guichet/platform';
import { DOCUMENT_TYPES, SERVICES } from '@guichet/contracts';
import { SCHOOL_LEVELS } from '../domain/eligibility';

const ID = /^[a-z0-9][a-z0-9-]{0,62}$/;
const idMessage = (field: string) => ({
  message: `${field} must be 1 to 63 lowercase letters, digits or dashes (e.g. ecole-jean-jaures)`,
});
const CalendarDate = () => IsISO8601({ strict: true }, { message: 'must be a date YYYY-MM-DD' });

export class CreateSiteDto {
  @ApiProperty({ example: 'ecole-jean-jaures' }) @Matches(ID, idMessage('id')) id!: string;
  @ApiProperty({ example: 'École Jean-Jaurès' }) @IsString() @IsOneLine() @Length(1, 200) name!: string;
  @ApiProperty({ enum: ['creche', 'school', 'centre'] }) @IsIn(['creche', 'school', 'centre']) kind!: string;
}

export class CreatePeriodDto {
  @ApiProperty({ example: 'annee-2026-2027' }) @Matches(ID, idMessage('id')) id!: string;
  @ApiProperty({ example: 'Année scolaire 2026-2027' })
  @IsString()
  @IsOneLine()
  @Length(1, 200)
  label!: string;
  @ApiProperty({ example: '2026-09-01' }) @Matches(/^\d{4}-\d{2}-\d{2}$/) @CalendarDate() startsOn!: string;
  @ApiProperty({ example: '2027-07-03' }) @Matches(/^\d{4}-\d{2}-\d{2}$/) @CalendarDate() endsOn!: string;
  @ApiProperty({ example: [1, 2, 4, 5], description: 'ISO weekdays with service (1 = Monday)' })
  @IsArray()
  @ArrayUnique()
  @ArrayMaxSize(7)
  @IsInt({ each: true })
  @Min(1, { each: true })
  @Max(7, { each: true })
  weekdays!: number[];
  @ApiPropertyOptional({ description: 'Days without service inside the period (holidays)' })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(366)
  @IsISO8601({ strict: true }, { each: true, message: 'each closed date must be a date YYYY-MM-DD' })
  @Matches(/^\d{4}-\d{2}-\d{2}$/, { each: true, message: 'each closed date must read YYYY-MM-DD' })
  closedDates?: string[];
}

export class EligibilityDto {
  @ApiPropertyOptional() @IsOptional() @IsInt() @Min(0) @Max(240) minAgeMonths?: number;
  @ApiPropertyOptional() @IsOptional() @IsInt() @Min(0) @Max(240) maxAgeMonths?: number;
  @ApiPropertyOptional({ description: 'Ages are taken on this date (default: first day of the period)' })
  @IsOptional()
  @CalendarDate()
  ageOn?: string;
  @ApiPropertyOptional({ enum: SCHOOL_LEVELS, isArray: true })
  @IsOptional()
  @IsIn(SCHOOL_LEVELS, { each: true })
  schoolLevels?: (typeof SCHOOL_LEVELS)[number][];
  @ApiPropertyOptional() @IsOptional() @IsBoolean() residentsOnly?: boolean;
  @ApiPropertyOptional({ enum: DOCUMENT_TYPES, isArray: true })
  @IsOptional()
  @ArrayUnique()
  @IsIn(DOCUMENT_TYPES, { each: true })
  requiredDocuments?: string[];
}

export class PriorityCriterionDto {
  @ApiProperty({
    example: 'sibling',
    description: '`sibling` is computed: a brother or sister already has a place at the site',
  })
  @Matches(ID, idMessage('id'))
  id!: string;
  @ApiProperty({ example: 'Frère ou sœur déjà inscrit' })
  @IsString()
  @IsOneLine()
  @Length(1, 200)
  label!: string;
  @ApiProperty({ example: 3 }) @IsInt() @Min(0) @Max(1000) points!: number;
}

export class ProcedureDto {
  @ApiProperty({
    enum: ['fcfs', 'window'],
    description: 'First come first served, or a window then an allocation',
  })
  @IsIn(['fcfs', 'window'])
  mode!: 'fcfs' | 'window';
  @ApiProperty({ example: '2026-05-04T08:30:00+02:00' }) @IsISO8601({ strict: true }) opensAt!: string;
  @ApiProperty({ example: '2026-05-29T18:00:00+02:00' }) @IsISO8601({ strict: true }) closesAt!: string;
  @ApiProperty({ example: 2880, description: 'Minutes a family has to accept an offered place' })
  @IsInt()
  @Min(1)
  @Max(60 * 24 * 60)
  placeOfferMinutes!: number;
  @ApiPropertyOptional({ description: 'Crèches: pre-registration before birth' })
  @IsOptional()
  @IsBoolean()
  allowsUnborn?: boolean;
  @ApiPropertyOptional({
    description:
      'Window mode: the allocation offers the places (a crèche commission); each family takes its place within placeOfferMinutes, or it goes to the next on the waitlist. Default: the allocation gives them.',
  })
  @IsOptional()
  @IsBoolean()
  offersPlaces?: boolean;
  @ApiPropertyOptional({ type: [PriorityCriterionDto] })
  @IsOptional()
  @ArrayMaxSize(20)
  @ValidateNested({ each: true })
  @Type(() => PriorityCriterionDto)
  priorities?: PriorityCriterionDto[];
  @ApiPropertyOptional() @IsOptional() @IsBoolean() keepSiblingsTogether?: boolean;
}

export class BookingRulesDto {
  @ApiProperty({ example: 4, description: 'A day may be booked at least this many days ahead' })
  @IsInt()
  @Min(0)
  @Max(60)
  bookingLeadDays!: number;
  @ApiProperty({
    example: 48,
    description: 'A booked day may be cancelled (with a credit) until this many hours before',
  })
  @IsInt()
  @Min(0)
  @Max(24 * 60)
  cancellationHours!: number;
}

export class CreateOfferDto {
  @ApiProperty({ example: 'cantine-jean-jaures-2026' }) @Matches(ID, idMessage('id')) id!: string;
  @ApiProperty({ enum: SERVICES }) @IsIn(SERVICES) service!: (typeof SERVICES)[number];
  @ApiProperty() @Matches(ID, idMessage('siteId')) siteId!: string;
  @ApiProperty() @Matches(ID, idMessage('periodId')) periodId!: string;
  @ApiProperty({ example: 'Cantine — École Jean-Jaurès — 2026-2027' })
  @IsString()
  @IsOneLine()
  @Length(1, 200)
  label!: string;
  @ApiProperty({ example: 120, description: 'Places (one offer per age group where capacity is by age)' })
  @IsInt()
  @Min(0)
  @Max(100_000)
  capacity!: number;
  @ApiPropertyOptional({ example: 'demo-cantine' })
  @IsOptional()
  @IsString()
  @Length(1, 64)
  tariffGridId?: string;
  @ApiProperty({ type: EligibilityDto })
  @ValidateNested()
  @Type(() => EligibilityDto)
  eligibility!: EligibilityDto;
  @ApiProperty({ type: ProcedureDto }) @ValidateNested() @Type(() => ProcedureDto) procedure!: ProcedureDto;
  @ApiPropertyOptional({ type: BookingRulesDto, description: 'Day-by-day services (canteen, ACM)' })
  @IsOptional()
  @ValidateNested()
  @Type(() => BookingRulesDto)
  booking?: BookingRulesDto;
}

export class UpdateCapacityDto {
  @ApiProperty() @IsInt() @Min(0) @Max(100_000) capacity!: number;
}
