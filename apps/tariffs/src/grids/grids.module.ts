import { Module } from '@nestjs/common';
import { GridController } from './grid.controller';
import { GridRepository } from './grid.repository';
import { GridService } from './grid.service';

@Module({ controllers: [GridController], providers: [GridRepository, GridService], exports: [GridService] })
export class GridsModule {}
