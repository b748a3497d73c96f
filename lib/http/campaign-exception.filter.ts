import {
  Catch,
  HttpException,
  Logger,
  type ArgumentsHost,
  type ExceptionFilter,
} from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import { randomUUID } from 'node:crypto';
import {
  nodeRequestOf,
  type CampaignRequest,
} from './campaign-request.interface';

const CLIENT_REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/;

/**
 * HTTP errors pass as they are; anything else is a 500 with a request id and
 * no detail, the detail going to the log under that id. Answers through the
 * platform's adapter (Express or Fastify). An answer given before the body
 * has arrived (401 unread, 413) closes the connection, so a client cannot
 * make the server take in the rest.
 */
@Catch()
export class CampaignExceptionFilter implements ExceptionFilter {
  private readonly logger = new Logger('CampaignModule');

  constructor(private readonly adapterHost: HttpAdapterHost) {}

  catch(exception: unknown, host: ArgumentsHost): void {
    const adapter = this.adapterHost.httpAdapter;
    const http = host.switchToHttp();
    const request = http.getRequest<CampaignRequest>();
    const response = http.getResponse<unknown>();
    if (adapter.isHeadersSent(response)) return;
    if (!nodeRequestOf(request).complete) {
      adapter.setHeader(response, 'Connection', 'close');
    }
    if (exception instanceof HttpException) {
      const body = exception.getResponse();
      const status = exception.getStatus();
      adapter.reply(
        response,
        typeof body === 'string' ? { statusCode: status, message: body } : body,
        status,
      );
      return;
    }
    const given = request.headers['x-request-id'];
    const requestId =
      typeof given === 'string' && CLIENT_REQUEST_ID.test(given)
        ? given
        : randomUUID();
    this.logger.error(
      `request ${requestId} ${adapter.getRequestMethod(request) as string} ${adapter.getRequestUrl(request) as string} failed: ${
        exception instanceof Error ? exception.message : String(exception)
      }`,
      exception instanceof Error ? exception.stack : undefined,
    );
    adapter.setHeader(response, 'X-Request-Id', requestId);
    adapter.reply(
      response,
      {
        statusCode: 500,
        error: 'Internal Server Error',
        message: 'Internal server error',
        request_id: requestId,
      },
      500,
    );
  }
}
