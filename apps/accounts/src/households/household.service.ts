import { randomUUID } from 'node:crypto';
import { HttpStatus, Injectable } from '@nestjs/common';
import argon2 from 'argon2';
import type { Principal } from '@guichet/auth';
import {
  ChildAdded,
  ChildUpdated,
  HouseholdErased,
  HouseholdUpdated,
  QuotientFamilialChanged,
} from '@guichet/contracts';
import { EventOutbox, OutboxEntry } from '@guichet/messaging';
import { ProblemException } from '@guichet/platform';
import { DocumentsService, DocumentView } from '../documents/documents.service';
import { AccountMessages } from '../identity/account-messages';
import { UsersRepository } from '../identity/users.repository';
import {
  AddChildDto,
  DeclareQfDto,
  RegisterFamilyDto,
  UpdateChildDto,
  UpdateHouseholdDto,
} from './dto/household.dto';
import { definedFields, HouseholdChanges, householdNotFound } from './household-changes';
import { Child, HouseholdRepository, HouseholdState, NO_CONSENTS, QfRecord } from './household.repository';

/** A new QF record, as every source (declaration, CAF or MSA, municipal computation) records it. */
export type NewQfRecord = Omit<QfRecord, 'qfRecordId' | 'recordedBy' | 'recordedAt'>;

/** The family file: registration, household facts, children, QF records, GDPR export and erasure. */
@Injectable()
export class HouseholdService {
  constructor(
    private readonly changes: HouseholdChanges,
    private readonly households: HouseholdRepository,
    private readonly users: UsersRepository,
    private readonly outbox: EventOutbox,
    private readonly messages: AccountMessages,
    private readonly documents: DocumentsService,
  ) {}

  /**
   * An account and its household, then the email verification message. The account comes first: a
   * crash between the two is completed at the next read (and the message can be asked for again).
   */
  async register(body: RegisterFamilyDto): Promise<{ householdId: string }> {
    const householdId = randomUUID();
    const userId = randomUUID();
    const user = {
      _id: userId,
      email: body.email.toLowerCase(),
      passwordHash: await argon2.hash(body.password, { type: argon2.argon2id }),
      role: 'family' as const,
      householdId,
      scopes: [],
      createdAt: new Date(),
    };
    if (!(await this.users.create(user)))
      throw new ProblemException(HttpStatus.CONFLICT, { detail: 'Cette adresse a déjà un compte.' });
    await this.changes.ensure({
      id: householdId,
      ownerUserId: userId,
      resident: body.resident,
      email: user.email,
      consents: body.consents && definedFields(body.consents),
    });
    await this.messages.request(user, 'email-verification');
    return { householdId };
  }

  get(principal: Principal, id: string): Promise<HouseholdState> {
    return this.changes.get(principal, id);
  }

  /** Residency, contact, consents, CAF/MSA number: each given field replaces the stored one. */
  update(principal: Principal, id: string, body: UpdateHouseholdDto): Promise<HouseholdState> {
    return this.changes.change(principal, id, (household) => {
      if (body.contact) household.contact = { ...household.contact, ...definedFields(body.contact) };
      if (body.consents) household.consents = { ...household.consents, ...definedFields(body.consents) };
      if (body.allocataire !== undefined) household.allocataire = body.allocataire;
      if (body.resident === undefined || body.resident === household.resident) return [];
      household.resident = body.resident;
      return [
        this.outbox.entry(HouseholdUpdated, {
          subject: id,
          sequence: household.version,
          data: { householdId: id, resident: body.resident, childrenCount: household.children.length },
        }),
      ];
    });
  }

  addChild(principal: Principal, id: string, child: AddChildDto): Promise<HouseholdState> {
    return this.changes.change(principal, id, (household) => {
      const added: Child = {
        childId: randomUUID(),
        ...(definedFields(child) as AddChildDto),
        pai: child.pai ?? false,
        aeeh: child.aeeh ?? false,
      };
      household.children.push(added);
      return [this.childEvent(ChildAdded, household, added)];
    });
  }

