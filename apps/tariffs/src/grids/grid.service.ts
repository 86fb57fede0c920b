import { HttpStatus, Injectable } from '@nestjs/common';
import type { Principal } from '@guichet/auth';
import { TariffGridPublished } from '@guichet/contracts';
import { EventOutbox } from '@guichet/messaging';
import { ProblemException } from '@guichet/platform';
import {
  analyseVersion,
  compareBoundaries,
  CoherenceReport,
  CompiledGrid,
  CompiledVersion,
  compileGrid,
  Finding,
  GridVersion,
  ImpactReport,
  PopulationMember,
  quote,
  Quote,
  QuoteError,
  simulateImpact,
  TariffGrid,
  validateGrid,
} from '@guichet/tariff-engine';
import { GridDocument, GridHistoryEntry, GridRepository } from './grid.repository';
import type { HouseholdFactsDto } from './dto/quote-request.dto';

const PROBLEM = 'https://guichet.example/problems';

/** Today in Europe/Paris, YYYY-MM-DD: dates at the edges are French local dates. */
export function todayInParis(now = new Date()): string {
  return new Intl.DateTimeFormat('en-CA', { timeZone: 'Europe/Paris' }).format(now);
}

/**
 * The rules of tariff grids: drafts are edited freely, a published version never changes, and a
 * version is published only when the whole grid stays valid (no overlap with another published
 * version). Publishing announces TariffGridPublished in the same write.
 */
@Injectable()
export class GridService {
  private readonly compiled = new Map<string, CompiledGrid>();

  constructor(
    private readonly grids: GridRepository,
    private readonly outbox: EventOutbox,
  ) {}

  async list(): Promise<
    {
      id: string;
      name: string;
      service: string;
      unit: string;
      versions: Pick<GridVersion, 'version' | 'status' | 'effectiveFrom'>[];
    }[]
  > {
    return (await this.grids.list()).map(({ grid }) => ({
      id: grid.id,
      name: grid.name,
      service: grid.service,
      unit: grid.unit,
      versions: grid.versions.map(({ version, status, effectiveFrom }) => ({
        version,
        status,
        effectiveFrom,
      })),
    }));
  }

  async get(id: string): Promise<GridDocument> {
    const found = await this.grids.find(id);
    if (!found) throw new ProblemException(HttpStatus.NOT_FOUND, { detail: `No tariff grid ${id}.` });
    return found;
  }

  /** Imports a grid in the open format. Versions it declares published are announced. */
  async create(input: unknown, by: Principal): Promise<TariffGrid> {
    const grid = this.validated(input);
    const entry: GridHistoryEntry = { at: new Date().toISOString(), by: by.subject, action: 'created' };
    const events = grid.versions
      .filter((v) => v.status === 'published')
      .map((v) => this.publishedEvent(grid, v));
    if (!(await this.grids.create(grid, entry, events))) {
      throw new ProblemException(HttpStatus.CONFLICT, { detail: `A tariff grid ${grid.id} exists already.` });
    }
    if (events.length) this.outbox.published('tariff_grids', grid.id);
    return grid;
  }

  /** Saves a draft version: a new one (the next number) or an existing draft. */
  async saveDraft(id: string, versionNumber: number, input: unknown, by: Principal): Promise<TariffGrid> {
    const { grid, revision } = await this.get(id);
    const existing = grid.versions.findIndex((v) => v.version === versionNumber);
    if (existing >= 0 && grid.versions[existing].status === 'published') {
      throw new ProblemException(HttpStatus.CONFLICT, {
        detail: `Version ${versionNumber} is published: it cannot change. Save a new version.`,
      });
    }
    const next = Math.max(...grid.versions.map((v) => v.version)) + 1;
    if (existing < 0 && versionNumber !== next) {
      throw new ProblemException(HttpStatus.NOT_FOUND, {
        detail: `No version ${versionNumber}; a new draft is version ${next}.`,
      });
    }
    const draft = {
      ...(typeof input === 'object' && input !== null ? input : {}),
      version: versionNumber,
      status: 'draft',
    } as GridVersion;
    delete draft.published;
    const versions =
      existing >= 0 ? grid.versions.map((v, i) => (i === existing ? draft : v)) : [...grid.versions, draft];
    const updated = this.validated({ ...grid, versions });
    await this.save(
      updated,
      revision,
      { at: new Date().toISOString(), by: by.subject, action: 'draft-saved', version: versionNumber },
      [],
    );
    return updated;
  }

