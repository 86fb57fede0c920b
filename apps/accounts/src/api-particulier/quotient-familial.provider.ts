/**
 * The identity of the allocataire as API Particulier v3 looks it up ("with civility" routes): it is
 * used for the call and not stored.
 */
export interface AllocataireIdentity {
  birthName: string;
  givenNames: string[];
  sex: 'F' | 'M';
  /** YYYY-MM-DD. */
  birthDate: string;
  /** INSEE COG code of the birth commune (born in France). */
  birthCommuneCode?: string;
  /** INSEE COG code of the birth country (99100 = France). */
  birthCountryCode: string;
}

/** A quotient familial as the CAF (CNAF) or the MSA computed it for a month. */
export interface ProvidedQuotientFamilial {
  organisme: 'caf' | 'msa';
  /** Whole euros per month. */
  value: number;
  /** The month it refers to, YYYY-MM. */
  month: string;
}

/** What the CNAF gives for a crèche's participation familiale (PSU). */
export interface ProvidedPsuInputs {
  dependentChildren: number;
  aeehChildren: number;
  /** Annual resources in cents, and the year they were computed for. */
  annualResourcesCents: number;
  year: number;
}

/**
 * Where accounts gets CAF and MSA figures: API Particulier in production, its fake without a token.
 * `null` when no file matches the identity.
 */
export abstract class QuotientFamilialProvider {
  abstract quotientFamilial(
    identity: AllocataireIdentity,
    month?: string,
  ): Promise<ProvidedQuotientFamilial | null>;
  abstract psuInputs(identity: AllocataireIdentity): Promise<ProvidedPsuInputs | null>;
}
