import { randomUUID } from 'node:crypto';
import { HttpStatus, Injectable } from '@nestjs/common';
import argon2 from 'argon2';
import type { Principal } from '@guichet/auth';
import {
  ChildAdded,
  HouseholdErased,
  HouseholdRegistered,
  HouseholdUpdated,
  QuotientFamilialChanged,
} from '@guichet/contracts';
import { EventOutbox, OutboxEntry } from '@guichet/messaging';
import { ProblemException } from '@guichet/platform';
import { UsersRepository } from '../identity/users.repository';
import { AddChildDto, DeclareQfDto, RegisterFamilyDto } from './dto/household.dto';
import { HouseholdRepository, HouseholdState } from './household.repository';

/** The first day of the month after `now`, in Europe/Paris: when a declared QF applies (no retroactivity). */
export function firstDayOfNextMonth(now = new Date()): string {
  const [year, month] = new Intl.DateTimeFormat('en-CA', {
    timeZone: 'Europe/Paris',
    year: 'numeric',
    month: '2-digit',
  })
    .format(now)
    .split('-')
    .map(Number);
  return month === 12 ? `${year + 1}-01-01` : `${year}-${String(month + 1).padStart(2, '0')}-01`;
}

const notFound = () => new ProblemException(HttpStatus.NOT_FOUND, { detail: 'Foyer introuvable.' });

/**
 * The family file. A family sees and changes only its own household (another one is "not found",
 * never "forbidden", so ids cannot be probed); agents and admins see every household.
 */
@Injectable()
export class HouseholdService {
  constructor(
    private readonly households: HouseholdRepository,
    private readonly users: UsersRepository,
    private readonly outbox: EventOutbox,
  ) {}

  /** An account and its household. The account comes first: a crash between the two is completed at the next read. */
  async register(body: RegisterFamilyDto): Promise<{ householdId: string }> {
    const householdId = randomUUID();
    const userId = randomUUID();
    const created = await this.users.create({
      _id: userId,
      email: body.email,
      passwordHash: await argon2.hash(body.password, { type: argon2.argon2id }),
      role: 'family',
      householdId,
      scopes: [],
      createdAt: new Date(),
    });
    if (!created)
      throw new ProblemException(HttpStatus.CONFLICT, { detail: 'Cette adresse a déjà un compte.' });
    await this.ensureHousehold(householdId, userId, body.resident);
    return { householdId };
  }

  async get(principal: Principal, id: string): Promise<HouseholdState> {
    this.authorise(principal, id);
    const household = await this.households.find(id);
    if (household?.erasedAt) throw notFound();
    if (household) return household;
    // The registration may have stopped between the account and the household: finish it.
    if (principal.role === 'family') return this.ensureHousehold(id, principal.subject, true);
    throw notFound();
  }

  update(principal: Principal, id: string, resident: boolean): Promise<HouseholdState> {
    return this.change(principal, id, (household) => {
      household.resident = resident;
      return [
        this.outbox.entry(HouseholdUpdated, {
          subject: id,
          sequence: household.version,
          data: { householdId: id, resident, childrenCount: household.children.length },
        }),
      ];
    });
  }

  addChild(principal: Principal, id: string, child: AddChildDto): Promise<HouseholdState> {
    return this.change(principal, id, (household) => {
      const childId = randomUUID();
      const added = { childId, ...child, pai: child.pai ?? false, aeeh: child.aeeh ?? false };
      household.children.push(added);
      return [
        this.outbox.entry(ChildAdded, {
          subject: id,
          sequence: household.version,
          data: { householdId: id, childId, birthDate: added.birthDate, pai: added.pai, aeeh: added.aeeh },
        }),
      ];
    });
  }