  /** Publishes a draft with its effective date; refused, changing nothing, if the grid would be invalid. */
  async publish(id: string, versionNumber: number, reason: string, by: Principal): Promise<TariffGrid> {
    const { grid, revision } = await this.get(id);
    const version = grid.versions.find((v) => v.version === versionNumber);
    if (!version)
      throw new ProblemException(HttpStatus.NOT_FOUND, { detail: `No version ${versionNumber} in ${id}.` });
    if (version.status === 'published')
      throw new ProblemException(HttpStatus.CONFLICT, {
        detail: `Version ${versionNumber} is published already.`,
      });
    const at = new Date().toISOString();
    const published: GridVersion = {
      ...version,
      status: 'published',
      published: { at, by: by.subject, reason },
    };
    const updated = this.validated({
      ...grid,
      versions: grid.versions.map((v) => (v.version === versionNumber ? published : v)),
    });
    await this.save(
      updated,
      revision,
      { at, by: by.subject, action: 'published', version: versionNumber, reason },
      [this.publishedEvent(updated, published)],
    );
    this.outbox.published('tariff_grids', updated.id);
    return updated;
  }

  async coherence(id: string, versionNumber: number): Promise<CoherenceReport> {
    const { grid } = await this.get(id);
    return analyseVersion(grid, this.version(grid, versionNumber));
  }

  /** Tranche boundaries that differ between the grids in force on a date (the CTG's coherent tariffs). */
  async coherenceAcrossServices(date: string): Promise<Finding[]> {
    const inForce = [];
    for (const { _id } of await this.grids.list()) {
      const document = await this.get(_id);
      try {
        inForce.push({ grid: document.grid, version: this.compile(document).versionAt(date).definition });
      } catch (error) {
        if (!(error instanceof QuoteError)) throw error; // no version in force on that date
      }
    }
    return compareBoundaries(inForce);
  }

  /** A version (usually a draft) against the one in force on `date`, over a population. */
  async simulate(
    id: string,
    versionNumber: number,
    population: PopulationMember[],
    date: string,
  ): Promise<ImpactReport> {
    const document = await this.get(id);
    let current: CompiledVersion;
    try {
      current = this.compile(document).versionAt(date);
    } catch (error) {
      if (!(error instanceof QuoteError)) throw error;
      throw new ProblemException(HttpStatus.UNPROCESSABLE_ENTITY, {
        detail: error.message,
        errors: [{ field: 'date', message: error.message }],
      });
    }
    const draft = new CompiledVersion(id, this.version(document.grid, versionNumber));
    return simulateImpact(current, draft, population, date);
  }

  async quote(gridId: string, date: string, facts: HouseholdFactsDto): Promise<Quote> {
    const document = await this.get(gridId);
    try {
      return quote(this.compile(document), date, { ...facts });
    } catch (error) {
      if (!(error instanceof QuoteError)) throw error;
      throw new ProblemException(HttpStatus.UNPROCESSABLE_ENTITY, {
        type: `${PROBLEM}/quote`,
        detail: error.message,
        errors: [
          { field: error.field === 'date' ? 'date' : `household.${error.field}`, message: error.message },
        ],
      });
    }
  }

  /** A grid compiled for quoting (cached per revision), or null when there is no such grid. */
  async findCompiledGrid(id: string): Promise<CompiledGrid | null> {
    const document = await this.grids.find(id);
    return document ? this.compile(document) : null;
  }

  private version(grid: TariffGrid, versionNumber: number): GridVersion {
    const version = grid.versions.find((v) => v.version === versionNumber);
    if (!version)
      throw new ProblemException(HttpStatus.NOT_FOUND, {
        detail: `No version ${versionNumber} in ${grid.id}.`,
      });
    return version;
  }

  /** Compiled once per revision of a grid. */
  private compile(document: GridDocument): CompiledGrid {
    const key = `${document._id}@${document.revision}`;
    let compiled = this.compiled.get(key);
    if (!compiled) {
      if (this.compiled.size > 200) this.compiled.clear();
      compiled = compileGrid(document.grid);
      this.compiled.set(key, compiled);
    }
    return compiled;
  }

  private validated(input: unknown): TariffGrid {
    const problems = validateGrid(input);
    if (problems.length > 0) {
      throw new ProblemException(HttpStatus.BAD_REQUEST, {
        type: `${PROBLEM}/invalid-grid`,
        detail: 'La grille est invalide.',
        errors: problems,
      });
    }
    return input as TariffGrid;
  }

  private publishedEvent(grid: TariffGrid, version: GridVersion) {
    return this.outbox.entry(TariffGridPublished, {
      subject: grid.id,
      data: { gridId: grid.id, version: version.version, effectiveFrom: version.effectiveFrom },
    });
  }

  private async save(
    grid: TariffGrid,
    revision: number,
    entry: GridHistoryEntry,
    events: ReturnType<GridService['publishedEvent']>[],
  ) {
    if (!(await this.grids.update(grid, revision, entry, events))) {
      throw new ProblemException(HttpStatus.CONFLICT, {
        detail: 'The grid changed meanwhile: read it again and retry.',
      });
    }
  }
}
