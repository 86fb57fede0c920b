import { randomUUID } from 'node:crypto';
import { HttpStatus, Injectable } from '@nestjs/common';
import type { Principal } from '@guichet/auth';
import { ProblemException } from '@guichet/platform';
import { GuardianDto, UpdateGuardianDto } from './dto/household.dto';
import { definedFields, HouseholdChanges } from './household-changes';
import { Guardian, HouseholdState } from './household.repository';

/** Two parents and, in blended families, their partners: more is a typing error. */
export const MAX_GUARDIANS = 4;

const guardianNotFound = () =>
  new ProblemException(HttpStatus.NOT_FOUND, { detail: 'Responsable légal introuvable.' });

/**
 * The household's legal guardians (responsables légaux), with their contact details and who pays.
 * They stay in accounts: no event carries them (the notices' address is the household's contact).
 */
@Injectable()
export class GuardiansService {
  constructor(private readonly changes: HouseholdChanges) {}

  add(principal: Principal, id: string, body: GuardianDto): Promise<HouseholdState> {
    return this.changes.change(principal, id, (household) => {
      if (household.guardians.length >= MAX_GUARDIANS) {
        throw new ProblemException(HttpStatus.UNPROCESSABLE_ENTITY, {
          detail: `Un foyer compte au plus ${MAX_GUARDIANS} responsables légaux.`,
        });
      }
      household.guardians.push({ guardianId: randomUUID(), ...(definedFields(body) as GuardianDto) });
      return [];
    });
  }

  update(
    principal: Principal,
    id: string,
    guardianId: string,
    body: UpdateGuardianDto,
  ): Promise<HouseholdState> {
    return this.changes.change(principal, id, (household) => {
      Object.assign(this.find(household, guardianId), definedFields(body));
      return [];
    });
  }

  remove(principal: Principal, id: string, guardianId: string): Promise<HouseholdState> {
    return this.changes.change(principal, id, (household) => {
      const guardian = this.find(household, guardianId);
      household.guardians = household.guardians.filter((g) => g !== guardian);
      return [];
    });
  }

  private find(household: HouseholdState, guardianId: string): Guardian {
    const guardian = household.guardians.find((g) => g.guardianId === guardianId);
    if (!guardian) throw guardianNotFound();
    return guardian;
  }
}
