import { createHash } from 'node:crypto';

/** A published priority criterion of an offer, e.g. "frère ou sœur déjà inscrit", worth some points. */
export interface PriorityCriterion {
  id: string;
  label: string;
  points: number;
}

export interface Applicant {
  enrolmentId: string;
  householdId: string;
  /** The criteria this application meets (ids of the offer's criteria). */
  criteria: string[];
}

export interface AllocationInput {
  seed: string;
  places: number;
  criteria: PriorityCriterion[];
  applicants: Applicant[];
  /** Siblings applying to the same offer get places together or wait together. */
  keepSiblingsTogether: boolean;
}

export interface AllocationOutcome {
  enrolmentId: string;
  householdId: string;
  points: number;
  /** 1 = first: the order in which places were given. */
  rank: number;
  outcome: 'accepted' | 'waitlisted';
  /** Waitlist position (1 = next in line) for the waitlisted. */
  position?: number;
  /** Why this rank, in French, for the family. */
  explanation: string;
}

interface Group {
  key: string;
  draw: string;
  points: number;
  members: Applicant[];
}

/** The draw key of a group: a hash of the seed and the group, so the order is reproducible and unguessable before the seed. */
const drawKey = (seed: string, key: string) =>
  createHash('sha256').update(`${seed}\u0000${key}`).digest('hex');

/**
 * Fair allocation at the close of an application window: every application made in the window is
 * equal; places go by priority points (published criteria), then by a seeded draw inside each tier.
 * The result depends only on the seed and the applications, never on their order of arrival.
 */
export function allocate(input: AllocationInput): AllocationOutcome[] {
  const pointsOf = new Map(input.criteria.map((c) => [c.id, c.points]));
  const labelOf = new Map(input.criteria.map((c) => [c.id, c.label]));
  const score = (a: Applicant) => a.criteria.reduce((sum, id) => sum + (pointsOf.get(id) ?? 0), 0);

  const groups = new Map<string, Group>();
  for (const applicant of [...input.applicants].sort((a, b) => a.enrolmentId.localeCompare(b.enrolmentId))) {
    const key = input.keepSiblingsTogether ? `household:${applicant.householdId}` : applicant.enrolmentId;
    const group = groups.get(key) ?? { key, draw: drawKey(input.seed, key), points: 0, members: [] };
    group.members.push(applicant);
    group.points = Math.max(group.points, score(applicant));
    groups.set(key, group);
  }
  const ordered = [...groups.values()].sort((a, b) => b.points - a.points || a.draw.localeCompare(b.draw));
  const tierSizes = new Map<number, number>();
  for (const group of ordered)
    tierSizes.set(group.points, (tierSizes.get(group.points) ?? 0) + group.members.length);

  const total = input.applicants.length;
  let remaining = input.places;
  let rank = 0;
  let position = 0;
  const outcomes: AllocationOutcome[] = [];
  for (const group of ordered) {
    const fits = group.members.length <= remaining;
    if (fits) remaining -= group.members.length;
    for (const member of group.members) {
      rank += 1;
      const met = member.criteria.filter((id) => pointsOf.has(id));
      const priority = met.length
        ? `Priorités retenues : ${met.map((id) => `${labelOf.get(id)} (+${pointsOf.get(id)})`).join(', ')} → ${group.points} point(s).`
        : 'Aucun critère de priorité : 0 point.';
      const draw = `Tirage au sort parmi les ${tierSizes.get(group.points)} demande(s) à ${group.points} point(s) (graine « ${input.seed} »)`;
      const together = group.members.length > 1 ? ', fratrie traitée ensemble' : '';
      const outcome = fits ? 'accepted' : 'waitlisted';
      if (!fits) position += 1;
      outcomes.push({
        enrolmentId: member.enrolmentId,
        householdId: member.householdId,
        points: group.points,
        rank,
        outcome,
        ...(fits ? {} : { position }),
        explanation: `${priority} ${draw}${together}. Rang ${rank} sur ${total} : ${fits ? 'place attribuée' : `liste d’attente, position ${position}`}.`,
      });
    }
  }
  return outcomes;
}
