/** The roles of Guichet (see the accounts issue): families, service agents, finance staff, admins. */
export const ROLES = ['family', 'agent', 'finance', 'admin'] as const;
export type Role = (typeof ROLES)[number];

/** Who is calling, as the access token says. */
export interface Principal {
  /** The account id. */
  subject: string;
  role: Role;
  /** A family's own household: the only one it may read or change. */
  householdId?: string;
  /** An agent's scope: the services and sites it works for. */
  scopes: string[];
}
