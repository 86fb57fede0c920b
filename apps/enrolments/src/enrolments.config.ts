import { ServiceConfig } from '@guichet/platform';

/** The enrolments service's environment; see .env.example for every variable. */
export class EnrolmentsConfig extends ServiceConfig {}
