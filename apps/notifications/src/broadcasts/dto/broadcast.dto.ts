import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsISO8601, IsString, Length, Matches, ValidateIf } from 'class-validator';
import { LINES, ONE_LINE } from '@guichet/platform';

export const BROADCAST_SCOPES = ['offer', 'site', 'day'] as const;

/**
 * An agent's notice to families: of an offer, of a site, or with a booking on a day (of an offer).
 * One class validates the three shapes (the scope says which ids are required); the OpenAPI document
 * describes each shape on its own (OfferBroadcastBody, SiteBroadcastBody, DayBroadcastBody below).
 */
export class BroadcastDto {
  @IsIn(BROADCAST_SCOPES)
  scope!: (typeof BROADCAST_SCOPES)[number];

  @ValidateIf((body: BroadcastDto) => body.scope === 'offer' || body.offerId !== undefined)
  @IsString()
  @Length(1, 64)
  offerId?: string;

  @ValidateIf((body: BroadcastDto) => body.scope === 'site' || body.siteId !== undefined)
  @IsString()
  @Length(1, 64)
  siteId?: string;

  @ValidateIf((body: BroadcastDto) => body.scope === 'day' || body.date !== undefined)
  @Matches(/^\d{4}-\d{2}-\d{2}$/, { message: 'date must read YYYY-MM-DD' })
  @IsISO8601({ strict: true }, { message: 'date must be a real calendar day' })
  date?: string;

  @IsString()
  @Length(3, 120)
  @Matches(ONE_LINE, { message: 'subject must be one line without control characters' })
  subject!: string;

  @IsString()
  @Length(3, 2000)
  @Matches(LINES, { message: 'text must hold no control characters but line breaks and tabs' })
  text!: string;
}

// The body as the OpenAPI document shows it: one of three shapes, told apart by `scope`.

class BroadcastNotice {
  @ApiProperty({
    example: 'Grève du jeudi 15 octobre',
    minLength: 3,
    maxLength: 120,
    description: 'One line, without control characters or bidirectional overrides',
  })
  subject!: string;

  @ApiProperty({
    example: 'En raison d’une grève, la cantine sera fermée jeudi.',
    minLength: 3,
    maxLength: 2000,
    description: 'Line breaks and tabs allowed; no other control character, no bidirectional override',
  })
  text!: string;
}

/** The offer's families: those with an enrolment submitted, accepted, waitlisted or offered a place. */
export class OfferBroadcastBody extends BroadcastNotice {
  @ApiProperty({ enum: ['offer'] }) scope!: 'offer';
  @ApiProperty({ example: 'cantine-jaures-2026', minLength: 1, maxLength: 64 }) offerId!: string;
}

/** The site's families: those with such an enrolment in one of its offers. */
export class SiteBroadcastBody extends BroadcastNotice {
  @ApiProperty({ enum: ['site'] }) scope!: 'site';
  @ApiProperty({ example: 'ecole-jaures', minLength: 1, maxLength: 64 }) siteId!: string;
}

/** The families with a day booked on the date, of one offer when given. */
export class DayBroadcastBody extends BroadcastNotice {
  @ApiProperty({ enum: ['day'] }) scope!: 'day';
  @ApiProperty({ example: '2026-10-15', format: 'date', description: 'YYYY-MM-DD' }) date!: string;
  @ApiPropertyOptional({ example: 'cantine-jaures-2026', minLength: 1, maxLength: 64 }) offerId?: string;
}
