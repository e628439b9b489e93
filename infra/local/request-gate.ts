/**
 * Lets requests into the local HTTP server until the stack stops, then answers 503 with
 * Retry-After (what a load balancer in front of a draining server says) and waits for the
 * requests already admitted, so every write a client saw acknowledged is in the database
 * before the stream consumers drain it.
 */
import type { ServerResponse } from 'node:http';

export class RequestGate {
  private inFlight = 0;
  private idle: (() => void) | undefined;
  closed = false;
  /** Answered with 503 while closed. */
  refused = 0;

  /** True if the request may proceed; otherwise it has been answered. */
  admit(res: ServerResponse): boolean {
    if (this.closed) {
      this.refused++;
      res.writeHead(503, {
        'content-type': 'application/json',
        'retry-after': '5',
        connection: 'close',
      });
      res.end(JSON.stringify({ message: 'Service Unavailable: the local stack is stopping' }));
      return false;
    }
    this.inFlight++;
    res.once('close', () => {
      if (--this.inFlight === 0) this.idle?.();
    });
    return true;
  }

  /** Refuses new requests and waits (at most `timeoutMs`) for those in flight. */
  async close(timeoutMs: number): Promise<void> {
    this.closed = true;
    if (this.inFlight === 0) return;
    await new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, timeoutMs);
      this.idle = () => {
        clearTimeout(timer);
        resolve();
      };
    });
  }
}
