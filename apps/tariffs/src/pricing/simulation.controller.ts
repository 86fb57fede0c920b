import { Body, Controller, HttpCode, HttpStatus, Param, ParseIntPipe, Post } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiTags } from '@nestjs/swagger';
import { Roles } from '@guichet/auth';
import { ProblemException } from '@guichet/platform';
import { ImpactReport, parsePopulation, PopulationMember } from '@guichet/tariff-engine';
import { SimulateRequestDto } from '../grids/dto/simulate-request.dto';
import { GridService, todayInParis } from '../grids/grid.service';
import { enrolmentFacts, PricingRepository } from './pricing.repository';

@ApiTags('grids')
@ApiBearerAuth()
@Controller()
export class SimulationController {
  constructor(
    private readonly grids: GridService,
    private readonly pricing: PricingRepository,
  ) {}

  @Post('grids/:id/versions/:version/simulate')
  @Roles('finance', 'admin')
  @HttpCode(200)
  @ApiOperation({
    summary:
      'Impact of a version against the one in force, over a population (JSON or CSV) or the live enrolments',
  })
  async simulate(
    @Param('id') id: string,
    @Param('version', ParseIntPipe) version: number,
    @Body() body: SimulateRequestDto,
  ): Promise<ImpactReport> {
    const date = body.date ?? todayInParis();
    const population =
      body.population ??
      (body.populationCsv !== undefined ? this.fromCsv(body.populationCsv) : await this.live(id, date));
    return this.grids.simulate(id, version, population, date);
  }

  private fromCsv(csv: string): PopulationMember[] {
    try {
      return parsePopulation(csv, 'csv');
    } catch (error) {
      throw new ProblemException(HttpStatus.BAD_REQUEST, {
        detail: 'La population CSV est invalide.',
        errors: [{ field: 'populationCsv', message: (error as Error).message }],
      });
    }
  }

  /** The accepted enrolments priced by this grid, one unit each until bookings give consumptions. */
  private async live(gridId: string, date: string): Promise<PopulationMember[]> {
    const enrolments = await this.pricing.enrolmentsOfGrid(gridId);
    const households = await this.pricing.householdsById(enrolments.map((e) => e.householdId));
    return enrolments.map((enrolment) => {
      const household = households.get(enrolment.householdId);
      return {
        householdId: enrolment.householdId,
        facts: { ...enrolmentFacts(enrolment, household ?? null, date), quantity: 1 },
      };
    });
  }
}
