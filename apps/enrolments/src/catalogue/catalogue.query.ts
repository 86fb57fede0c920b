import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsOptional, IsString, Length } from 'class-validator';
import { SERVICES } from '@guichet/contracts';

export class OfferQueryDto {
  @ApiPropertyOptional() @IsOptional() @IsString() @Length(1, 64) siteId?: string;
  @ApiPropertyOptional({ enum: SERVICES }) @IsOptional() @IsIn(SERVICES) service?: string;
}

export class OffersForChildQueryDto {
  @IsString() @Length(1, 64) childId!: string;
}