  /** A QF record, never overwriting the previous ones. Only an agent may make it apply before next month. */
  declareQf(principal: Principal, id: string, body: DeclareQfDto): Promise<HouseholdState> {
    if (body.appliesFrom !== undefined && principal.role === 'family') {
      throw new ProblemException(HttpStatus.FORBIDDEN, {
        detail: 'Seul un agent peut fixer la date d’effet.',
      });
    }
    return this.change(principal, id, (household) => {
      const record = {
        qfRecordId: randomUUID(),
        value: body.value,
        source: principal.role === 'family' ? ('declaration' as const) : ('municipal' as const),
        referenceMonth: body.referenceMonth,
        appliesFrom: body.appliesFrom ?? firstDayOfNextMonth(),
        recordedBy: principal.subject,
        recordedAt: new Date(),
      };
      household.qfRecords.push(record);
      return [
        this.outbox.entry(QuotientFamilialChanged, {
          subject: id,
          sequence: household.version,
          data: {
            householdId: id,
            qfRecordId: record.qfRecordId,
            quotientFamilial: record.value,
            source: record.source,
            appliesFrom: record.appliesFrom,
            referenceMonth: `${record.referenceMonth}-01`,
          },
        }),
      ];
    });
  }

  /** GDPR: the whole file, as JSON, for the family itself (or an admin). */
  async export(
    principal: Principal,
    id: string,
  ): Promise<{ household: HouseholdState; account: object | null }> {
    if (principal.role === 'agent') throw notFound();
    const household = await this.get(principal, id);
    const owner = await this.users.findById(household.ownerUserId);
    return {
      household,
      account: owner && { email: owner.email, role: owner.role, createdAt: owner.createdAt },
    };
  }

  /**
   * GDPR erasure: the household keeps only its id (announced with HouseholdErased so every service
   * deletes what it holds), the account is deleted. Asking again finishes an interrupted erasure.
   */
  async erase(principal: Principal, id: string): Promise<void> {
    if (principal.role === 'agent') throw notFound();
    this.authorise(principal, id);
    let household = await this.households.find(id);
    if (!household) throw notFound();
    const ownerUserId = household.ownerUserId;
    for (let attempt = 0; !household.erasedAt && attempt < 3; attempt++) {
      const erasedAt = new Date();
      const erased: HouseholdState = {
        ...household,
        resident: false,
        children: [],
        qfRecords: [],
        erasedAt,
        version: household.version + 1,
      };
      const event = this.outbox.entry(HouseholdErased, {
        subject: id,
        sequence: erased.version,
        data: { householdId: id, erasedAt: erasedAt.toISOString() },
      });
      if (await this.households.replace(erased, [event])) {
        this.outbox.published();
        break;
      }
      household = (await this.households.find(id)) ?? household;
    }
    await this.users.deleteById(ownerUserId);
  }

  private authorise(principal: Principal, id: string): void {
    if (principal.role === 'family' ? principal.householdId !== id : principal.role === 'finance')
      throw notFound();
  }

  private async ensureHousehold(id: string, ownerUserId: string, resident: boolean): Promise<HouseholdState> {
    const household: HouseholdState = {
      _id: id,
      ownerUserId,
      resident,
      children: [],
      qfRecords: [],
      version: 1,
      createdAt: new Date(),
    };
    const event = this.outbox.entry(HouseholdRegistered, {
      subject: id,
      sequence: 1,
      data: { householdId: id, resident, childrenCount: 0 },
    });
    if (await this.households.create(household, [event])) this.outbox.published();
    return (await this.households.find(id)) ?? household;
  }

  /** Read, change, write if nobody wrote meanwhile (a few tries), with the events of the change. */
  private async change(
    principal: Principal,
    id: string,
    apply: (household: HouseholdState) => OutboxEntry[],
  ): Promise<HouseholdState> {
    for (let attempt = 0; attempt < 3; attempt++) {
      const household = await this.get(principal, id);
      household.version += 1;
      const events = apply(household);
      if (await this.households.replace(household, events)) {
        this.outbox.published();
        return household;
      }
    }
    throw new ProblemException(HttpStatus.CONFLICT, { detail: 'Le foyer a changé entre-temps : réessayez.' });
  }
}
