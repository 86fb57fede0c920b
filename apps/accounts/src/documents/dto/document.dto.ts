import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { DOCUMENT_TYPES } from '@guichet/contracts';
import { IsIn, IsISO8601, IsOptional, IsString, Length, ValidateIf } from 'class-validator';

/** The fields sent with the file (multipart/form-data). */
export class UploadDocumentDto {
  @ApiProperty({ enum: DOCUMENT_TYPES }) @IsIn(DOCUMENT_TYPES) documentType!: (typeof DOCUMENT_TYPES)[number];
  @ApiPropertyOptional({ example: '2026-09-01', description: 'First day the document is valid' })
  @IsOptional()
  @IsISO8601({ strict: true })
  validFrom?: string;
  @ApiPropertyOptional({ example: '2027-08-31', description: 'Last day the document is valid' })
  @IsOptional()
  @IsISO8601({ strict: true })
  validUntil?: string;
}

/** The same with the file, for the OpenAPI document. */
export class UploadDocumentForm extends UploadDocumentDto {
  @ApiProperty({ type: 'string', format: 'binary', description: 'PDF, JPEG or PNG' }) file!: unknown;
}

export class ReviewDocumentDto {
  @ApiProperty({ enum: ['accepted', 'rejected'] }) @IsIn(['accepted', 'rejected']) decision!:
    'accepted' | 'rejected';
  @ApiPropertyOptional({ description: 'Required to reject: what the family must fix (shown to it)' })
  @ValidateIf((body: ReviewDocumentDto) => body.decision === 'rejected' || body.reason !== undefined)
  @IsString()
  @Length(3, 500)
  reason?: string;
}
