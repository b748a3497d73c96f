import {
  Injectable,
  type CallHandler,
  type ExecutionContext,
  type NestInterceptor,
} from '@nestjs/common';
import type { Request } from 'express';
import type { Observable } from 'rxjs';
import { InvalidCampaignRequestException } from '../validation/field-problem';
import { deferredBodyError } from './campaign-body-parser';

/**
 * Runs after the guards: answers a body that is not JSON (415) or that the
 * body parser could not read (4xx) before validation sees it.
 */
@Injectable()
export class JsonBodyInterceptor implements NestInterceptor {
  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    const request = context.switchToHttp().getRequest<Request>();
    const bodyError = deferredBodyError(request);
    if (bodyError) {
      throw new InvalidCampaignRequestException(
        [{ field: 'body', message: bodyError.message }],
        bodyError.status,
      );
    }
    if (!request.is('application/json')) {
      throw new InvalidCampaignRequestException(
        [{ field: 'body', message: 'Content-Type must be application/json' }],
        415,
      );
    }
    return next.handle();
  }
}
