import type {
  AccountMessageRequestedV1,
  BookingChangedV1,
  DocumentStatusChangedV1,
  EnrolmentAcceptedV1,
  EnrolmentCancelledV1,
  EnrolmentPriceV1,
  EnrolmentRefV1,
  EnrolmentRejectedV1,
  EnrolmentWaitlistedV1,
  PlaceOfferedV1,
} from '@guichet/contracts';
import type { MessageKind } from './catalogue';
import { documentName, formatDay, formatEuros, formatParisDateTime, serviceName } from './format';
import type { TemplateValues } from './render';

/** Which message an event gives and the values of its placeholders, formatted for a French reader. */
export interface MessageRequest {
  kind: MessageKind;
  values: TemplateValues;
}

export function accountMessage(event: AccountMessageRequestedV1): MessageRequest {
  return {
    kind: event.purpose === 'password-reset' ? 'password-reset' : 'email-verification',
    values: { link: event.link, expiresAt: formatParisDateTime(event.expiresAt) },
  };
}

/** A pending document is nobody's news: undefined. */
export function documentMessage(event: DocumentStatusChangedV1): MessageRequest | undefined {
  const values = { document: documentName(event.documentType) };
  switch (event.status) {
    case 'accepted':
      return { kind: 'document-accepted', values };
    case 'rejected':
      return { kind: 'document-rejected', values: { ...values, reason: event.reason ?? 'non précisée' } };
    case 'expired':
      return {
        kind: 'document-expired',
        values: { ...values, validUntil: event.validUntil && formatDay(event.validUntil) },
      };
    default:
      return undefined;
  }
}

const service = (event: EnrolmentRefV1) => ({ service: serviceName(event.service) });

export const enrolmentMessages = {
  submitted: (event: EnrolmentRefV1): MessageRequest => ({
    kind: 'enrolment-submitted',
    values: service(event),
  }),
  accepted: (event: EnrolmentAcceptedV1): MessageRequest => ({
    kind: 'enrolment-accepted',
    values: { ...service(event), startsOn: event.startsOn && formatDay(event.startsOn) },
  }),
  waitlisted: (event: EnrolmentWaitlistedV1): MessageRequest => ({
    kind: 'enrolment-waitlisted',
    values: { ...service(event), position: event.position },
  }),
  rejected: (event: EnrolmentRejectedV1): MessageRequest => ({
    kind: 'enrolment-rejected',
    values: { ...service(event), reason: event.reason },
  }),
  cancelled: (event: EnrolmentCancelledV1): MessageRequest => ({
    kind: 'enrolment-cancelled',
    values: { ...service(event), endsOn: formatDay(event.endsOn) },
  }),
  placeOffered: (event: PlaceOfferedV1): MessageRequest => ({
    kind: 'place-offered',
    values: { ...service(event), expiresAt: formatParisDateTime(event.expiresAt) },
  }),
  placeOfferExpired: (event: EnrolmentRefV1): MessageRequest => ({
    kind: 'place-offer-expired',
    values: service(event),
  }),
};

export function priceMessage(event: EnrolmentPriceV1, repriced: boolean): MessageRequest {
  return {
    kind: repriced ? 'enrolment-repriced' : 'enrolment-priced',
    values: {
      ...service(event),
      price: formatEuros(event.unitPriceCents),
      previousPrice:
        event.previousUnitPriceCents === undefined ? undefined : formatEuros(event.previousUnitPriceCents),
      monthly: event.monthlyContractCents === undefined ? undefined : formatEuros(event.monthlyContractCents),
      previousMonthly:
        event.previousMonthlyContractCents === undefined
          ? undefined
          : formatEuros(event.previousMonthlyContractCents),
      appliesFrom: formatDay(event.appliesFrom),
      explanation: event.explanation,
    },
  };
}

/** Nothing booked nor cancelled: no message. */
export function bookingMessage(event: BookingChangedV1): MessageRequest | undefined {
  if (event.booked.length === 0 && event.cancelledWithCredit.length === 0) return undefined;
  const days = (list: string[]) => [...list].sort().map(formatDay);
  return {
    kind: 'booking-changed',
    values: {
      ...service(event),
      booked: days(event.booked),
      cancelled: days(event.cancelledWithCredit),
      credit: formatEuros(event.creditCents),
    },
  };
}

export function broadcastMessage(subject: string, text: string): MessageRequest {
  return { kind: 'broadcast', values: { subject, text } };
}
