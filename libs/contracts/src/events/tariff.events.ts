import { IsInt, IsISO8601, IsString, Length, Min } from 'class-validator';
import { defineEvent } from '../event-definition';
import { Topics } from '../topics';

/** A tariff grid version was published; it applies from `effectiveFrom` (YYYY-MM-DD, Europe/Paris). */
export class TariffGridPublishedV1 {
  @IsString() @Length(1, 64) gridId!: string;
  @IsInt() @Min(1) version!: number;
  @IsISO8601({ strict: true }) effectiveFrom!: string;
}
export const TariffGridPublished = defineEvent(
  'fr.guichet.tariff-grid.published.v1',
  Topics.tariffGrids,
  TariffGridPublishedV1,
);
