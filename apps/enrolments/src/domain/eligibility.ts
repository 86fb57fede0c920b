import { ageInMonths } from './paris-time';

/** School levels, from the first year of maternelle to the last of élémentaire. */
export const SCHOOL_LEVELS = ['PS', 'MS', 'GS', 'CP', 'CE1', 'CE2', 'CM1', 'CM2'] as const;
export type SchoolLevel = (typeof SCHOOL_LEVELS)[number];

/** Who may enrol in an offer. Every rule is optional; documents are the household's valid documents. */
export interface EligibilityRules {
  minAgeMonths?: number;
  maxAgeMonths?: number;
  /** The date ages are taken at (defaults to the first day of the period). */
  ageOn?: string;
  schoolLevels?: SchoolLevel[];
  residentsOnly?: boolean;
  /** Document types that must be accepted and valid on the first day of the period. */
  requiredDocuments?: string[];
}

export interface ChildFacts {
  birthDate: string;
}

export interface DocumentFacts {
  documentType: string;
  status: string;
  validUntil?: string;
  reason?: string;
}

export interface EligibilityInput {
  rules: EligibilityRules;
  periodStartsOn: string;
  child: ChildFacts;
  resident?: boolean;
  documents: DocumentFacts[];
  /** Crèche pre-registration: a child not born yet may apply with its expected birth date. */
  allowsUnborn: boolean;
  today: string;
}

export interface Finding {
  code: string;
  /** What the family reads, in French. */
  message: string;
}

export interface Eligibility {
  eligible: boolean;
  /** Rules the child does not meet: submission is refused. */
  blocking: Finding[];
  /** Documents still to provide, or waiting for an agent's check. */
  documents: Finding[];
  /** True when every required document is accepted and valid: the enrolment may be accepted. */
  documentsComplete: boolean;
  unborn: boolean;
}

const DOCUMENT_LABELS: Record<string, string> = {
  'proof-of-address': 'Justificatif de domicile',
  'health-record': 'Carnet de santé (vaccinations)',
  insurance: 'Attestation d’assurance',
  'qf-proof': 'Justificatif de quotient familial',
  other: 'Document',
};

/**
 * The theoretical school level of a child for a school year starting in `schoolYear` (September),
 * from its birth year, as French schools place children (a child born in 2020 enters PS in 2023).
 */
export function theoreticalSchoolLevel(birthDate: string, schoolYear: number): SchoolLevel | undefined {
  return SCHOOL_LEVELS[schoolYear - Number(birthDate.slice(0, 4)) - 3];
}

function schoolYearOf(date: string): number {
  const [year, month] = date.split('-').map(Number);
  return month >= 8 ? year : year - 1;
}

const frenchDate = (date: string) => date.split('-').reverse().join('/');

/** Why a child may or may not enrol in an offer, precisely, before anything is submitted. */
export function assessEligibility(input: EligibilityInput): Eligibility {
  const { rules, child } = input;
  const blocking: Finding[] = [];
  const unborn = child.birthDate > input.today;
  if (unborn && !input.allowsUnborn) {
    blocking.push({
      code: 'not-born',
      message: 'Cette offre n’accepte pas de préinscription avant la naissance.',
    });
  }
  const ageOn = rules.ageOn ?? input.periodStartsOn;
  const age = ageInMonths(child.birthDate, ageOn);
  if (!unborn && rules.minAgeMonths !== undefined && age < rules.minAgeMonths) {
    blocking.push({
      code: 'too-young',
      message: `L’enfant aura ${age} mois le ${frenchDate(ageOn)} ; il faut au moins ${rules.minAgeMonths} mois.`,
    });
  }
  if (rules.maxAgeMonths !== undefined && age > rules.maxAgeMonths) {
    blocking.push({
      code: 'too-old',
      message: `L’enfant aura ${age} mois le ${frenchDate(ageOn)} ; l’offre s’arrête à ${rules.maxAgeMonths} mois.`,
    });
  }
  if (rules.schoolLevels?.length) {
    const level = theoreticalSchoolLevel(child.birthDate, schoolYearOf(input.periodStartsOn));
    if (!level || !rules.schoolLevels.includes(level)) {
      blocking.push({
        code: 'school-level',
        message: `Offre réservée aux niveaux ${rules.schoolLevels.join(', ')} ; l’enfant sera en ${level ?? 'dehors de l’école primaire'}.`,
      });
    }
  }
  if (rules.residentsOnly && input.resident !== true) {
    blocking.push({ code: 'not-resident', message: 'Offre réservée aux familles résidant dans la commune.' });
  }
  const documents = (rules.requiredDocuments ?? []).flatMap((type) => documentFinding(type, input));
  return {
    eligible: blocking.length === 0 && documents.every((f) => f.code === 'document-pending'),
    blocking,
    documents,
    documentsComplete: documents.length === 0,
    unborn,
  };
}

/** What is missing for one required document type, or nothing when an accepted one is valid. */
function documentFinding(type: string, input: EligibilityInput): Finding[] {
  const label = DOCUMENT_LABELS[type] ?? type;
  const ofType = input.documents.filter((d) => d.documentType === type);
  const valid = (d: DocumentFacts) => !d.validUntil || d.validUntil >= input.periodStartsOn;
  if (ofType.some((d) => d.status === 'accepted' && valid(d))) return [];
  if (ofType.some((d) => d.status === 'pending' && valid(d))) {
    return [{ code: 'document-pending', message: `${label} : en attente de vérification par nos services.` }];
  }
  const rejected = ofType.find((d) => d.status === 'rejected');
  if (rejected) {
    return [
      {
        code: 'document-rejected',
        message: `${label} refusé${rejected.reason ? ` (${rejected.reason})` : ''} : merci d’en déposer un nouveau.`,
      },
    ];
  }
  if (ofType.length > 0) {
    return [
      {
        code: 'document-expired',
        message: `${label} expiré ou non valable le ${frenchDate(input.periodStartsOn)} : merci d’en déposer un à jour.`,
      },
    ];
  }
  return [{ code: 'document-missing', message: `${label} à déposer dans votre dossier.` }];
}
