import { ApiBadRequestResponse } from '@nestjs/swagger';
import { ProblemDetailsDto } from './problem-details.dto';

/** Every route with input can answer 400 with a problem naming the bad fields. */
export const ApiBadRequest = () =>
  ApiBadRequestResponse({ description: 'Malformed JSON, unknown fields, wrong types or out-of-range values; `errors` names each field', type: ProblemDetailsDto });
