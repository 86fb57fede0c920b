import 'reflect-metadata';
import { runService } from '@guichet/platform';
import { tariffsService } from './tariffs.service';

void runService(tariffsService);
