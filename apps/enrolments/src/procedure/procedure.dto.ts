import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import {
  ArrayMaxSize,
  ArrayUnique,
  IsBoolean,
  IsIn,
  IsInt,
  IsOptional,
  IsString,
  Length,
  Max,
  Min,
} from 'class-validator';
import { IsOneLine } from '@guichet/platform';
import { REJECTION_CODES } from '@guichet/contracts';
import { ENROLMENT_STATUSES } from './enrolment.repository';

export class CreateEnrolmentDto {
  @ApiProperty() @IsString() @Length(1, 64) childId!: string;
  @ApiProperty() @IsString() @Length(1, 64) offerId!: string;
  @ApiPropertyOptional({
    description: 'Declared priority criteria (ids published by the offer)',
    example: ['working-parents'],
  })
  @IsOptional()
  @ArrayMaxSize(20)
  @ArrayUnique()
  @IsString({ each: true })
  @Length(1, 63, { each: true })
  criteria?: string[];
  @ApiPropertyOptional({
    description:
      'Crèches only: hours per year of the care contract asked for (e.g. 4 days of 9 h for 45 weeks = 1620), for its monthly price',
    example: 1620,
  })
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(3000)
  contractHoursPerYear?: number;
  @ApiPropertyOptional({ description: 'false keeps a draft; default true (submit now)' })
  @IsOptional()
  @IsBoolean()
  submit?: boolean;
}

export class RejectDto {
  @ApiProperty({ enum: REJECTION_CODES }) @IsIn(REJECTION_CODES) reasonCode!: string;
  @ApiProperty({ example: 'Justificatif de domicile illisible' })
  @IsString()
  @IsOneLine()
  @Length(3, 500)
  reason!: string;
}

export class EnrolmentQueryDto {
  @ApiPropertyOptional() @IsOptional() @IsString() @Length(1, 64) offerId?: string;
  @ApiPropertyOptional() @IsOptional() @IsString() @Length(1, 64) siteId?: string;
  @ApiPropertyOptional({ enum: ENROLMENT_STATUSES }) @IsOptional() @IsIn(ENROLMENT_STATUSES) status?: string;
  @ApiPropertyOptional() @IsOptional() @IsString() @Length(1, 64) householdId?: string;
  @ApiPropertyOptional({ default: 100 })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(1000)
  limit?: number;
  @ApiPropertyOptional({ default: 0 }) @IsOptional() @Type(() => Number) @IsInt() @Min(0) offset?: number;
}
