import { HttpStatus, Injectable } from '@nestjs/common';
import type { Principal } from '@guichet/auth';
import { ProblemException } from '@guichet/platform';
import { parisDate } from '../domain/paris-time';
import { childRank, FactsRepository, qfOn } from '../facts/facts.repository';
import { assertMayManage, notFound } from '../procedure/access';
import { Clock } from '../procedure/clock';
import { ProcedureService } from '../procedure/procedure.service';
import { TariffsClient } from '../procedure/tariffs.client';
import { CatalogueRepository, emptyLedger, OfferDocument } from './catalogue.repository';
import { CreateOfferDto, CreatePeriodDto, CreateSiteDto } from './catalogue.dto';

/** A DTO's own fields without the undefined ones (stored as null otherwise). */
const compact = <T extends object>(value: T): T =>
  Object.fromEntries(Object.entries(value).filter(([, field]) => field !== undefined)) as T;

const exists = (what: string) =>
  new ProblemException(HttpStatus.CONFLICT, { detail: `${what} existe déjà.` });
const invalid = (field: string, message: string) =>
  new ProblemException(HttpStatus.UNPROCESSABLE_ENTITY, { detail: message, errors: [{ field, message }] });

/** Sites, periods and offers, managed by agents and admins; what a family may enrol its children in. */
@Injectable()
export class CatalogueService {
  constructor(
    private readonly catalogue: CatalogueRepository,
    private readonly facts: FactsRepository,
    private readonly procedure: ProcedureService,
    private readonly tariffs: TariffsClient,
    private readonly clock: Clock,
  ) {}

  async createSite(body: CreateSiteDto) {
    if (!(await this.catalogue.insert('sites', { _id: body.id, name: body.name, kind: body.kind })))
      throw exists('Ce site');
    return { id: body.id, name: body.name, kind: body.kind };
  }

  async createPeriod(body: CreatePeriodDto) {
    if (body.endsOn < body.startsOn) throw invalid('endsOn', 'endsOn must not be before startsOn');
    const period = {
      _id: body.id,
      label: body.label,
      startsOn: body.startsOn,
      endsOn: body.endsOn,
      weekdays: body.weekdays,
      closedDates: body.closedDates ?? [],
    };
    if (!(await this.catalogue.insert('periods', period))) throw exists('Cette période');
    return { id: body.id, ...period, _id: undefined };
  }

  async createOffer(principal: Principal, body: CreateOfferDto) {
    assertMayManage(principal, body);
    const [site, period] = await Promise.all([
      this.catalogue.site(body.siteId),
      this.catalogue.period(body.periodId),
    ]);
    if (!site) throw invalid('siteId', `unknown site ${body.siteId}`);
    if (!period) throw invalid('periodId', `unknown period ${body.periodId}`);
    const opensAt = new Date(body.procedure.opensAt);
    const closesAt = new Date(body.procedure.closesAt);
    if (closesAt <= opensAt) throw invalid('procedure.closesAt', 'closesAt must be after opensAt');
    if (body.booking && !['cantine', 'acm', 'periscolaire'].includes(body.service)) {
      throw invalid('booking', 'bookings are for day-by-day services (cantine, acm, periscolaire)');
    }
    const offer: OfferDocument = {
      _id: body.id,
      service: body.service,
      siteId: body.siteId,
      periodId: body.periodId,
      label: body.label,
      days: {
        startsOn: period.startsOn,
        endsOn: period.endsOn,
        weekdays: period.weekdays,
        closedDates: period.closedDates,
      },
      capacity: body.capacity,
      eligibility: compact({ ...body.eligibility }),
      ...(body.tariffGridId ? { tariffGridId: body.tariffGridId } : {}),
      procedure: {
        mode: body.procedure.mode,
        opensAt,
        closesAt,
        placeOfferMinutes: body.procedure.placeOfferMinutes,
        allowsUnborn: body.procedure.allowsUnborn ?? false,
        ...(body.procedure.offersPlaces && { offersPlaces: true }),
        priorities: (body.procedure.priorities ?? []).map((p) => compact({ ...p })),
        keepSiblingsTogether: body.procedure.keepSiblingsTogether ?? false,
      },
      ...(body.booking ? { booking: compact({ ...body.booking }) } : {}),
      places: emptyLedger(body.capacity),
      createdAt: this.clock.now(),
    };
    if (!(await this.catalogue.insert('offers', offer))) throw exists('Cette offre');
    return this.offerView(offer);
  }

