import { ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsIn, IsInt, IsOptional, IsString, Matches, Max, Min } from 'class-validator';
import { CHANNELS } from '@guichet/contracts';
import { ID_PATTERN } from '../../families/id-param.pipe';
import { DELIVERY_STATUSES } from '../delivery.repository';

export class DeliveryQueryDto {
  @ApiPropertyOptional({ enum: DELIVERY_STATUSES, example: 'failed' })
  @IsOptional()
  @IsIn(DELIVERY_STATUSES)
  status?: (typeof DELIVERY_STATUSES)[number];

  @ApiPropertyOptional({ enum: CHANNELS })
  @IsOptional()
  @IsIn(CHANNELS)
  channel?: (typeof CHANNELS)[number];

  @ApiPropertyOptional({ pattern: ID_PATTERN.source, maxLength: 64 })
  @IsOptional()
  @IsString()
  @Matches(ID_PATTERN, { message: 'householdId must be 1 to 64 letters, digits, - or _' })
  householdId?: string;

  @ApiPropertyOptional({ type: 'integer', default: 100, minimum: 1, maximum: 1000 })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(1000)
  limit?: number;
}
