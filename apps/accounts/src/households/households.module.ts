import { Module } from '@nestjs/common';
import { MulterModule } from '@nestjs/platform-express';
import { AccountsConfig } from '../accounts.config';
import { ApiParticulierModule } from '../api-particulier/api-particulier.module';
import { DocumentStorage, LocalDirectoryStorage } from '../documents/document-storage';
import { DocumentsController } from '../documents/documents.controller';
import { DocumentsRepository } from '../documents/documents.repository';
import { DocumentsService } from '../documents/documents.service';
import { DocumentsSweep } from '../documents/documents-sweep';
import { AccountMessages } from '../identity/account-messages';
import { UsersRepository } from '../identity/users.repository';
import { RetentionPurge } from '../retention/retention';
import { GuardiansController } from './guardians.controller';
import { GuardiansService } from './guardians.service';
import { HouseholdChanges } from './household-changes';
import { HouseholdController } from './household.controller';
import { HouseholdRepository } from './household.repository';
import { HouseholdService } from './household.service';
import { QfController } from './qf.controller';
import { QfService } from './qf.service';

/** The family file and its documents (one module: documents live and die with their household). */
@Module({
  imports: [
    ApiParticulierModule,
    // Files stay in memory (at most DOCUMENT_MAX_BYTES) until their type is checked: a refused one is never written.
    MulterModule.registerAsync({
      inject: [AccountsConfig],
      useFactory: (config: AccountsConfig) => ({ limits: { fileSize: config.DOCUMENT_MAX_BYTES, files: 1 } }),
    }),
  ],
  controllers: [HouseholdController, GuardiansController, QfController, DocumentsController],
  providers: [
    HouseholdRepository,
    HouseholdChanges,
    HouseholdService,
    GuardiansService,
    QfService,
    UsersRepository,
    AccountMessages,
    DocumentsRepository,
    DocumentsService,
    DocumentsSweep,
    RetentionPurge,
    {
      provide: DocumentStorage,
      inject: [AccountsConfig],
      useFactory: (config: AccountsConfig) => new LocalDirectoryStorage(config.DOCUMENTS_DIR),
    },
  ],
})
export class HouseholdsModule {}
