import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import {
  ArrayMaxSize,
  IsArray,
  IsDefined,
  IsISO8601,
  IsObject,
  IsOptional,
  IsString,
  Length,
  Matches,
  MaxLength,
  ValidateNested,
} from 'class-validator';
import { HouseholdFactsDto } from './quote-request.dto';

export class PopulationMemberDto {
  @ApiProperty() @IsString() @Length(1, 64) householdId!: string;
  @ApiProperty({ type: HouseholdFactsDto })
  @IsDefined()
  @IsObject()
  @ValidateNested()
  @Type(() => HouseholdFactsDto)
  facts!: HouseholdFactsDto;
}

export class SimulateRequestDto {
  @ApiPropertyOptional({
    description: 'The version in force on this date is the reference; today when absent',
  })
  @IsOptional()
  @Matches(/^\d{4}-\d{2}-\d{2}$/, { message: 'date must read YYYY-MM-DD' })
  @IsISO8601({ strict: true }, { message: 'date must be a real date' })
  date?: string;

  @ApiPropertyOptional({
    type: [PopulationMemberDto],
    description:
      'The households to simulate; without population nor populationCsv, the live enrolments of the grid',
  })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(100_000)
  @IsObject({ each: true, message: 'each member of population must be an object' })
  @ValidateNested({ each: true })
  @Type(() => PopulationMemberDto)
  population?: PopulationMemberDto[];

  @ApiPropertyOptional({
    description: 'The same as CSV: householdId,resident,qf,childRank,pai,quantity,… (header line first)',
  })
  @IsOptional()
  @IsString()
  @MaxLength(20_000_000)
  populationCsv?: string;
}