  updateChild(
    principal: Principal,
    id: string,
    childId: string,
    body: UpdateChildDto,
  ): Promise<HouseholdState> {
    return this.changes.change(principal, id, (household) => {
      const child = household.children.find((c) => c.childId === childId);
      if (!child) throw new ProblemException(HttpStatus.NOT_FOUND, { detail: 'Enfant introuvable.' });
      Object.assign(child, definedFields(body));
      return [this.childEvent(ChildUpdated, household, child)];
    });
  }

  /** A declared QF (a family) or one entered by an agent. Only an agent may make it apply before next month. */
  declareQf(principal: Principal, id: string, body: DeclareQfDto): Promise<HouseholdState> {
    return this.recordQf(principal, id, {
      value: body.value,
      source: principal.role === 'family' ? 'declaration' : 'municipal',
      referenceMonth: body.referenceMonth,
      appliesFrom: this.changes.appliesFrom(principal, body.appliesFrom),
    });
  }

  /** A QF record of any source, never overwriting the previous ones. */
  recordQf(principal: Principal, id: string, record: NewQfRecord): Promise<HouseholdState> {
    return this.changes.change(principal, id, (household) => {
      const recorded: QfRecord = {
        qfRecordId: randomUUID(),
        ...record,
        recordedBy: principal.subject,
        recordedAt: new Date(),
      };
      household.qfRecords.push(recorded);
      return [
        this.outbox.entry(QuotientFamilialChanged, {
          subject: id,
          sequence: household.version,
          data: {
            householdId: id,
            qfRecordId: recorded.qfRecordId,
            quotientFamilial: recorded.value,
            source: recorded.source,
            appliesFrom: recorded.appliesFrom,
            ...(recorded.referenceMonth ? { referenceMonth: `${recorded.referenceMonth}-01` } : {}),
          },
        }),
      ];
    });
  }

  /** GDPR: the whole file, as JSON, for the family itself (or an admin). */
  async export(
    principal: Principal,
    id: string,
  ): Promise<{ household: HouseholdState; documents: DocumentView[]; account: object | null }> {
    if (principal.role === 'agent') throw householdNotFound();
    const household = await this.changes.get(principal, id);
    const owner = await this.users.findById(household.ownerUserId);
    return {
      household,
      // The files themselves are downloaded one by one (GET …/documents/{id}/content).
      documents: await this.documents.list(principal, id),
      account: owner && {
        email: owner.email,
        role: owner.role,
        emailVerified: Boolean(owner.emailVerifiedAt),
        createdAt: owner.createdAt,
      },
    };
  }

  /**
   * GDPR erasure: the household keeps only its id (announced with HouseholdErased so every service
   * deletes what it holds), its documents and the account are deleted. Asking again finishes an interrupted erasure.
   */
  async erase(principal: Principal, id: string): Promise<void> {
    if (principal.role === 'agent') throw householdNotFound();
    this.changes.authorise(principal, id);
    let household = await this.households.find(id);
    if (!household) throw householdNotFound();
    const ownerUserId = household.ownerUserId;
    for (let attempt = 0; !household.erasedAt && attempt < 3; attempt++) {
      const erasedAt = new Date();
      const erased: HouseholdState = {
        ...household,
        resident: false,
        guardians: [],
        contact: {},
        consents: NO_CONSENTS,
        allocataire: null,
        children: [],
        qfRecords: [],
        psuInputs: [],
        erasedAt,
        version: household.version + 1,
      };
      const event = this.outbox.entry(HouseholdErased, {
        subject: id,
        sequence: erased.version,
        data: { householdId: id, erasedAt: erasedAt.toISOString() },
      });
      if (await this.households.replace(erased, [event])) {
        this.outbox.published('households', id);
        break;
      }
      household = (await this.households.find(id)) ?? household;
    }
    await this.documents.eraseHousehold(id);
    await this.users.deleteById(ownerUserId);
  }

  private childEvent(
    definition: typeof ChildAdded | typeof ChildUpdated,
    household: HouseholdState,
    child: Child,
  ): OutboxEntry {
    return this.outbox.entry(definition, {
      subject: household._id,
      sequence: household.version,
      data: {
        householdId: household._id,
        childId: child.childId,
        birthDate: child.birthDate,
        pai: child.pai,
        aeeh: child.aeeh,
      },
    });
  }
}
