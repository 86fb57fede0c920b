import { EventDefinition } from './event-definition';
import {
  AccountMessageRequested,
  DocumentStatusChanged,
  HouseholdContactChanged,
} from './events/account.events';
import {
  AllocationPublished,
  BookingChanged,
  EnrolmentAccepted,
  EnrolmentCancelled,
  EnrolmentPriced,
  EnrolmentRejected,
  EnrolmentRepriced,
  EnrolmentSubmitted,
  EnrolmentWaitlisted,
  PlaceOffered,
  PlaceOfferExpired,
} from './events/enrolment.events';
import {
  ChildAdded,
  ChildUpdated,
  HouseholdErased,
  HouseholdRegistered,
  HouseholdUpdated,
  PsuInputsChanged,
  QuotientFamilialChanged,
} from './events/household.events';
import { NotificationDelivered, NotificationFailed } from './events/notification.events';
import { PriceComputed } from './events/price.events';
import { TariffGridPublished } from './events/tariff.events';

/** Every event Guichet publishes, by CloudEvents type. A consumer refuses types that are not here. */
export const EventCatalog: ReadonlyMap<string, EventDefinition> = new Map(
  [
    HouseholdRegistered,
    HouseholdUpdated,
    HouseholdErased,
    ChildAdded,
    ChildUpdated,
    QuotientFamilialChanged,
    PsuInputsChanged,
    DocumentStatusChanged,
    HouseholdContactChanged,
    AccountMessageRequested,
    EnrolmentSubmitted,
    EnrolmentAccepted,
    EnrolmentWaitlisted,
    EnrolmentRejected,
    EnrolmentCancelled,
    PlaceOffered,
    PlaceOfferExpired,
    AllocationPublished,
    BookingChanged,
    EnrolmentPriced,
    EnrolmentRepriced,
    TariffGridPublished,
    PriceComputed,
    NotificationDelivered,
    NotificationFailed,
  ].map((definition): [string, EventDefinition] => [definition.type, definition]),
);
