import { HttpStatus } from '@nestjs/common';
import type { FieldError } from '@guichet/contracts';

/** RFC 9457 problem details, as every Guichet endpoint answers an error. */
export interface Problem {
  type: string;
  title: string;
  status: number;
  detail?: string;
  instance?: string;
  /** Which input fields are wrong and why. */
  errors?: FieldError[];
}

export const PROBLEM_CONTENT_TYPE = 'application/problem+json';

const TITLES: Partial<Record<number, string>> = {
  [HttpStatus.BAD_REQUEST]: 'Requête invalide',
  [HttpStatus.UNAUTHORIZED]: 'Authentification requise',
  [HttpStatus.FORBIDDEN]: 'Accès refusé',
  [HttpStatus.NOT_FOUND]: 'Ressource introuvable',
  [HttpStatus.CONFLICT]: 'Conflit',
  [HttpStatus.UNPROCESSABLE_ENTITY]: 'Données invalides',
  [HttpStatus.TOO_MANY_REQUESTS]: 'Trop de requêtes',
  [HttpStatus.INTERNAL_SERVER_ERROR]: 'Erreur interne',
  [HttpStatus.SERVICE_UNAVAILABLE]: 'Service momentanément indisponible',
};

export function problem(status: number, fields: Omit<Partial<Problem>, 'status'> = {}): Problem {
  return {
    type: fields.type ?? 'about:blank',
    title: fields.title ?? TITLES[status] ?? 'Erreur',
    status,
    ...(fields.detail ? { detail: fields.detail } : {}),
    ...(fields.instance ? { instance: fields.instance } : {}),
    ...(fields.errors ? { errors: fields.errors } : {}),
  };
}
