import { HttpStatus, Injectable } from '@nestjs/common';
import type { Principal } from '@guichet/auth';
import { HouseholdContactChanged, HouseholdRegistered } from '@guichet/contracts';
import { EventOutbox, OutboxEntry } from '@guichet/messaging';
import { ProblemException } from '@guichet/platform';
import { UsersRepository } from '../identity/users.repository';
import { firstDayOfNextMonth } from '../paris-calendar';
import { Consents, HouseholdRepository, HouseholdState } from './household.repository';

/** The fields a partial body really gives (validated DTO classes may carry declared but unset ones). */
export function definedFields<T extends object>(body: T): Partial<T> {
  return Object.fromEntries(Object.entries(body).filter(([, value]) => value !== undefined)) as Partial<T>;
}

export const householdNotFound = () =>
  new ProblemException(HttpStatus.NOT_FOUND, { detail: 'Foyer introuvable.' });

/** What the notifications service knows of a household: where to write and which channels it agreed to. */
function contactOf(household: HouseholdState) {
  return {
    householdId: household._id,
    ...(household.contact.email ? { email: household.contact.email } : {}),
    ...(household.contact.phone ? { phone: household.contact.phone } : {}),
    emailNotices: household.consents.emailNotices,
    smsNotices: household.consents.smsNotices,
  };
}

/**
 * Reads and writes of the family file shared by its features. A family sees and changes only its own
 * household (another one is "not found", never "forbidden", so ids cannot be probed); agents and
 * admins see every household, finance staff none.
 */
@Injectable()
export class HouseholdChanges {
  constructor(
    private readonly households: HouseholdRepository,
    private readonly users: UsersRepository,
    private readonly outbox: EventOutbox,
  ) {}

  authorise(principal: Principal, id: string): void {
    if (principal.role === 'family' ? principal.householdId !== id : principal.role === 'finance')
      throw householdNotFound();
  }

  /**
   * When a new dated record applies: the first day of next month (no retroactivity), unless an agent
   * or admin gives another date.
   */
  appliesFrom(principal: Principal, requested?: string): string {
    if (requested !== undefined && principal.role === 'family') {
      throw new ProblemException(HttpStatus.FORBIDDEN, {
        detail: 'Seul un agent peut fixer la date d’effet.',
        errors: [{ field: 'appliesFrom', message: 'appliesFrom is for agents only' }],
      });
    }
    return requested ?? firstDayOfNextMonth();
  }

  async get(principal: Principal, id: string): Promise<HouseholdState> {
    this.authorise(principal, id);
    const household = await this.households.find(id);
    if (household?.erasedAt) throw householdNotFound();
    if (household) return household;
    // The registration may have stopped between the account and the household: finish it.
    const owner = principal.role === 'family' ? await this.users.findById(principal.subject) : null;
    if (owner) return this.ensure({ id, ownerUserId: owner._id, resident: true, email: owner.email });
    throw householdNotFound();
  }

  /** Creates the household with HouseholdRegistered and its first contact, once. */
  async ensure(facts: {
    id: string;
    ownerUserId: string;
    resident: boolean;
    email: string;
    consents?: Partial<Consents>;
  }): Promise<HouseholdState> {
    const household: HouseholdState = {
      _id: facts.id,
      ownerUserId: facts.ownerUserId,
      resident: facts.resident,
      guardians: [],
      contact: { email: facts.email },
      // Notices by email are how the service talks to families: on unless refused; SMS and CAF sharing are opt-in.
      consents: { cafDataSharing: false, emailNotices: true, smsNotices: false, ...facts.consents },
      allocataire: null,
      children: [],
      qfRecords: [],
      psuInputs: [],
      version: 1,
      createdAt: new Date(),
    };
    const events = [
      this.outbox.entry(HouseholdRegistered, {
        subject: facts.id,
        sequence: 1,
        data: { householdId: facts.id, resident: facts.resident, childrenCount: 0 },
      }),
      this.contactEvent(household),
    ];
    if (await this.households.create(household, events)) this.outbox.published('households', household._id);
    return (await this.households.find(facts.id)) ?? household;
  }

  /**
   * Read, change, write if nobody wrote meanwhile (a few tries), with the events of the change; a
   * change of the contact or of the notice consents adds HouseholdContactChanged to the same write.
   */
  async change(
    principal: Principal,
    id: string,
    apply: (household: HouseholdState) => OutboxEntry[],
  ): Promise<HouseholdState> {
    for (let attempt = 0; attempt < 3; attempt++) {
      const household = await this.get(principal, id);
      const contactBefore = JSON.stringify(contactOf(household));
      household.version += 1;
      const events = apply(household);
      if (JSON.stringify(contactOf(household)) !== contactBefore) events.push(this.contactEvent(household));
      if (await this.households.replace(household, events)) {
        this.outbox.published('households', household._id);
        return household;
      }
    }
    throw new ProblemException(HttpStatus.CONFLICT, { detail: 'Le foyer a changé entre-temps : réessayez.' });
  }

  private contactEvent(household: HouseholdState): OutboxEntry {
    return this.outbox.entry(HouseholdContactChanged, {
      subject: household._id,
      sequence: household.version,
      data: contactOf(household),
    });
  }
}
