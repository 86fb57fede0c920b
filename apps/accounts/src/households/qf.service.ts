import { randomUUID } from 'node:crypto';
import { HttpStatus, Injectable } from '@nestjs/common';
import type { Principal } from '@guichet/auth';
import { PsuInputsChanged } from '@guichet/contracts';
import { EventOutbox } from '@guichet/messaging';
import { ProblemException } from '@guichet/platform';
import { AccountsConfig } from '../accounts.config';
import { QuotientFamilialProvider } from '../api-particulier/quotient-familial.provider';
import { FetchCafPsuDto, FetchCafQfDto, MunicipalQfDto, PsuInputsDto } from './dto/qf.dto';
import { HouseholdChanges } from './household-changes';
import { HouseholdState, PsuInputs } from './household.repository';
import { HouseholdService } from './household.service';
import {
  DEFAULT_PARTS_RULE_SETS,
  municipalQf,
  parsePartsRuleSets,
  PartsRuleSet,
  ruleSetOn,
} from './qf-parts';

const noCafFile = () =>
  new ProblemException(HttpStatus.UNPROCESSABLE_ENTITY, {
    detail:
      'Aucun dossier CAF ou MSA ne correspond à cette identité : vérifiez-la, ou déclarez votre QF avec un justificatif.',
  });

/**
 * The QF from the CAF or MSA (API Particulier, with the family's consent), the municipal QF when the
 * household has none, and the PSU inputs of crèches. Every figure is a new dated record.
 */
@Injectable()
export class QfService {
  private readonly ruleSets: PartsRuleSet[];

  constructor(
    private readonly changes: HouseholdChanges,
    private readonly households: HouseholdService,
    private readonly provider: QuotientFamilialProvider,
    private readonly outbox: EventOutbox,
    config: AccountsConfig,
  ) {
    const configured = config.QF_PARTS_RULES
      ? parsePartsRuleSets(config.QF_PARTS_RULES)
      : DEFAULT_PARTS_RULE_SETS;
    this.ruleSets = typeof configured === 'string' ? DEFAULT_PARTS_RULE_SETS : configured;
  }

  /** "Fetch my QF from the CAF": needs the household's consent to share data with the CAF. */
  async fetchFromCaf(principal: Principal, id: string, body: FetchCafQfDto): Promise<HouseholdState> {
    const appliesFrom = this.changes.appliesFrom(principal, body.appliesFrom);
    await this.requireCafConsent(principal, id);
    const provided = await this.provider.quotientFamilial(body.identity, body.month);
    if (!provided) throw noCafFile();
    return this.households.recordQf(principal, id, {
      value: provided.value,
      source: provided.organisme,
      referenceMonth: provided.month,
      appliesFrom,
    });
  }

  /** The municipal QF from the tax notice, for a household without a CAF or MSA QF. */
  async computeMunicipal(principal: Principal, id: string, body: MunicipalQfDto): Promise<HouseholdState> {
    const appliesFrom = this.changes.appliesFrom(principal, body.appliesFrom);
    const household = await this.changes.get(principal, id);
    if (household.qfRecords.some((r) => r.source === 'caf' || r.source === 'msa')) {
      throw new ProblemException(HttpStatus.CONFLICT, {
        detail: 'Ce foyer a un QF de la CAF ou de la MSA : le QF municipal ne s’applique pas.',
      });
    }
    const composition = {
      adults: body.adults,
      children: body.children ?? household.children.length,
      disabledChildren: body.disabledChildren ?? household.children.filter((c) => c.aeeh).length,
    };
    const rules = ruleSetOn(this.ruleSets, appliesFrom);
    const computed = municipalQf(body.revenuFiscalReferenceCents, composition, rules);
    return this.households.recordQf(principal, id, {
      value: computed.value,
      source: 'municipal',
      appliesFrom,
      computation: { ...computed, ...composition, incomeYear: body.incomeYear },
    });
  }

  /** PSU inputs declared by the family (with its proof) or entered by an agent. */
  recordPsuInputs(principal: Principal, id: string, body: PsuInputsDto): Promise<HouseholdState> {
    return this.addPsuInputs(principal, id, body.appliesFrom, {
      year: body.year,
      annualResourcesCents: body.annualResourcesCents,
      dependentChildren: body.dependentChildren,
      aeehChildren: body.aeehChildren,
      source: principal.role === 'family' ? 'declaration' : 'agent',
    });
  }

  /** PSU inputs from the CNAF (participation familiale EAJE), with the household's consent. */
  async fetchPsuFromCaf(principal: Principal, id: string, body: FetchCafPsuDto): Promise<HouseholdState> {
    this.changes.appliesFrom(principal, body.appliesFrom);
    await this.requireCafConsent(principal, id);
    const provided = await this.provider.psuInputs(body.identity);
    if (!provided) throw noCafFile();
    return this.addPsuInputs(principal, id, body.appliesFrom, {
      year: provided.year,
      annualResourcesCents: provided.annualResourcesCents,
      dependentChildren: provided.dependentChildren,
      aeehChildren: provided.aeehChildren,
      source: 'caf',
    });
  }

  private addPsuInputs(
    principal: Principal,
    id: string,
    requestedFrom: string | undefined,
    inputs: Pick<
      PsuInputs,
      'year' | 'annualResourcesCents' | 'dependentChildren' | 'aeehChildren' | 'source'
    >,
  ): Promise<HouseholdState> {
    const appliesFrom = this.changes.appliesFrom(principal, requestedFrom);
    return this.changes.change(principal, id, (household) => {
      const recorded: PsuInputs = {
        psuInputsId: randomUUID(),
        ...inputs,
        appliesFrom,
        recordedBy: principal.subject,
        recordedAt: new Date(),
      };
      household.psuInputs.push(recorded);
      return [
        this.outbox.entry(PsuInputsChanged, {
          subject: id,
          sequence: household.version,
          data: {
            householdId: id,
            psuInputsId: recorded.psuInputsId,
            annualResourcesCents: recorded.annualResourcesCents,
            year: recorded.year,
            dependentChildren: recorded.dependentChildren,
            aeehChildren: recorded.aeehChildren,
            source: recorded.source,
            appliesFrom,
          },
        }),
      ];
    });
  }

  private async requireCafConsent(principal: Principal, id: string): Promise<void> {
    const household = await this.changes.get(principal, id);
    if (!household.consents.cafDataSharing) {
      throw new ProblemException(HttpStatus.CONFLICT, {
        detail:
          'Le foyer n’a pas accepté le partage de données avec la CAF : activez ce consentement d’abord.',
        errors: [
          { field: 'consents.cafDataSharing', message: 'the household has not agreed to CAF data sharing' },
        ],
      });
    }
  }
}
