import 'reflect-metadata';
import { runService } from '@guichet/platform';
import { enrolmentsService } from './enrolments.service';

void runService(enrolmentsService);
