import { createHash } from 'node:crypto';
import { createServer, IncomingMessage, Server, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { todayInParis } from '../paris-calendar';
import { REQUESTS_PER_SECOND } from './api-particulier.client';

/** Fictional allocataires of the fake, by birth name (every other name gets a CNAF QF derived from it). */
export const FAKE_ALLOCATAIRES: Record<
  string,
  { fournisseur: 'CNAF' | 'MSA'; qf: number; psu?: [number, number, number] }
> = {
  // psu: dependent children, AEEH children, annual resources in euros
  DURAND: { fournisseur: 'CNAF', qf: 650, psu: [2, 0, 31200] },
  LEROY: { fournisseur: 'MSA', qf: 420, psu: [3, 1, 24600] },
};
/** This birth name has no file: the fake answers 404 as API Particulier does. */
export const FAKE_UNKNOWN_NAME = 'INCONNU';

const error = (code: string, title: string, detail: string) => ({
  errors: [{ code, title, detail, source: null, meta: { provider: 'CNAV' } }],
});

/** The month before today (Paris), when no month is asked: the CAF publishes the previous month's QF. */
function previousMonth(): [number, number] {
  const [year, month] = todayInParis().split('-').map(Number);
  return month === 1 ? [year - 1, 12] : [year, month - 1];
}

/**
 * A local stand-in for API Particulier v3 with the documented response shapes of the two routes
 * accounts uses, its bearer token check and its limit of 20 requests per second per token (429).
 * It only knows fictional people. Used for tests and the demo when no real token is configured.
 */
export class ApiParticulierFake {
  private server?: Server;
  private readonly calls = new Map<string, number[]>();
  /** Requests served, by route, for tests. */
  readonly requests: Array<{ path: string; parameters: URLSearchParams }> = [];

  async start(port = 0): Promise<this> {
    this.server = createServer((request, response) => this.handle(request, response));
    await new Promise<void>((resolve) => this.server?.listen(port, '127.0.0.1', resolve));
    return this;
  }

  get url(): string {
    const { port } = this.server?.address() as AddressInfo;
    return `http://127.0.0.1:${port}`;
  }

  async stop(): Promise<void> {
    await new Promise((resolve) => this.server?.close(resolve));
  }

  private handle(request: IncomingMessage, response: ServerResponse): void {
    const url = new URL(request.url ?? '/', 'http://fake');
    const answer = (status: number, body: object) => {
      response.writeHead(status, {
        'content-type': 'application/json',
        ...(status === 429 ? { 'retry-after': '1' } : {}),
      });
      response.end(JSON.stringify(body));
    };
    const token = /^Bearer (.+)$/.exec(request.headers.authorization ?? '')?.[1];
    if (!token)
      return answer(401, error('50002', 'Jeton absent', 'Le jeton doit être dans l’en-tête Authorization.'));
    if (!this.withinLimit(token)) {
      return answer(429, {
        errors: [
          {
            code: '00429',
            title: 'Trop de requêtes',
            detail: 'Vous avez effectué trop de requêtes',
            source: null,
            meta: {},
          },
        ],
      });
    }
    this.requests.push({ path: url.pathname, parameters: url.searchParams });
    const birthName = (url.searchParams.get('nomNaissance') ?? '').toUpperCase();
    if (!birthName || !url.searchParams.get('recipient')) {
      return answer(
        400,
        error('00210', 'Paramètre manquant', 'nomNaissance et recipient sont obligatoires.'),
      );
    }
    if (birthName === FAKE_UNKNOWN_NAME) {
      return answer(
        404,
        error(
          '37003',
          'Dossier allocataire absent CNAV',
          'Le dossier allocataire n’a pas été trouvé auprès de la CNAV.',
        ),
      );
    }
    const known = FAKE_ALLOCATAIRES[birthName] ?? derived(birthName);
    if (url.pathname === '/v3/dss/quotient_familial/identite') {
      const [year, month] = url.searchParams.has('annee')
        ? [Number(url.searchParams.get('annee')), Number(url.searchParams.get('mois'))]
        : previousMonth();
      return answer(200, {
        data: {
          ...people(birthName),
          quotient_familial: {
            fournisseur: known.fournisseur,
            valeur: known.qf,
            annee: year,
            mois: month,
            annee_calcul: year,
            mois_calcul: month,
          },
        },
        links: {},
        meta: {},
      });
    }
    if (url.pathname === '/v3/dss/participation_familiale_eaje/identite') {
      const [children, aeeh, resources] = known.psu ?? [1, 0, known.qf * 12 * 2.5];
      return answer(200, {
        data: {
          ...people(birthName),
          parametres_calcul_participation_familiale: {
            nombre_enfants_a_charge: children,
            nombre_enfants_beneficiaire_aeeh: aeeh,
            base_ressources_annuelles: { valeur: resources, annee_calcul: previousMonth()[0] - 1 },
          },
        },
        links: {},
        meta: {},
      });
    }
    return answer(404, error('00404', 'Route inconnue', url.pathname));
  }

  private withinLimit(token: string): boolean {
    const now = Date.now();
    const recent = (this.calls.get(token) ?? []).filter((t) => t > now - 1000);
    recent.push(now);
    this.calls.set(token, recent);
    return recent.length <= REQUESTS_PER_SECOND;
  }
}

/** A stable CNAF QF between 300 and 1799 for any other name, so every demo family gets one. */
function derived(birthName: string) {
  const qf = 300 + (createHash('sha256').update(birthName).digest().readUInt16BE(0) % 1500);
  return { fournisseur: 'CNAF' as const, qf };
}

/** The identity blocks of the documented responses, fictional. */
function people(birthName: string) {
  return {
    allocataires: [
      {
        nom_naissance: birthName,
        nom_usage: null,
        prenoms: 'CAMILLE',
        date_naissance: '1985-04-12',
        sexe: 'F',
      },
    ],
    enfants: [],
    adresse: {
      destinataire: `Madame ${birthName} CAMILLE`,
      complement_information: null,
      complement_information_geographique: null,
      numero_libelle_voie: '1 RUE DE LA MAIRIE',
      lieu_dit: null,
      code_postal_ville: '30000 NIMES',
      pays: 'FRANCE',
    },
  };
}
