import { DependencyUnavailableError } from '@guichet/platform';
import {
  AllocataireIdentity,
  ProvidedPsuInputs,
  ProvidedQuotientFamilial,
  QuotientFamilialProvider,
} from './quotient-familial.provider';
import { SlidingWindowLimiter } from './rate-limiter';

/** API Particulier's limit per token. */
export const REQUESTS_PER_SECOND = 20;
const WINDOW_MARGIN_MS = 150;

/**
 * The v3 responses we read, as documented by API Particulier (staging payloads of
 * etalab/siade_staging_data, `api_particulier_v3_cnav_quotient_familial_with_civility` and
 * `api_particulier_v3_cnav_participation_familiale_eaje_with_civility`): `{ data, links, meta }` on
 * success, `{ errors: [{ code, title, detail, source, meta }] }` otherwise. Only the fields used here.
 */
export interface QuotientFamilialResponseV3 {
  data: {
    quotient_familial: {
      fournisseur: 'CNAF' | 'MSA';
      valeur: number;
      annee: number;
      mois: number;
      annee_calcul: number;
      mois_calcul: number;
    };
  };
}
export interface ParticipationFamilialeEajeResponseV3 {
  data: {
    parametres_calcul_participation_familiale: {
      nombre_enfants_a_charge: number;
      nombre_enfants_beneficiaire_aeeh: number;
      base_ressources_annuelles: { valeur: number; annee_calcul: number };
    };
  };
}

export interface ApiParticulierSettings {
  baseUrl: string;
  token: string;
  /** The SIRET of the city calling (the `recipient` v3 requires). */
  recipient: string;
  timeoutMs?: number;
}

/** The identity as v3 query parameters (camelCase, `prenoms[]` repeated). */
export function identityParameters(identity: AllocataireIdentity): URLSearchParams {
  const [year, month, day] = identity.birthDate.split('-').map(Number);
  const parameters = new URLSearchParams({
    nomNaissance: identity.birthName,
    sexeEtatCivil: identity.sex,
    anneeDateNaissance: String(year),
    moisDateNaissance: String(month),
    jourDateNaissance: String(day),
    codeCogInseePaysNaissance: identity.birthCountryCode,
  });
  if (identity.birthCommuneCode) parameters.set('codeCogInseeCommuneNaissance', identity.birthCommuneCode);
  for (const name of identity.givenNames) parameters.append('prenoms[]', name);
  return parameters;
}

/** The real HTTP client of API Particulier v3, paced to its 20 requests per second. */
export class ApiParticulierClient extends QuotientFamilialProvider {
  /**
   * The window is counted from when a call leaves here, the API counts from when it arrives: a margin
   * keeps network jitter from making a 21st call land inside the API's second.
   */
  private readonly limiter = new SlidingWindowLimiter(REQUESTS_PER_SECOND, 1000 + WINDOW_MARGIN_MS);

  constructor(private readonly settings: ApiParticulierSettings) {
    super();
  }

  async quotientFamilial(
    identity: AllocataireIdentity,
    month?: string,
  ): Promise<ProvidedQuotientFamilial | null> {
    const parameters = identityParameters(identity);
    if (month) {
      const [year, monthNumber] = month.split('-').map(Number);
      parameters.set('annee', String(year));
      parameters.set('mois', String(monthNumber));
    }
    const body = await this.get<QuotientFamilialResponseV3>('/v3/dss/quotient_familial/identite', parameters);
    if (!body) return null;
    const qf = body.data.quotient_familial;
    return {
      organisme: qf.fournisseur === 'MSA' ? 'msa' : 'caf',
      value: qf.valeur,
      month: `${qf.annee}-${String(qf.mois).padStart(2, '0')}`,
    };
  }

  async psuInputs(identity: AllocataireIdentity): Promise<ProvidedPsuInputs | null> {
    const body = await this.get<ParticipationFamilialeEajeResponseV3>(
      '/v3/dss/participation_familiale_eaje/identite',
      identityParameters(identity),
    );
    if (!body) return null;
    const parameters = body.data.parametres_calcul_participation_familiale;
    return {
      dependentChildren: parameters.nombre_enfants_a_charge,
      aeehChildren: parameters.nombre_enfants_beneficiaire_aeeh,
      // Documented as whole euros ("valeur": 40923): stored in cents like every amount here.
      annualResourcesCents: Math.round(parameters.base_ressources_annuelles.valeur * 100),
      year: parameters.base_ressources_annuelles.annee_calcul,
    };
  }

  /** One paced GET: the body, null for "no such file" (404), else DependencyUnavailableError (503 to our caller). */
  private async get<T>(path: string, parameters: URLSearchParams): Promise<T | null> {
    parameters.set('recipient', this.settings.recipient);
    const url = `${this.settings.baseUrl.replace(/\/+$/, '')}${path}?${parameters}`;
    let response = await this.paced(url);
    // Our pacing counts from departure, the API from arrival: a call that still lands in a full second
    // is tried once more when the API says it may be.
    if (response.status === 429) {
      await response.body?.cancel();
      await sleep(retryAfterMs(response));
      response = await this.paced(url);
    }
    if (response.status === 404) return null;
    if (!response.ok) {
      const codes = await errorCodes(response);
      throw new DependencyUnavailableError(`API Particulier answered ${response.status} (${codes})`);
    }
    return (await response.json()) as T;
  }

  private async paced(url: string): Promise<Response> {
    await this.limiter.acquire();
    try {
      return await fetch(url, {
        headers: { authorization: `Bearer ${this.settings.token}`, accept: 'application/json' },
        signal: AbortSignal.timeout(this.settings.timeoutMs ?? 10_000),
      });
    } catch (error) {
      throw new DependencyUnavailableError(`API Particulier unreachable: ${(error as Error).message}`);
    }
  }
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** The wait a 429 asks for (Retry-After in seconds), 1 s when it names none, never more than 5 s. */
function retryAfterMs(response: Response): number {
  const seconds = Number(response.headers.get('retry-after'));
  return Number.isFinite(seconds) && seconds > 0 ? Math.min(seconds, 5) * 1000 : 1000;
}

/** The error codes of a v3 error body (no personal data in them), for the logs. */
async function errorCodes(response: Response): Promise<string> {
  try {
    const body = (await response.json()) as { errors?: Array<{ code?: string }> };
    return (body.errors ?? []).map((e) => e.code).join(',') || 'no code';
  } catch {
    return 'no body';
  }
}
