import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsISO8601, IsString, Length, Matches, ValidateIf } from 'class-validator';

export const BROADCAST_SCOPES = ['offer', 'site', 'day'] as const;

/** An agent's notice to families: of an offer, of a site, or with a booking on a day (of an offer). */
export class BroadcastDto {
  @ApiProperty({
    enum: BROADCAST_SCOPES,
    description: 'Whom to reach: an offer’s, a site’s or a day’s families',
  })
  @IsIn(BROADCAST_SCOPES)
  scope!: (typeof BROADCAST_SCOPES)[number];

  @ApiPropertyOptional({ description: 'Required for scope offer; narrows scope day to one offer' })
  @ValidateIf((body: BroadcastDto) => body.scope === 'offer' || body.offerId !== undefined)
  @IsString()
  @Length(1, 64)
  offerId?: string;

  @ApiPropertyOptional({ description: 'Required for scope site' })
  @ValidateIf((body: BroadcastDto) => body.scope === 'site' || body.siteId !== undefined)
  @IsString()
  @Length(1, 64)
  siteId?: string;

  @ApiPropertyOptional({ example: '2026-10-15', description: 'Required for scope day: YYYY-MM-DD' })
  @ValidateIf((body: BroadcastDto) => body.scope === 'day' || body.date !== undefined)
  @Matches(/^\d{4}-\d{2}-\d{2}$/, { message: 'date must read YYYY-MM-DD' })
  @IsISO8601({ strict: true }, { message: 'date must be a real calendar day' })
  date?: string;

  @ApiProperty({ example: 'Grève du jeudi 15 octobre', maxLength: 120 })
  @IsString()
  @Length(3, 120)
  @Matches(/^[^\r\n]*$/, { message: 'subject must be one line' })
  subject!: string;

  @ApiProperty({ example: 'En raison d’une grève, la cantine sera fermée jeudi.', maxLength: 2000 })
  @IsString()
  @Length(3, 2000)
  text!: string;
}
