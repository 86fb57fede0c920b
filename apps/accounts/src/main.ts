import 'reflect-metadata';
import { runService } from '@guichet/platform';
import { accountsService } from './accounts.service';

void runService(accountsService);
