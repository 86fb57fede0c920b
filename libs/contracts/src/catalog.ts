import { EventDefinition } from './event-definition';
import { EnrolmentAccepted, EnrolmentSubmitted } from './events/enrolment.events';
import {
  ChildAdded,
  HouseholdErased,
  HouseholdRegistered,
  HouseholdUpdated,
  QuotientFamilialChanged,
} from './events/household.events';
import { NotificationDelivered } from './events/notification.events';
import { PriceComputed } from './events/price.events';
import { TariffGridPublished } from './events/tariff.events';

/** Every event Guichet publishes, by CloudEvents type. A consumer refuses types that are not here. */
export const EventCatalog: ReadonlyMap<string, EventDefinition> = new Map(
  [
    HouseholdRegistered,
    HouseholdUpdated,
    HouseholdErased,
    ChildAdded,
    QuotientFamilialChanged,
    EnrolmentSubmitted,
    EnrolmentAccepted,
    TariffGridPublished,
    PriceComputed,
    NotificationDelivered,
  ].map((definition): [string, EventDefinition] => [definition.type, definition]),
);
