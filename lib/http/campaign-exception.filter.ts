import {
  Catch,
  HttpException,
  Logger,
  type ArgumentsHost,
  type ExceptionFilter,
} from '@nestjs/common';
import type { Request, Response } from 'express';
import { randomUUID } from 'node:crypto';

const CLIENT_REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/;

/**
 * HTTP errors pass as they are; anything else is a 500 with a request id and
 * no detail, the detail going to the log under that id.
 */
@Catch()
export class CampaignExceptionFilter implements ExceptionFilter {
  private readonly logger = new Logger('CampaignModule');

  catch(exception: unknown, host: ArgumentsHost): void {
    const http = host.switchToHttp();
    const request = http.getRequest<Request>();
    const response = http.getResponse<Response>();
    if (exception instanceof HttpException) {
      const body = exception.getResponse();
      response
        .status(exception.getStatus())
        .json(
          typeof body === 'string'
            ? { statusCode: exception.getStatus(), message: body }
            : body,
        );
      return;
    }
    const given = request.header('x-request-id');
    const requestId =
      given && CLIENT_REQUEST_ID.test(given) ? given : randomUUID();
    this.logger.error(
      `request ${requestId} ${request.method} ${request.originalUrl} failed: ${
        exception instanceof Error ? exception.message : String(exception)
      }`,
      exception instanceof Error ? exception.stack : undefined,
    );
    if (response.headersSent) return;
    response.status(500).setHeader('X-Request-Id', requestId).json({
      statusCode: 500,
      error: 'Internal Server Error',
      message: 'Internal server error',
      request_id: requestId,
    });
  }
}
