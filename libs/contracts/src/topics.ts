/**
 * Every Kafka topic Guichet uses, named `guichet.<context>.<entity>.v<version>`. A breaking change to
 * a topic's events is a new topic version, published beside the old one until consumers have moved.
 */
export const Topics = {
  households: 'guichet.accounts.household.v1',
  quotientFamilial: 'guichet.accounts.quotient-familial.v1',
  /**
   * The inputs of a crèche's PSU price (annual resources, dependent and AEEH children). Resources are
   * more than a QF says: their ACL admits the accounts producer and the tariffs consumer only.
   */
  psuInputs: 'guichet.accounts.psu-inputs.v1',
  /** Documents of a family file and their checks. */
  documents: 'guichet.accounts.document.v1',
  /**
   * How to reach a household (email, phone, channel consents), for notifications only. The one topic
   * with contact details: its ACL admits the accounts producer and the notifications consumer.
   */
  contacts: 'guichet.accounts.contact.v1',
  /** Account messages a person must receive (email verification, password reset links). Same ACL as contacts. */
  accountMessages: 'guichet.accounts.account-message.v1',
  enrolments: 'guichet.enrolments.enrolment.v1',
  allocations: 'guichet.enrolments.allocation.v1',
  bookings: 'guichet.enrolments.booking.v1',
  tariffGrids: 'guichet.tariffs.grid.v1',
  prices: 'guichet.tariffs.price.v1',
  notifications: 'guichet.notifications.delivery.v1',
} as const;

export type Topic = (typeof Topics)[keyof typeof Topics];

/**
 * The retry topics of one consumer group, one per attempt: every record in one of them waits the same
 * delay, so the topic's order is the order in which its records become due.
 */
export const retryTopic = (group: string, attempt: number): string => `guichet.${group}.retry-${attempt}.v1`;

/** The dead-letter topic of one consumer group: messages that cannot be handled, with the reason. */
export const deadLetterTopic = (group: string): string => `guichet.${group}.dlt.v1`;
