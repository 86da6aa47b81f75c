/**
 * A real webhook receiver on loopback: a `node:http` server that records every
 * request (headers and raw body) and answers as the test tells it to.
 */
import { createServer, type IncomingHttpHeaders, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface Received {
  method: string;
  path: string;
  headers: IncomingHttpHeaders;
  body: string;
}

/** How to answer one request: a status, or `hang` (never answer). */
export type Answer = number | 'hang' | ((request: Received, response: ServerResponse) => void);

export interface Receiver {
  url: string;
  received: Received[];
  /** The answer for requests beyond the queued ones. Default 204. */
  answer: Answer;
  /** Answers for the next requests, in order. */
  queue(...answers: Answer[]): void;
  /** Deliveries received, by their `gatehouse-delivery` id. */
  deliveryIds(): string[];
  close(): Promise<void>;
}

export async function startReceiver(path = '/hooks/gatehouse'): Promise<Receiver> {
  const queued: Answer[] = [];
  const hanging = new Set<ServerResponse>();
  const receiver: Receiver = {
    url: '',
    received: [],
    answer: 204,
    queue: (...answers) => queued.push(...answers),
    deliveryIds: () => receiver.received.map((r) => String(r.headers['gatehouse-delivery'])),
    close: () =>
      new Promise<void>((resolve) => {
        for (const response of hanging) response.destroy();
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
  const server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const received: Received = {
        method: request.method ?? '',
        path: request.url ?? '',
        headers: request.headers,
        body: Buffer.concat(chunks).toString('utf8'),
      };
      receiver.received.push(received);
      const answer = queued.shift() ?? receiver.answer;
      if (answer === 'hang') {
        hanging.add(response);
        return;
      }
      if (typeof answer === 'function') return answer(received, response);
      response
        .writeHead(answer, { 'content-type': 'text/plain' })
        .end(answer >= 300 ? `status ${answer}` : '');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  receiver.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}${path}`;
  return receiver;
}

/** A secret for tests (32+ characters). */
export const SECRET = 'whsec_test_0123456789abcdefghijklmnopqrstuvwxyz';
