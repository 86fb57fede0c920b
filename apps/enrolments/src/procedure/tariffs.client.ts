import { Inject, Injectable, Logger } from '@nestjs/common';

export const TARIFFS_URL = Symbol('TARIFFS_URL');

export interface PricePreview {
  gridId: string;
  version: number;
  unitPriceCents: number;
  explanation: string[];
}

export interface PreviewFacts {
  qf?: number;
  resident: boolean;
  childRank: number;
  pai: boolean;
}

/**
 * Price previews from the tariffs service: the one HTTP call between services, a read the family
 * waits on, made with the family's own token. A preview that cannot be had is left out, never fatal.
 */
@Injectable()
export class TariffsClient {
  private readonly logger = new Logger(TariffsClient.name);

  constructor(@Inject(TARIFFS_URL) private readonly baseUrl: string | undefined) {}

  async preview(
    authorization: string,
    gridId: string,
    date: string,
    household: PreviewFacts,
  ): Promise<PricePreview | null> {
    if (!this.baseUrl) return null;
    try {
      const response = await fetch(
        new URL('quotes', this.baseUrl.endsWith('/') ? this.baseUrl : `${this.baseUrl}/`),
        {
          method: 'POST',
          headers: { 'content-type': 'application/json', authorization },
          body: JSON.stringify({ gridId, date, household }),
          signal: AbortSignal.timeout(2_000),
        },
      );
      if (!response.ok) {
        this.logger.warn({ status: response.status, gridId }, 'price preview refused by tariffs');
        return null;
      }
      const quote = (await response.json()) as PricePreview;
      return {
        gridId: quote.gridId,
        version: quote.version,
        unitPriceCents: quote.unitPriceCents,
        explanation: quote.explanation,
      };
    } catch (error) {
      this.logger.warn({ err: error, gridId }, 'price preview unavailable');
      return null;
    }
  }
}
