/**
 * The console next to a running stack. When the local server already serves it (stack.ts wires
 * infra/local/web.ts), that is the stack's own URL; otherwise a small same-origin front is
 * started here: the console from infra/local/web.ts, /api and /ws passed through to the stack.
 */
import {
  createServer,
  request,
  type IncomingMessage,
  type Server,
  type ServerResponse,
} from 'node:http';
import type { Duplex } from 'node:stream';
import { connect } from 'node:net';
import { handleConsole, isConsoleRequest } from '../../../infra/local/web.ts';

export interface ConsoleServer {
  url: string;
  close(): Promise<void>;
}

export async function consoleFor(stackUrl: string): Promise<ConsoleServer> {
  const probe = await fetch(`${stackUrl}/`).catch(() => undefined);
  if (probe?.ok && probe.headers.get('content-type')?.startsWith('text/html')) {
    return { url: stackUrl, close: async () => undefined };
  }
  const target = new URL(stackUrl);
  const server: Server = createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0] ?? '/';
    if (isConsoleRequest(path)) {
      handleConsole(req, res, path).catch(() => res.destroy());
      return;
    }
    forwardHttp(target, req, res);
  });
  server.on('upgrade', (req, socket, head) => forwardUpgrade(target, req, socket, head));
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  const addr = server.address();
  const port = typeof addr === 'object' && addr ? addr.port : 0;
  return {
    url: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((r) => {
        server.closeAllConnections();
        server.close(() => r());
      }),
  };
}

/** Sends a request on to the stack and its answer back, as they are. */
export function forwardHttp(target: URL, req: IncomingMessage, res: ServerResponse): void {
  const upstream = request(
    {
      host: target.hostname,
      port: target.port,
      method: req.method,
      path: req.url,
      headers: req.headers,
    },
    (up) => {
      res.writeHead(up.statusCode ?? 502, up.headers);
      up.pipe(res);
    },
  );
  upstream.on('error', () => res.destroy());
  req.pipe(upstream);
}

/** Passes a WebSocket upgrade through to the stack, bytes both ways. */
export function forwardUpgrade(
  target: URL,
  req: IncomingMessage,
  socket: Duplex,
  head: Buffer,
): void {
  const up = connect(Number(target.port), target.hostname, () => {
    const headers = Object.entries(req.headers)
      .map(([k, v]) => `${k}: ${Array.isArray(v) ? v.join(', ') : v}`)
      .join('\r\n');
    up.write(`${req.method} ${req.url} HTTP/1.1\r\n${headers}\r\n\r\n`);
    if (head.length) up.write(head);
    up.pipe(socket).pipe(up);
  });
  const end = () => {
    up.destroy();
    socket.destroy();
  };
  up.on('error', end);
  socket.on('error', end);
}