  async changeCapacity(principal: Principal, id: string, capacity: number) {
    const offer = await this.staffOffer(principal, id);
    if (!(await this.catalogue.changeCapacity(offer, capacity))) {
      throw new ProblemException(HttpStatus.CONFLICT, {
        detail: `Impossible : ${offer.capacity - offer.places.free} places sont déjà attribuées ou proposées.`,
      });
    }
    await this.procedure.fillFromWaitlist(id);
    return this.offerView(await this.staffOffer(principal, id));
  }

  async staffOffer(principal: Principal, id: string): Promise<OfferDocument> {
    const offer = await this.catalogue.offer(id);
    if (!offer) throw notFound('Offre');
    assertMayManage(principal, offer);
    return offer;
  }

  listSites = () =>
    this.catalogue.listSites().then((sites) => sites.map(({ _id, ...site }) => ({ id: _id, ...site })));
  listPeriods = () =>
    this.catalogue
      .listPeriods()
      .then((periods) => periods.map(({ _id, ...period }) => ({ id: _id, ...period })));

  async listOffers(filter: { siteId?: string; service?: string }) {
    const offers = await this.catalogue.listOffers({
      ...(filter.siteId ? { siteId: filter.siteId } : {}),
      ...(filter.service ? { service: filter.service as OfferDocument['service'] } : {}),
    });
    return offers.map((offer) => this.offerView(offer));
  }

  async getOffer(id: string) {
    const offer = await this.catalogue.offer(id);
    if (!offer) throw notFound('Offre');
    return this.offerView(offer);
  }

  /**
   * The offers a family's child may apply to now, each with what blocks it, the documents still
   * expected, and a price preview from the tariffs service.
   */
  async offersForChild(principal: Principal, childId: string, authorization: string) {
    const householdId = principal.householdId ?? '';
    const facts = await this.facts.household(householdId);
    const now = this.clock.now();
    const offers = (await this.catalogue.listOffers({ 'procedure.closesAt': { $gt: now } })).filter(
      (offer) => offer.capacity > 0,
    );
    const today = parisDate(now);
    return Promise.all(
      offers.map(async (offer) => {
        const eligibility = this.procedure.assess(facts, childId, offer);
        const date = offer.days.startsOn > today ? offer.days.startsOn : today;
        const price =
          offer.tariffGridId && eligibility.blocking.length === 0
            ? await this.tariffs.preview(authorization, offer.tariffGridId, date, {
                qf: qfOn(facts, date)?.qf,
                resident: facts?.resident ?? false,
                childRank: childRank(facts, offer.service, ''),
                pai: facts?.children?.[childId]?.pai ?? false,
              })
            : null;
        return {
          offer: this.offerView(offer),
          open: now >= offer.procedure.opensAt,
          eligible: eligibility.eligible,
          blocking: eligibility.blocking,
          documents: eligibility.documents,
          pricePreview: price,
        };
      }),
    );
  }

  offerView(offer: OfferDocument) {
    const { _id, places, procedure, ...rest } = offer;
    return {
      id: _id,
      ...rest,
      procedure: {
        ...procedure,
        opensAt: procedure.opensAt.toISOString(),
        closesAt: procedure.closesAt.toISOString(),
      },
      freePlaces: places.free,
      createdAt: offer.createdAt.toISOString(),
    };
  }
}
